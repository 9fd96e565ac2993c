"""The fast check agrees with jsonschema: on every value the built-in rules select in the shared
corpus and the rule fixtures, on generated values, and on the edge cases of Draft 2020-12."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from conftest import EXAMPLES, REPO, selected_values
from trueup.policy.fastcheck import compile_check
from trueup.policy.packs import PolicySettings, load_policy

CORPUS = REPO.parent / "shared" / "corpus"
RULES = load_policy(PolicySettings(entry_points=False), REPO).rules


def test_every_built_in_rule_has_a_fast_check() -> None:
    assert [r.id for r in RULES if r.fast is None] == []


def _selected(root: Path) -> Iterator[tuple[str, Any, Any]]:
    return ((rule.id, rule, value) for rule, value in selected_values(root, RULES))


@pytest.mark.parametrize("root", [
    pytest.param(CORPUS, id="shared-corpus", marks=pytest.mark.skipif(not CORPUS.is_dir(), reason="no shared corpus")),
    pytest.param(EXAMPLES, id="example-files"),
])
def test_fast_and_detailed_agree_on_every_selected_value(root: Path) -> None:
    disagreements, checked = [], 0
    for rule_id, rule, value in _selected(root):
        checked += 1
        if rule.fast(value) != rule.validator.is_valid(value):
            disagreements.append((rule_id, repr(value)[:80]))
    assert checked > 1000
    assert disagreements == []


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(-5, 5, allow_nan=False), st.sampled_from(
        ["", "a", "latest", "nginx:latest", "app:1.2", "ALL", "NET_ADMIN", "RuntimeDefault", "0", "AKIAABCDEFGHIJKLMNOP",
         "postgres://u:p@h/db", "${X}", "-----BEGIN RSA PRIVATE KEY-----", "ExternalName", "/var/run/docker.sock"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(
        ["image", "name", "password", "type", "selector", "data", "privileged", "capabilities", "add", "drop",
         "runAsNonRoot", "runAsUser", "resources", "limits", "requests", "cpu", "memory", "hostPath", "ports",
         "network_mode", "restart", "volumes", "securityContext", "allowPrivilegeEscalation"]), inner, max_size=5)),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_fast_and_detailed_agree_on_generated_values(value: Any) -> None:
    for rule in RULES:
        assert rule.fast(value) == rule.validator.is_valid(value), rule.id


@pytest.mark.parametrize("schema, value, valid", [
    ({"type": "integer"}, 1.0, True),
    ({"type": "integer"}, True, False),
    ({"type": "number"}, False, False),
    ({"enum": [1, "a"]}, True, False),
    ({"const": False}, 0, False),
    ({"const": {"a": [1]}}, {"a": [1.0]}, True),
    ({"not": {"type": "string", "pattern": "^x"}}, 5, True),
    ({"not": {"type": "string", "pattern": "^x"}}, "xy", False),
    ({"if": {"type": "object"}, "then": {"required": ["a"]}}, "text", True),
    ({"then": {"required": ["a"]}}, {}, True),
    ({"format": "email"}, "not an email", True),
    ({"patternProperties": {"^p": {"maxLength": 0}}}, {"pw": "", "pass": "x"}, False),
    ({"contains": {"const": "ALL"}}, ["NET_RAW", "ALL"], True),
    ({"maxProperties": 0}, {"a": 1}, False),
])
def test_draft_2020_12_edge_cases(schema: dict, value: Any, valid: bool) -> None:
    assert Draft202012Validator(schema).is_valid(value) is valid
    fast = compile_check(schema)
    assert fast is not None and fast(value) is valid


@pytest.mark.parametrize("schema", [{"$ref": "#/$defs/x"}, {"prefixItems": [{}]}, {"type": "nonsense"},
                                    {"pattern": "("}, {"contains": {}, "minContains": 2}])
def test_what_it_does_not_know_is_left_to_jsonschema(schema: dict) -> None:
    assert compile_check(schema) is None
