"""drift.compare: same_scalar, and the Walker with plain Rules and with each Rules hook overridden."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.drift.compare import Difference, Ignored, KeyFunc, Rules, Shape, Walker, same_scalar


def walk(desired: Any, live: Any, rules: Rules | None = None) -> list[tuple]:
    """Each difference as (class, kind, desired pointer, live pointer, desired, live[, reason])."""
    out = []
    for diff in Walker(rules or Rules()).run(desired, live):
        row = (type(diff).__name__, diff.kind, diff.desired_path, diff.live_path, diff.desired, diff.live)
        out.append(row + ((diff.reason,) if isinstance(diff, Ignored) else ()))
    return out


# ------------------------------------------------------------------ same_scalar


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (1, 1, True), (1, 1.0, True), (0, -0.0, True), ("8080", 8080, False), (True, 1, False), (1, True, False),
        (False, 0, False), (True, True, True), (False, False, True), (True, False, False), (None, None, True),
        (None, "", False), (None, 0, False), ("", "", True), ("a", "A", False), ("1.0", 1.0, False),
        (1.5, 1.5, True), (2, 3, False), (float("nan"), float("nan"), True), (float("nan"), -float("nan"), True),
        (float("nan"), 1.0, False), (float("nan"), float("inf"), False), (float("inf"), float("inf"), True),
        (float("-inf"), float("inf"), False), (float("nan"), "nan", False), (float("nan"), None, False),
    ],
    ids=lambda v: repr(v),
)
def test_same_scalar(a: Any, b: Any, expected: bool) -> None:
    assert same_scalar(a, b) is expected
    assert same_scalar(b, a) is expected


# ------------------------------------------------------------------ plain structural walk


@pytest.mark.parametrize(
    ("desired", "live", "expected"),
    [
        ({}, {}, []),
        (None, None, []),
        ({"a": 1}, {"a": 1.0}, []),
        ({"a": 1}, {"a": "1"}, [("Difference", "changed", "/a", "/a", 1, "1")]),
        ({"a": True}, {"a": 1}, [("Difference", "changed", "/a", "/a", True, 1)]),
        ({"a": 1}, {}, [("Difference", "missing", "/a", "/a", 1, None)]),
        ({}, {"a": None}, [("Difference", "extra", "/a", "/a", None, None)]),
        ({"a": None}, {}, [("Difference", "missing", "/a", "/a", None, None)]),
        ({}, [], [("Difference", "changed", "", "", {}, [])]),
        ({"a": {"b": 1}}, {"a": [1]}, [("Difference", "changed", "/a", "/a", {"b": 1}, [1])]),
        ({"a": "x"}, {"a": {"x": 1}}, [("Difference", "changed", "/a", "/a", "x", {"x": 1})]),
        ({"a/b": {"~c": 1}}, {"a/b": {"~c": 2}}, [("Difference", "changed", "/a~1b/~0c", "/a~1b/~0c", 1, 2)]),
        ({"": 1}, {"": 2}, [("Difference", "changed", "/", "/", 1, 2)]),
        ([1, 2, 3], [1, 2, 3], []),
        ([1, 2, 3], [1, 3], [("Difference", "changed", "/1", "/1", 2, 3), ("Difference", "missing", "/2", "/2", 3, None)]),
        ([1], [1, 2, 3], [("Difference", "extra", "/1", "/1", None, 2), ("Difference", "extra", "/2", "/2", None, 3)]),
        ([], [], []),
        ([[1, 2]], [[2, 1]], [("Difference", "changed", "/0/0", "/0/0", 1, 2), ("Difference", "changed", "/0/1", "/0/1", 2, 1)]),
        (1, 2, [("Difference", "changed", "", "", 1, 2)]),
    ],
    ids=["empty-maps", "nulls", "int-float", "string-vs-int", "bool-vs-int", "missing", "extra-null", "missing-null",
         "map-vs-list", "map-vs-list-below", "scalar-vs-map", "pointer-escaping", "empty-key", "equal-lists",
         "positional-list-shorter", "positional-list-longer", "empty-lists", "nested-lists", "root-scalars"],
)
def test_plain_walk(desired: Any, live: Any, expected: list) -> None:
    assert walk(desired, live) == expected


def test_walker_run_returns_its_out_list_and_keeps_appending() -> None:
    walker = Walker(Rules())
    first = walker.run({"a": 1}, {"a": 2})
    assert walker.run({"b": 1}, {}) is first
    assert [(d.kind, d.desired_path) for d in first] == [("changed", "/a"), ("missing", "/b")]


def test_difference_defaults() -> None:
    assert Difference("missing", "/a", "/a") == Difference("missing", "/a", "/a", None, None)
    assert Ignored("extra", "/a", "/a").reason == ""


# ------------------------------------------------------------------ each hook


class Hooks(Rules):
    """Rules answering from tables, recording the shapes each hook is asked about."""

    def __init__(self, **answers: Any) -> None:
        self.answers = answers
        self.asked: list[tuple[str, Shape]] = []

    def skip(self, shape: Shape) -> bool:
        self.asked.append(("skip", shape))
        return shape in self.answers.get("skip", ())

    def live_default(self, shape: Shape, value: Any, live_parent: dict, desired_parent: dict) -> bool:
        return shape in self.answers.get("live_default", ())

    def absent_ok(self, shape: Shape, value: Any) -> bool:
        return shape in self.answers.get("absent_ok", ())

    def written(self, shape: Shape, value: Any) -> str | None:
        return self.answers.get("written", {}).get(shape)

    def written_item(self, shape: Shape, item: Any) -> str | None:
        return self.answers.get("written_item", {}).get((shape, repr(item)))

    def descend(self, shape: Shape) -> bool:
        return shape in self.answers.get("descend", ())

    def list_key(self, shape: Shape, items: list) -> KeyFunc | None:
        return self.answers.get("list_key", {}).get(shape)

    def equal(self, shape: Shape, desired: Any, live: Any) -> bool | None:
        return self.answers.get("equal", {}).get(shape)


def test_skip_leaves_a_field_out_on_both_sides() -> None:
    rules = Hooks(skip={("status",), ("a", "b")})
    assert walk({"status": 1, "a": {"b": 1, "c": 1}}, {"status": 2, "a": {"b": 9, "c": 1}, "x": 1}, rules) == [
        ("Difference", "extra", "/x", "/x", None, 1)]
    assert ("skip", ("a", "b")) in rules.asked and ("skip", ("x",)) in rules.asked


def test_live_default_drops_a_live_only_field() -> None:
    rules = Hooks(live_default={("spec", "d")})
    assert walk({"spec": {}}, {"spec": {"d": 1, "e": 2}}, rules) == [("Difference", "extra", "/spec/e", "/spec/e", None, 2)]


def test_absent_ok_drops_a_desired_only_field() -> None:
    rules = Hooks(absent_ok={("a",)})
    assert walk({"a": 0, "b": 0}, {}, rules) == [("Difference", "missing", "/b", "/b", 0, None)]


def test_a_written_live_only_field_is_ignored_and_named() -> None:
    rules = Hooks(written={("meta", "rev"): "the controller"})
    assert walk({"meta": {}}, {"meta": {"rev": "3"}}, rules) == [
        ("Ignored", "extra", "/meta/rev", "/meta/rev", None, "3", "the controller")]
    # A field desired sets is compared, written or not.
    assert walk({"meta": {"rev": "2"}}, {"meta": {"rev": "3"}}, rules) == [
        ("Difference", "changed", "/meta/rev", "/meta/rev", "2", "3")]


def test_descend_compares_a_live_only_mapping_key_by_key() -> None:
    live = {"labels": {"by-tool": "x", "by-hand": "y"}}
    flat = Hooks(written={("labels", "by-tool"): "a tool"})
    assert walk({}, live, flat) == [("Difference", "extra", "/labels", "/labels", None, live["labels"])]
    deep = Hooks(written={("labels", "by-tool"): "a tool"}, descend={("labels",)})
    assert walk({}, live, deep) == [
        ("Ignored", "extra", "/labels/by-tool", "/labels/by-tool", None, "x", "a tool"),
        ("Difference", "extra", "/labels/by-hand", "/labels/by-hand", None, "y"),
    ]
    # An empty live-only mapping is reported whole even where one would descend.
    assert walk({}, {"labels": {}}, deep) == [("Difference", "extra", "/labels", "/labels", None, {})]


def test_a_live_only_list_every_item_of_which_is_written_is_ignored_item_by_item() -> None:
    rules = Hooks(written_item={(("fin",), "'a'"): "ctl-a", (("fin",), "'b'"): "ctl-b"})
    assert walk({}, {"fin": ["a", "b"]}, rules) == [
        ("Ignored", "extra", "/fin/0", "/fin/0", None, "a", "ctl-a"),
        ("Ignored", "extra", "/fin/1", "/fin/1", None, "b", "ctl-b"),
    ]
    assert walk({}, {"fin": ["a", "c"]}, rules) == [("Difference", "extra", "/fin", "/fin", None, ["a", "c"])]


def test_written_list_items_are_ignored_and_the_rest_pair_around_them() -> None:
    rules = Hooks(written_item={(("fin",), "'k8s'"): "the registry"})
    assert walk({"fin": ["mine"]}, {"fin": ["k8s", "mine"]}, rules) == [
        ("Ignored", "extra", "/fin/0", "/fin/0", None, "k8s", "the registry")]
    # Desired holding the written item compares it as any other.
    assert walk({"fin": ["k8s", "mine"]}, {"fin": ["k8s", "mine"]}, rules) == []
    # An extra item after a written one keeps its live index.
    assert walk({"fin": ["mine"]}, {"fin": ["k8s", "mine", "more"]}, rules) == [
        ("Ignored", "extra", "/fin/0", "/fin/0", None, "k8s", "the registry"),
        ("Difference", "extra", "/fin/2", "/fin/2", None, "more"),
    ]


def by_name(item: Any) -> Any:
    return item.get("name") if isinstance(item, dict) else item


def test_keyed_lists_pair_by_identity_with_each_side_keeping_its_own_index() -> None:
    rules = Hooks(list_key={("c",): by_name})
    desired = {"c": [{"name": "a", "v": 1}, {"name": "b", "v": 1}, {"name": "gone"}]}
    live = {"c": [{"name": "new"}, {"name": "b", "v": 2}, {"name": "a", "v": 1}]}
    assert walk(desired, live, rules) == [
        ("Difference", "changed", "/c/1/v", "/c/1/v", 1, 2),
        ("Difference", "missing", "/c/2", "/c/2", {"name": "gone"}, None),
        ("Difference", "extra", "/c/0", "/c/0", None, {"name": "new"}),
    ]


def test_keyed_list_items_sharing_a_key_pair_in_order() -> None:
    rules = Hooks(list_key={("p",): lambda item: item.get("port")})
    desired = {"p": [{"port": None, "x": 1}, {"port": None, "x": 2}]}
    live = {"p": [{"port": None, "x": 1}, {"port": None, "x": 3}, {"port": None, "x": 4}]}
    assert walk(desired, live, rules) == [
        ("Difference", "changed", "/p/1/x", "/p/1/x", 2, 3),
        ("Difference", "extra", "/p/2", "/p/2", None, {"port": None, "x": 4}),
    ]


def test_an_empty_desired_list_is_positional() -> None:
    rules = Hooks(list_key={("c",): by_name})
    assert walk({"c": []}, {"c": [{"name": "a"}]}, rules) == [("Difference", "extra", "/c/0", "/c/0", None, {"name": "a"})]


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [
        (True, []),
        (False, [("Difference", "changed", "/q", "/q", "1Gi", "1024Mi")]),
        (None, [("Difference", "changed", "/q", "/q", "1Gi", "1024Mi")]),
    ],
    ids=["equal-by-meaning", "different-by-meaning", "defer-to-structure"],
)
def test_equal_decides_before_the_structural_comparison(verdict: bool | None, expected: list) -> None:
    rules = Hooks(equal={("q",): verdict})
    assert walk({"q": "1Gi"}, {"q": "1024Mi"}, rules) == expected


def test_equal_false_reports_equal_containers_whole() -> None:
    rules = Hooks(equal={("m",): False})
    assert walk({"m": {"a": 1}}, {"m": {"a": 1}}, rules) == [("Difference", "changed", "/m", "/m", {"a": 1}, {"a": 1})]


def test_list_items_have_star_shapes() -> None:
    rules = Hooks(equal={("l", "*"): True})
    assert walk({"l": [1, 2]}, {"l": [3, 4]}, rules) == []


class Folded(Rules):
    """Keys pair case-insensitively (as INI options do)."""

    def key_fold(self, shape: Shape, key: str, value: Any) -> str:
        return key.lower()


def test_key_fold_pairs_keys_and_each_side_keeps_its_own_pointer() -> None:
    assert walk({"Port": 1, "Host": "a", "Only": 1}, {"port": 2, "HOST": "a", "extra": 3}, Folded()) == [
        ("Difference", "changed", "/Port", "/port", 1, 2),
        ("Difference", "missing", "/Only", "/Only", 1, None),
        ("Difference", "extra", "/extra", "/extra", None, 3),
    ]


def test_plain_rules_answer_nothing() -> None:
    rules = Rules()
    assert (rules.skip(("a",)), rules.live_default(("a",), 1, {}, {}), rules.absent_ok(("a",), 1),
            rules.written(("a",), 1), rules.written_item(("a",), 1), rules.descend(("a",)),
            rules.list_key(("a",), [1]), rules.equal(("a",), 1, 2), rules.key_fold(("a",), "K", 1)) == (
        False, False, False, None, None, False, None, None, "K")


# ------------------------------------------------------------------ invariants

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(), st.text(max_size=4))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner,
                                                                                        max_size=4), max_leaves=20)


@settings(max_examples=200, deadline=None, database=None)
@given(VALUES)
def test_a_value_against_a_copy_of_itself_has_no_differences(value: Any) -> None:
    assert walk(value, copy.deepcopy(value)) == []


@settings(max_examples=200, deadline=None, database=None)
@given(VALUES, VALUES)
def test_swapping_sides_swaps_missing_and_extra(desired: Any, live: Any) -> None:
    flip = {"changed": "changed", "missing": "extra", "extra": "missing"}
    forward = sorted((flip[k], dp, d, l) for _, k, dp, _, d, l in walk(desired, live))
    backward = sorted((k, dp, l, d) for _, k, dp, _, d, l in walk(live, desired))
    assert repr(forward) == repr(backward)
