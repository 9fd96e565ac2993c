"""bestmatch agrees with python-jsonschema's best_match: the same path for every value that
fails a built-in rule in the fixtures and the real-world corpus, and for generated values."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from conftest import EXAMPLES, REPO, selected_values
from trueup.policy.bestmatch import best_path
from trueup.policy.fastcheck import Unsupported
from trueup.policy.packs import PolicySettings, load_policy

CORPUS = REPO.parent / "shared" / "corpus"
RULES = load_policy(PolicySettings(entry_points=False), REPO).rules


def _expected(schema: Any, value: Any) -> tuple | None:
    error = best_match(Draft202012Validator(schema).iter_errors(value))
    return None if error is None else tuple(error.absolute_path)


def _selected(root: Path) -> Iterator[tuple[Any, Any]]:
    return ((rule, value) for rule, value in selected_values(root, RULES) if not rule.fast(value))


def _roots() -> list[Path]:
    return [EXAMPLES] + ([CORPUS] if (CORPUS / "manifest.json").is_file() else [])


def test_most_built_in_rules_are_handled() -> None:
    unsupported = []
    for rule in RULES:
        try:
            best_path(rule.schema, {})
        except Unsupported:
            unsupported.append(rule.id)
    assert len(unsupported) < len(RULES) // 3, unsupported


@pytest.mark.parametrize("root", _roots(), ids=lambda p: p.name)
def test_same_path_as_jsonschema_for_every_failing_value(root: Path) -> None:
    compared = 0
    for rule, value in _selected(root):
        try:
            mine = best_path(rule.schema, value)
        except Unsupported:
            continue
        assert mine == _expected(rule.schema, value), (rule.id, value)
        compared += 1
    assert compared > (5000 if root == CORPUS else 20)


SCHEMAS = st.sampled_from([r.schema for r in RULES])
VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, width=16),
              st.sampled_from(["", "ALL", "latest", "a:1.0", "root", "x" * 70, "NET_ADMIN", "/var/run/docker.sock"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(
        st.sampled_from(["image", "resources", "limits", "cpu", "memory", "securityContext", "runAsNonRoot",
                         "runAsUser", "privileged", "capabilities", "drop", "add", "hostPath", "labels",
                         "namespace", "name", "readOnlyRootFilesystem", "allowPrivilegeEscalation", "x"]),
        inner, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(SCHEMAS, VALUES)
def test_same_path_as_jsonschema_on_generated_values(schema: Any, value: Any) -> None:
    try:
        mine = best_path(schema, value)
    except Unsupported:
        return
    assert mine == _expected(schema, value)
