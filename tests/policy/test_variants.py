"""A rule judges what the runtime reads, not how it is spelled: a key written with no value (``resources:``)
is a key not set, so adding one never changes a rule's verdict; capability names are read without case
and with or without ``CAP_``, so re-casing them never does either. Hypothesis varies every rule's own
fixtures, failing and passing."""
from __future__ import annotations

import copy
import dataclasses
from typing import Any, Iterator

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trueup.load import load_text
from trueup.policy.rules import Rule
from policy_fixtures import ALL_RULES, fixture

FILE_NAMES = {"compose": "compose.yaml", "secrets": "settings.yaml"}


def _names(schema: Any) -> set[str]:
    """Every property name a schema requires or constrains, at any depth."""
    found: set[str] = set()
    if isinstance(schema, dict):
        found.update(n for n in schema.get("required", ()) if isinstance(n, str))
        found.update(schema.get("properties", {}) if isinstance(schema.get("properties"), dict) else ())
        for value in schema.values():
            found |= _names(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= _names(value)
    return found


def _mappings(value: Any) -> Iterator[dict]:
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _mappings(child)
    elif isinstance(value, list):
        for child in value:
            yield from _mappings(child)


def _documents(pack: str, text: str) -> list:
    return [d for d in load_text(text, file="f", name=FILE_NAMES.get(pack, "manifest.yaml"), fmt="yaml").documents
            if d.data is not None]


def _count(rule: Rule, docs: list) -> int:
    return sum(1 for doc in docs if rule.applies(doc) for _ in rule.check(doc))


def _texts(rule_id: str) -> list[tuple[str, str]]:
    pack = ALL_RULES[rule_id][0]
    case = fixture(pack, rule_id)
    texts = [c["text"] for c in case["fail"]] + case["pass"]
    return [(pack, t) for t in texts if isinstance(t, str)] + \
        [(pack, t["text"]) for t in texts if isinstance(t, dict) and "file" not in t]


CASES = [(rule_id, i) for rule_id in sorted(ALL_RULES) for i in range(len(_texts(rule_id)))]


@pytest.mark.parametrize("rule_id, index", CASES, ids=[f"{r}-{i}" for r, i in CASES])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_key_written_with_no_value_changes_no_verdict(rule_id: str, index: int, data: st.DataObject) -> None:
    pack, text = _texts(rule_id)[index]
    rule = ALL_RULES[rule_id][1]
    docs = _documents(pack, text)
    names = sorted(_names(rule.schema))
    if not docs or not names:
        return
    before = _count(rule, docs)
    varied = []
    for doc in docs:
        tree = copy.deepcopy(doc.data)
        places = list(_mappings(tree))
        for _ in range(data.draw(st.integers(0, 4))):
            place = data.draw(st.sampled_from(places)) if places else None
            name = data.draw(st.sampled_from(names))
            if place is not None and name not in place:
                place[name] = None
        varied.append(dataclasses.replace(doc, data=tree))
    assert _count(rule, varied) == before


def _recase(value: str, draw: Any) -> str:
    cased = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in value)
    return (draw(st.sampled_from(["", "CAP_", "cap_", "Cap_"])) + cased) if not cased.upper().startswith("CAP_") else cased


def _capability_lists(value: Any) -> Iterator[list]:
    for mapping in _mappings(value):
        for key, child in mapping.items():
            if isinstance(child, list) and (key in ("cap_add", "cap_drop") or (
                    key in ("add", "drop") and any(mapping is m.get("capabilities") for m in _mappings(value)))):
                yield child


FOLDED = [(rule_id, i) for rule_id, i in CASES if "capabilities" in ALL_RULES[rule_id][1].fold]


def test_capability_rules_fold_case() -> None:
    assert {r for r, _ in FOLDED} == {"K8S-CAPABILITIES-DROP-ALL", "K8S-DANGEROUS-CAPABILITIES",
                                      "COMPOSE-DANGEROUS-CAPABILITIES"}


@pytest.mark.parametrize("rule_id, index", FOLDED, ids=[f"{r}-{i}" for r, i in FOLDED])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_capability_names_are_read_without_case_or_prefix(rule_id: str, index: int, data: st.DataObject) -> None:
    pack, text = _texts(rule_id)[index]
    rule = ALL_RULES[rule_id][1]
    docs = _documents(pack, text)
    before = sorted(f.path for doc in docs if rule.applies(doc) for f in rule.check(doc))
    varied = []
    for doc in docs:
        tree = copy.deepcopy(doc.data)
        for names in _capability_lists(tree):
            names[:] = [_recase(n, data.draw) if isinstance(n, str) else n for n in names]
        varied.append(dataclasses.replace(doc, data=tree))
    assert sorted(f.path for doc in varied if rule.applies(doc) for f in rule.check(doc)) == before


@pytest.mark.parametrize("spelled", ["All", "all", "CAP_ALL", "cap_all"])
def test_drop_all_in_any_spelling_passes_and_added_admin_in_any_spelling_fails(spelled: str) -> None:
    manifest = yaml.safe_dump({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [
        {"name": "c", "image": "c:1", "securityContext": {"capabilities": {
            "drop": [spelled], "add": [spelled.replace("ll", "LL").replace("all", "net_admin"), "nEt_aDmIn"]}}}]}})
    docs = _documents("kubernetes", manifest)
    drop, dangerous = ALL_RULES["K8S-CAPABILITIES-DROP-ALL"][1], ALL_RULES["K8S-DANGEROUS-CAPABILITIES"][1]
    assert _count(drop, docs) == 0
    assert [f.path for f in dangerous.check(docs[0])][-1] == "/spec/containers/0/securityContext/capabilities/add/1"
