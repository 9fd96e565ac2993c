"""policy/crossfile/__init__.py: the registry, entry-point rules, and what of a document a run keeps for them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import pytest

from trueup import installed
from trueup.errors import ConfigError
from trueup.model import Document, Finding, Severity, Source
from trueup.policy import crossfile
from trueup.policy.crossfile import (ENTRY_POINT_GROUP, NAME, REGISTRY, WHOLE, CrossFileRule, all_rules,
                                     compose_files, kept, register)

from .conftest import load

BUILT_IN = {
    "COMPOSE-DEPENDS-ON-EXISTS", "COMPOSE-HOST-PORT-UNIQUE", "COMPOSE-HEALTHCHECK-FOR-DEPENDENCY",
    "COMPOSE-DEPENDS-ON-HEALTHY", "COMPOSE-DUPLICATE-CONTAINER-NAME", "K8S-REFERENCE-EXISTS",
    "K8S-SERVICE-MATCHES-PODS", "K8S-SELECTOR-MATCHES-TEMPLATE", "K8S-PROBE-PORT", "K8S-DUPLICATE-ENV",
    "K8S-WRITABLE-HOST-PATH", "K8S-AUTOMOUNT-SA-TOKEN", "K8S-ADMIN-EQUIVALENT-BINDING",
    "K8S-PDB-MIN-AVAILABLE-REPLICAS", "K8S-INGRESS-BACKEND-EXISTS", "K8S-HPA-TARGET-EXISTS",
    "K8S-NETWORK-POLICY-SELECTS-PODS", "K8S-PDB-SELECTS-PODS", "K8S-SERVICE-MONITOR-SELECTS-SERVICES",
    "K8S-NETWORK-POLICY-MISSING", "VERSION-GROUP-MISMATCH", "COMPOSE-VARIABLE-DEFINED", "CONFIG-PORT-MISMATCH",
}


def _check(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    for doc in documents:
        yield Finding(rule=rule.id, severity=rule.severity, message=f"saw {doc.source.name} with {sorted(settings)}",
                      target=doc.target)


def _plugin(id: str = "PLUGIN-ONE") -> CrossFileRule:
    return CrossFileRule(id, "t", Severity.LOW, "d", "r", _check, pack="plugin")


@dataclass
class _EntryPoint:
    name: str
    found: Any

    def load(self) -> Any:
        if isinstance(self.found, Exception):
            raise self.found
        return self.found


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, CrossFileRule]:
    """A copy of the registry that registrations in a test go to (the real one is left as it was)."""
    all_rules(entry_points=False)
    from trueup.policy.crossfile import registry as where_registered

    copy = dict(REGISTRY)
    monkeypatch.setattr(crossfile, "REGISTRY", copy)
    monkeypatch.setattr(where_registered, "REGISTRY", copy)  # register() adds to the registry module's
    return copy


def test_the_built_in_rules() -> None:
    assert {rule.id for rule in all_rules(entry_points=False)} == BUILT_IN


def test_register_adds_a_rule_with_parsed_severity_and_returns_the_check(registry: dict[str, CrossFileRule]) -> None:
    returned = register("MY-RULE", "Title", "warning", "Desc", "Fix", complete=True, reads=compose_files,
                        profile="strict", peers={"dclint": ("x",)})(_check)
    assert returned is _check
    rule = registry["MY-RULE"]
    assert rule == CrossFileRule("MY-RULE", "Title", Severity.MEDIUM, "Desc", "Fix", _check, pack="crossfile",
                                 complete=True, reads=compose_files, profile="strict", peers={"dclint": ("x",)})
    assert rule.id in {r.id for r in all_rules(entry_points=False)}


def test_register_defaults(registry: dict[str, CrossFileRule]) -> None:
    register("MY-RULE", "T", "low", "D", "F")(_check)
    rule = registry["MY-RULE"]
    assert (rule.complete, rule.reads, rule.profile, rule.peers, rule.pack) == (False, None, "standard", {}, "crossfile")


def test_run_passes_the_settings_or_an_empty_mapping() -> None:
    docs = load({"a.yaml": "x: 1\n"})
    rule = _plugin()
    assert [f.message for f in rule.run(docs)] == ["saw a.yaml with []"]
    assert [f.message for f in rule.run(docs, {"ports": []})] == ["saw a.yaml with ['ports']"]


def test_a_rule_without_reads_keeps_every_document_whole() -> None:
    (doc,) = load({"a.yaml": "x: 1\n"})
    assert _plugin().keeps(doc, {}) == WHOLE


@pytest.mark.parametrize(
    ("found", "ids"),
    [
        pytest.param(_plugin(), ["PLUGIN-ONE"], id="one-rule"),
        pytest.param([_plugin("P-A"), _plugin("P-B")], ["P-A", "P-B"], id="a-list"),
        pytest.param(lambda: [_plugin("P-C")], ["P-C"], id="a-factory"),
        pytest.param(_plugin("COMPOSE-HOST-PORT-UNIQUE"), ["COMPOSE-HOST-PORT-UNIQUE"], id="replaces-a-built-in"),
    ],
)
def test_all_rules_adds_entry_point_rules(monkeypatch: pytest.MonkeyPatch, found: Any, ids: list[str]) -> None:
    groups: list[str] = []

    def entry_points(group: str) -> list[_EntryPoint]:
        groups.append(group)
        return [_EntryPoint("mine", found)]

    monkeypatch.setattr(installed, "entry_points", entry_points)
    rules = {rule.id: rule for rule in all_rules()}
    assert groups == [ENTRY_POINT_GROUP] == ["trueup.crossfile"]
    assert set(rules) == BUILT_IN | set(ids)
    assert [rules[i].pack for i in ids] == ["plugin"] * len(ids)
    assert REGISTRY["COMPOSE-HOST-PORT-UNIQUE"].pack == "crossfile"  # the registry itself is not changed


def test_a_broken_entry_point_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(installed, "entry_points", lambda group: [_EntryPoint("broken", ImportError("no module x"))])
    with pytest.raises(ConfigError) as raised:
        all_rules()
    assert "cross-file rule entry point 'broken' failed to load: no module x" in str(raised.value)


def test_entry_points_are_not_read_when_not_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(installed, "entry_points", lambda group: pytest.fail("entry points read"))
    assert {rule.id for rule in all_rules(entry_points=False)} == BUILT_IN


def _reads(verdict: str | None) -> CrossFileRule:
    return CrossFileRule("R", "t", Severity.LOW, "d", "r", _check, reads=lambda doc, settings: verdict)


DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
"""


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        pytest.param([None, WHOLE, NAME], "whole", id="whole-wins"),
        pytest.param([NAME, None], "name", id="name"),
        pytest.param([None, None], None, id="nothing"),
        pytest.param([], None, id="no-rules"),
    ],
)
def test_kept(verdicts: list[str | None], expected: str | None) -> None:
    (doc,) = load({"deploy.yaml": DEPLOYMENT})
    out = kept(doc, [_reads(v) for v in verdicts], {})
    if expected == "whole":
        assert out is doc
    elif expected == "name":
        assert out is not None and out is not doc
        assert out.data == {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}}}
        assert (out.source, out.index, out.base, out.kind) == (doc.source, doc.index, doc.base, "kubernetes")
        assert out.locate("/metadata/name") == (4, 3)  # still finds its lines (the key's column)
    else:
        assert out is None


def test_kept_name_of_a_document_that_is_not_a_mapping_is_nothing() -> None:
    doc = Document(data=["a"], source=Source(file="l.yaml", name="l.yaml", text="", format="yaml"))
    assert kept(doc, [_reads(NAME)], {}) is None


def test_kept_name_of_an_object_without_metadata() -> None:
    doc = Document(data={"kind": "Secret", "data": {"k": "djE="}}, source=Source(file="s.yaml", name="s.yaml", text="",
                                                                                 format="yaml"), kind="kubernetes")
    assert kept(doc, [_reads(NAME)], {}).data == {"kind": "Secret"}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({"compose.yaml": "services: {web: {image: x}}\n"}, WHOLE, id="compose"),
        pytest.param({"deploy.yaml": DEPLOYMENT}, None, id="kubernetes"),
        pytest.param({"app.yaml": "port: 80\n"}, None, id="config"),
    ],
)
def test_compose_files(files: dict[str, str], expected: str | None) -> None:
    (doc,) = load(files)
    assert compose_files(doc, {}) == expected
