"""checker.py: one run's checks of a document: its schemas first, then the policy's rules (as the
object is applied), what cross-file rules keep, and how many rules run."""
from __future__ import annotations

from pathlib import Path

import pytest

from trueup.checker import Checker
from trueup.config import config_free
from trueup.load import load_text
from trueup.model import Finding, Severity
from trueup.options import CheckSettings
from trueup.wiring import checker_for

DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"


def _doc(text: str = DEPLOYMENT, namespace: str | None = None):
    doc = load_text(text, file="d.yaml", name="d.yaml", fmt="yaml").documents[0]
    doc.namespace = namespace
    return doc


def _finding(rule: str) -> Finding:
    return Finding(rule, Severity.HIGH, rule, "t")


class Schemas:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def check(self, doc, partial=False):
        self.calls.append(("check", partial))
        yield _finding("schema")

    def check_against(self, doc, schema):
        self.calls.append(("check_against", schema))
        yield _finding("schema.extra")

    def unvalidated(self, doc):
        return "config file"


class Policy:
    def __init__(self) -> None:
        self.rules = ["r1", "r2", "r3"]
        self.cross_file = ["c1"]
        self.seen: list = []

    def check(self, doc, values_only=False):
        self.seen.append((doc.data.get("metadata"), values_only))
        yield _finding("RULE")

    def kept(self, doc, partial):
        return ("kept", doc.data["metadata"].get("namespace"), partial)

    def cross(self, docs, partial=False):
        yield Finding("CROSS", Severity.LOW, f"{len(docs)} {partial}", ",".join(
            str(d.data["metadata"].get("namespace")) for d in docs))


@pytest.mark.parametrize("schema, patch, rules, calls, values_only", [
    (None, False, ["schema", "RULE"], [("check", False)], False),
    (Path("s.json"), False, ["schema", "schema.extra", "RULE"], [("check", False), ("check_against", Path("s.json"))],
     False),
    (None, True, ["schema", "RULE"], [("check", True)], True),
], ids=["plain", "extra-schema", "patch"])
def test_check_order_schema_then_rules(schema, patch, rules, calls, values_only) -> None:
    schemas, policy = Schemas(), Policy()
    found = list(Checker(schemas, policy).check(_doc(), schema, patch))
    assert [f.rule for f in found] == rules
    assert schemas.calls == calls
    assert policy.seen == [({"name": "d"}, values_only)]


def test_rules_see_the_object_as_applied() -> None:
    policy = Policy()
    doc = _doc(namespace="shop")
    list(Checker(Schemas(), policy).check(doc))
    assert policy.seen == [({"name": "d", "namespace": "shop"}, False)]
    assert doc.data["metadata"] == {"name": "d"}  # the document itself is left as written


def test_without_policy_only_schemas() -> None:
    checker = Checker(Schemas())
    assert [f.rule for f in checker.check(_doc())] == ["schema"]
    assert (checker.kept(_doc()), list(checker.cross([_doc()])), checker.rule_count) == (None, [], 0)


@pytest.mark.parametrize("schema, expected", [(None, "config file"), (Path("s.json"), None)],
                         ids=["no-extra-schema", "extra-schema"])
def test_unvalidated(schema, expected) -> None:
    assert Checker(Schemas()).unvalidated(_doc(), schema) == expected


def test_kept_and_cross_pass_applied_documents_and_partial() -> None:
    checker = Checker(Schemas(), Policy())
    assert checker.kept(_doc(namespace="shop"), True) == ("kept", "shop", True)
    assert checker.kept(_doc()) == ("kept", None, False)
    [finding] = checker.cross([_doc(namespace="a"), _doc()], partial=True)
    assert (finding.rule, finding.message, finding.target) == ("CROSS", "2 True", "a,None")


def test_rule_count() -> None:
    assert Checker(Schemas(), Policy()).rule_count == 4
    assert Checker(Schemas(), None).rule_count == 0


def test_a_real_checker(tmp_path: Path) -> None:
    """Built as the commands build it: the Kubernetes schema's finding comes before the rules'."""
    checker = checker_for(config_free(tmp_path), CheckSettings(rule=("K8S-DEFAULT-NAMESPACE",)))
    assert [(f.rule, f.path, f.line) for f in checker.check(_doc())] == [
        ("schema", "", 1), ("K8S-DEFAULT-NAMESPACE", "/metadata", 3)]
    assert [(f.rule, f.path) for f in checker.check(_doc(namespace="shop"))] == [("schema", "")]
    assert checker.unvalidated(_doc()) is None
    assert checker.unvalidated(_doc("a: 1\n")) == "config file"
    assert checker.rule_count == 1
