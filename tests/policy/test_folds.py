"""policy/folds.py: null keys left out, capability names and compose ``${VAR}`` put in their runtime form."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.model import Document, Source
from trueup.policy.folds import FOLDS, capability, without_nulls


def _doc(variables: dict[str, str] | None) -> Document:
    return Document(data={}, source=Source(file="compose.yaml", name="compose.yaml", text="", format="yaml"),
                    kind="compose", variables=variables)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param({"a": None, "b": 1}, {"b": 1}, id="null-key-left-out"),
        pytest.param({"resources": {"limits": None, "requests": {"cpu": "1"}}},
                     {"resources": {"requests": {"cpu": "1"}}}, id="nested-null-key"),
        pytest.param([{"a": None}, 1, None], [{}, 1, None], id="list-items-kept-null-keys-of-items-dropped"),
        pytest.param({"a": [{"b": None, "c": 2}]}, {"a": [{"c": 2}]}, id="mapping-in-list-in-mapping"),
        pytest.param({"a": None}, {}, id="only-null"),
        pytest.param(None, None, id="bare-null"),
        pytest.param("text", "text", id="scalar"),
        pytest.param([], [], id="empty-list"),
    ],
)
def test_without_nulls(value: Any, expected: Any) -> None:
    assert without_nulls(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"a": 1, "b": "x"}, id="flat-mapping"),
        pytest.param({"a": {"b": [1, {"c": 2}]}}, id="nested"),
        pytest.param([1, [2, {"a": 3}]], id="nested-list"),
        pytest.param([None, None], id="list-of-nulls"),
    ],
)
def test_without_nulls_returns_the_same_object_when_nothing_is_left_out(value: Any) -> None:
    assert without_nulls(value) is value


def test_without_nulls_does_not_change_its_argument() -> None:
    value = {"a": None, "b": {"c": None, "d": [1]}}
    out = without_nulls(value)
    assert value == {"a": None, "b": {"c": None, "d": [1]}}
    assert out == {"b": {"d": [1]}}
    assert out["b"]["d"] is value["b"]["d"]  # untouched parts are shared, not copied


JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.text(max_size=2)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=2), inner, max_size=3)),
    max_leaves=12,
)


def _null_keys(value: Any) -> int:
    if isinstance(value, dict):
        return sum(v is None for v in value.values()) + sum(_null_keys(v) for v in value.values())
    if isinstance(value, list):
        return sum(_null_keys(v) for v in value)
    return 0


@settings(database=None, max_examples=200, deadline=None)
@given(JSON)
def test_without_nulls_is_idempotent_and_leaves_no_null_key(value: Any) -> None:
    once = without_nulls(value)
    assert _null_keys(once) == 0
    assert without_nulls(once) is once
    assert (once is value) == (_null_keys(value) == 0)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("NET_ADMIN", "NET_ADMIN", id="canonical"),
        pytest.param("nEt_aDmIn", "NET_ADMIN", id="mixed-case"),
        pytest.param("CAP_NET_ADMIN", "NET_ADMIN", id="cap-prefix"),
        pytest.param("cap_sys_time", "SYS_TIME", id="lower-cap-prefix"),
        pytest.param("  all ", "ALL", id="spaces-and-all"),
        pytest.param("CAPNET", "CAPNET", id="no-underscore-no-prefix"),
        pytest.param("CAP_", "", id="prefix-only"),
    ],
)
def test_capability(name: str, expected: str) -> None:
    assert capability(name) == expected


@pytest.mark.parametrize(
    ("value", "pointer", "expected"),
    [
        pytest.param("cap_net_raw", "/services/web/cap_add/0", "NET_RAW", id="compose-cap-add-item"),
        pytest.param("all", "/services/web/cap_drop/3", "ALL", id="compose-cap-drop-item"),
        pytest.param("sys_admin", "/spec/containers/0/securityContext/capabilities/add/1", "SYS_ADMIN",
                     id="k8s-add-item"),
        pytest.param("cap_net_raw", "/services/web/image", "cap_net_raw", id="string-elsewhere-untouched"),
        pytest.param("cap_net_raw", "/services/web/cap_add", "cap_net_raw", id="not-an-item-pointer"),
        pytest.param(["cap_x", "y"], "/services/web/cap_drop", ["X", "Y"], id="the-list-itself"),
        pytest.param(["cap_x"], "/services/web/labels", ["cap_x"], id="other-list-untouched"),
        pytest.param({"cap_add": ["cap_a", 7], "x": {"cap_drop": ["b"]}}, "/services/web",
                     {"cap_add": ["A", 7], "x": {"cap_drop": ["B"]}}, id="service-mapping-non-strings-kept"),
        pytest.param({"securityContext": {"capabilities": {"add": ["net_admin"], "drop": "all", "other": ["x"]}}},
                     "/spec/containers/0",
                     {"securityContext": {"capabilities": {"add": ["NET_ADMIN"], "drop": "all", "other": ["x"]}}},
                     id="container-drop-not-a-list-kept"),
        pytest.param({"capabilities": ["net_admin"]}, "/spec/containers/0", {"capabilities": ["net_admin"]},
                     id="capabilities-a-list-not-a-mapping"),
        pytest.param({"cap_add": "net_admin"}, "/services/web", {"cap_add": "net_admin"}, id="cap-add-a-string"),
    ],
)
def test_capabilities_fold(value: Any, pointer: str, expected: Any) -> None:
    assert FOLDS["capabilities"](value, pointer, None) == expected


def test_capabilities_fold_returns_the_same_object_when_already_canonical() -> None:
    value = {"securityContext": {"capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]}}, "image": "x"}
    assert FOLDS["capabilities"](value, "/spec/containers/0", None) is value


@pytest.mark.parametrize(
    ("value", "variables", "expected"),
    [
        pytest.param("nginx:${TAG}", {"TAG": "latest"}, "nginx:latest", id="from-dotenv"),
        pytest.param("nginx:$TAG", {"TAG": "1.27"}, "nginx:1.27", id="bare-dollar"),
        pytest.param("nginx:${TAG:-stable}", {}, "nginx:stable", id="default-when-unset"),
        pytest.param("nginx:${TAG:-stable}", {"TAG": ""}, "nginx:stable", id="colon-default-when-empty"),
        pytest.param("nginx:${TAG-stable}", {"TAG": ""}, "nginx:", id="plain-default-keeps-empty"),
        pytest.param("nginx:${TAG}", {}, "nginx:${TAG}", id="unresolved-stays-as-written"),
        pytest.param("nginx:${TAG}", None, "nginx:${TAG}", id="no-variables-at-all"),
        pytest.param("$$HOME", {"HOME": "/root"}, "$HOME", id="escaped-dollar"),
        pytest.param("${", {}, "${", id="invalid-template-kept"),
        pytest.param({"image": "${IMG}", "ports": ["${P}:80", 443], "n": None},
                     {"IMG": "redis:7", "P": "8080"},
                     {"image": "redis:7", "ports": ["8080:80", 443], "n": None}, id="nested-values"),
        pytest.param({"${KEY}": "x"}, {"KEY": "k"}, {"${KEY}": "x"}, id="keys-are-never-interpolated"),
        pytest.param(5, {"X": "y"}, 5, id="number"),
    ],
)
def test_interpolate_fold(value: Any, variables: dict[str, str] | None, expected: Any) -> None:
    assert FOLDS["interpolate"](value, "/services/web", _doc(variables)) == expected


def test_interpolate_fold_without_a_document_resolves_only_defaults() -> None:
    assert FOLDS["interpolate"]("${A:-a}-${B}", "/services/web", None) == "a-${B}"


def test_interpolate_fold_returns_the_same_object_when_nothing_resolves() -> None:
    value = {"image": "nginx:1.27", "ports": ["80:80"]}
    assert FOLDS["interpolate"](value, "/services/web", _doc({"TAG": "x"})) is value


def test_the_fold_names_rule_packs_may_use() -> None:
    assert sorted(FOLDS) == ["capabilities", "interpolate"]
