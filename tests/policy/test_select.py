"""policy/select.py: placeholder expansion per kind, and JSON Pointer globs over plain data."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.pointer import value_at
from trueup.policy.select import POD_SPEC, expand, select


@pytest.mark.parametrize(
    ("pattern", "kind", "expected"),
    [
        pytest.param("/services/*", "Deployment", ["/services/*"], id="no-placeholder-any-kind"),
        pytest.param("/services/*", None, ["/services/*"], id="no-placeholder-no-kind"),
        pytest.param("{pod}", "Pod", ["/spec"], id="pod-of-pod"),
        pytest.param("{pod}", "Deployment", ["/spec/template/spec"], id="pod-of-deployment"),
        pytest.param("{pod}", "CronJob", ["/spec/jobTemplate/spec/template/spec"], id="pod-of-cronjob"),
        pytest.param("{pod}", "DeploymentConfig", ["/spec/template/spec"], id="pod-of-deploymentconfig"),
        pytest.param("{pod}/volumes/*", "ReplicationController", ["/spec/template/spec/volumes/*"], id="pod-suffix"),
        pytest.param("{pod}", "Service", [], id="kind-without-pod"),
        pytest.param("{pod}", None, [], id="no-kind"),
        pytest.param("{pod}", "deployment", [], id="kind-is-case-sensitive"),
        pytest.param("{containers}/image", "Pod",
                     ["/spec/containers/*/image", "/spec/initContainers/*/image"], id="containers-of-pod"),
        pytest.param("{containers}", "CronJob",
                     ["/spec/jobTemplate/spec/template/spec/containers/*",
                      "/spec/jobTemplate/spec/template/spec/initContainers/*"], id="containers-of-cronjob"),
        pytest.param("{containers}", "ConfigMap", [], id="containers-of-configmap"),
        pytest.param("{containers}", ["Pod"], [], id="unhashable-kind"),
        pytest.param("{pod}", {"k": "Pod"}, [], id="mapping-kind"),
        pytest.param("/a/{other}", "Pod", ["/a/{other}"], id="unknown-placeholder-kept"),
    ],
)
def test_expand(pattern: str, kind: Any, expected: list[str]) -> None:
    assert expand(pattern, kind) == expected


def test_every_pod_kind_expands_to_its_table_entry() -> None:
    assert {kind: expand("{pod}", kind) for kind in POD_SPEC} == {kind: [spec] for kind, spec in POD_SPEC.items()}


def test_expand_returns_a_fresh_list_each_call() -> None:
    first = expand("{containers}", "Pod")
    first.append("/mutated")
    assert expand("{containers}", "Pod") == ["/spec/containers/*", "/spec/initContainers/*"]


DATA = {
    "services": {"web": {"image": "nginx", "ports": ["80:80", "443:443"]}, "db": {"image": "postgres"}},
    "a/b": {"c~d": 1},
    "list": [{"name": "x"}, {"name": "y"}, "z"],
    "empty": {},
    "null": None,
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        pytest.param("", [("", DATA)], id="whole-document"),
        pytest.param("/services/web/image", [("/services/web/image", "nginx")], id="exact-path"),
        pytest.param("/services/*/image", [("/services/web/image", "nginx"), ("/services/db/image", "postgres")],
                     id="star-over-mapping-in-order"),
        pytest.param("/services/web/ports/*", [("/services/web/ports/0", "80:80"), ("/services/web/ports/1", "443:443")],
                     id="star-over-list"),
        pytest.param("/services/web/ports/1", [("/services/web/ports/1", "443:443")], id="list-index"),
        pytest.param("/services/web/ports/2", [], id="index-out-of-range"),
        pytest.param("/services/web/ports/-1", [], id="negative-index"),
        pytest.param("/services/web/image/x", [], id="step-into-a-scalar"),
        pytest.param("/services/missing/image", [], id="missing-key"),
        pytest.param("/a~1b/c~0d", [("/a~1b/c~0d", 1)], id="escaped-tokens"),
        pytest.param("/list/*/name", [("/list/0/name", "x"), ("/list/1/name", "y")], id="star-skips-non-mappings"),
        pytest.param("/empty/*", [], id="star-over-empty"),
        pytest.param("/null", [("/null", None)], id="null-value-is-selected"),
        pytest.param("/null/*", [], id="star-over-null"),
    ],
)
def test_select(pattern: str, expected: list[tuple[str, Any]]) -> None:
    assert list(select(DATA, pattern)) == expected


def test_double_star_matches_zero_or_more_levels_in_document_order() -> None:
    data = {"name": "top", "spec": {"name": "inner", "items": [{"name": "deep"}]}}
    assert list(select(data, "/**/name")) == [
        ("/name", "top"), ("/spec/name", "inner"), ("/spec/items/0/name", "deep"),
    ]


def test_double_star_alone_yields_every_node_once() -> None:
    data = {"a": [1, {"b": None}], "c": "x"}
    assert list(select(data, "/**")) == [
        ("", data), ("/a", [1, {"b": None}]), ("/a/0", 1), ("/a/1", {"b": None}), ("/a/1/b", None), ("/c", "x"),
    ]


def test_a_numeric_token_reads_a_mapping_key_named_by_digits() -> None:
    assert list(select({"0": "zero", "list": ["first"]}, "/0")) == [("/0", "zero")]


def test_star_names_non_string_keys_as_text() -> None:
    assert list(select({1: "one", None: "none"}, "/*")) == [("/1", "one"), ("/None", "none")]


def test_a_key_named_star_is_still_a_glob_step() -> None:
    """``/*`` is every key, not the key ``*``: a pointer to that key cannot be told from the glob."""
    assert list(select({"*": 1, "a": 2}, "/*")) == [("/*", 1), ("/a", 2)]


def test_select_yields_each_place_once() -> None:
    it = iter(select({"a": 1}, "/a"))
    assert next(it) == ("/a", 1)
    assert next(it, "done") == "done"


KEYS = st.text(alphabet="ab/~0", min_size=1, max_size=3)  # no "*": a key named so is a glob step
TREES = st.recursive(
    st.one_of(st.none(), st.integers(-3, 3), st.text(max_size=3)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)),
    max_leaves=15,
)


def _reordered(value: Any, reverse: bool) -> Any:
    if isinstance(value, dict):
        keys = sorted(value, reverse=reverse)
        return {k: _reordered(value[k], reverse) for k in keys}
    if isinstance(value, list):
        return [_reordered(v, reverse) for v in value]
    return value


@settings(database=None, max_examples=150, deadline=None)
@given(TREES)
def test_every_pointer_double_star_yields_resolves_to_its_value(data: Any) -> None:
    found = list(select(data, "/**"))
    assert len({p for p, _ in found}) == len(found)  # each node once
    for pointer, value in found:
        assert value_at(data, pointer) == value
        assert list(select(data, pointer)) == [(pointer, value)]  # a concrete pointer selects itself


@settings(database=None, max_examples=150, deadline=None)
@given(TREES, st.sampled_from(["/**", "/*", "/*/*", "/**/a", "/*/**"]))
def test_a_glob_selects_the_same_set_whatever_the_key_order(data: Any, pattern: str) -> None:
    forward = list(select(_reordered(data, False), pattern))
    backward = list(select(_reordered(data, True), pattern))
    assert len(forward) == len(backward)
    assert dict(forward) == dict(backward)


@pytest.mark.parametrize("pattern, found", [
    ("/args/1", [("/args/1", "b")]),
    ("/args/01", []),   # no leading zero (RFC 6901)
    ("/args/²", []),    # str.isdigit() is true for it; int() refuses it
    ("/args/٣", []),
    ("/args/-1", []),
    ("/args/*", [("/args/0", "a"), ("/args/1", "b")]),
], ids=repr)
def test_a_list_step_is_an_array_index(pattern: str, found: list[tuple[str, str]]) -> None:
    assert list(select({"args": ["a", "b"]}, pattern)) == found
