"""patch/ops.py: edits as data, their order, and what a document reads as once they are made."""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.patch.ops import NotSurgical, Op, apply_ops, make, ordered, outermost, same_data, unshared
from trueup.pointer import escape_token, value_at


def test_op_defaults_and_is_frozen() -> None:
    op = Op("remove", "/a")
    assert (op.op, op.pointer, op.value) == ("remove", "/a", None)
    with pytest.raises(AttributeError):
        op.value = 1  # type: ignore[misc]


def test_not_surgical_is_an_exception_with_its_message() -> None:
    assert issubclass(NotSurgical, Exception)
    assert str(NotSurgical("/a: why")) == "/a: why"


def test_ordered_puts_sets_then_adds_then_removals_from_the_highest_index() -> None:
    ops = [Op("remove", "/a/1"), Op("add", "/b", 1), Op("remove", "/a/3"), Op("set", "/c", 2),
           Op("remove", "/z"), Op("add", "/a/-", 5), Op("set", "/d", 3), Op("remove", "/a/10")]
    assert ordered(ops) == [Op("set", "/c", 2), Op("set", "/d", 3), Op("add", "/b", 1), Op("add", "/a/-", 5),
                            Op("remove", "/a/10"), Op("remove", "/a/3"), Op("remove", "/a/1"), Op("remove", "/z")]


def test_ordered_removals_of_keys_go_by_pointer_and_input_is_left_alone() -> None:
    ops = [Op("remove", "/m/y"), Op("remove", "/m/x"), Op("remove", "")]
    before = list(ops)
    assert ordered(ops) == [Op("remove", ""), Op("remove", "/m/x"), Op("remove", "/m/y")]
    assert ops == before


@pytest.mark.parametrize("ops, expected", [
    ([Op("set", "/a", {}), Op("set", "/a/b", 1), Op("add", "/ab", 1), Op("remove", "/a/c")],
     [Op("set", "/a", {}), Op("add", "/ab", 1)]),
    ([Op("add", "/a", {}), Op("set", "/a/b", 1)], [Op("add", "/a", {}), Op("set", "/a/b", 1)]),
    ([Op("set", "", {}), Op("set", "/x", 1)], [Op("set", "", {})]),
    ([Op("set", "/a/b/c", 1), Op("set", "/a", 2)], [Op("set", "/a", 2)]),
    ([Op("set", "/a~1b", 1), Op("set", "/a~1b/c", 2), Op("set", "/a/x", 3)], [Op("set", "/a~1b", 1), Op("set", "/a/x", 3)]),
    ([], []),
], ids=["under-a-set", "add-is-not-whole", "root-set", "deep", "escaped-slash", "empty"])
def test_outermost_drops_ops_inside_a_value_set_whole(ops: list[Op], expected: list[Op]) -> None:
    assert outermost(ops) == expected


def test_apply_ops_returns_a_copy_with_the_ops_made() -> None:
    data = {"a": [1, 2], "b": {"c": 1}}
    out = apply_ops(data, [Op("add", "/a/-", 3), Op("remove", "/b/c"), Op("set", "/x", None), Op("set", "/a/0", 9)])
    assert out == {"a": [9, 2, 3], "b": {}, "x": None}
    assert data == {"a": [1, 2], "b": {"c": 1}}


def test_apply_ops_removes_list_items_from_the_end_whatever_their_order() -> None:
    assert apply_ops(["a", "b", "c", "d"], [Op("remove", "/1"), Op("remove", "/3")]) == ["a", "c"]


def test_apply_ops_values_are_copied_not_shared() -> None:
    value = {"k": [1]}
    out = apply_ops({}, [Op("set", "/x", value)])
    value["k"].append(2)
    assert out == {"x": {"k": [1]}}


def test_apply_ops_replaces_the_whole_document() -> None:
    assert apply_ops({"a": 1}, [Op("set", "", [1])]) == [1]


@pytest.mark.parametrize("data, op, error, words", [
    ({"a": 1}, Op("remove", ""), KeyError, "cannot remove the whole document"),
    ({"a": 1}, Op("set", "/a/b", 1), TypeError, "/a/b: its parent is not a collection"),
    ({"a": [1]}, Op("set", "/a/5", 1), IndexError, "out of range"),
    ({"a": 1}, Op("remove", "/b"), KeyError, "b"),
    ({"a": 1}, Op("set", "/x/y", 1), KeyError, "x"),
], ids=["whole", "scalar-parent", "index", "missing-key", "missing-parent"])
def test_apply_ops_refuses_an_op_that_does_not_fit(data: Any, op: Op, error: type, words: str) -> None:
    with pytest.raises(error) as caught:
        apply_ops(data, [op])
    assert words in str(caught.value)


def test_make_uses_the_given_store_for_sets_and_adds_only() -> None:
    calls: list[tuple] = []
    root = {"m": {"k": 1}, "l": [1]}
    make(root, Op("set", "/m/k", 2), lambda parent, key, value: calls.append((key, value)))
    make(root, Op("add", "/m/n", 3), lambda parent, key, value: calls.append((key, value)))
    make(root, Op("remove", "/m/k"), lambda parent, key, value: calls.append(("never",)))
    make(root, Op("add", "/l/-", 4), lambda parent, key, value: calls.append(("never",)))
    assert calls == [("k", 2), ("n", 3)]
    assert root == {"m": {}, "l": [1, 4]}


def test_make_reaches_through_lists_and_escaped_keys() -> None:
    root = {"a/b": [{"~x": 1}]}
    make(root, Op("set", "/a~1b/0/~0x", 2))
    assert root == {"a/b": [{"~x": 2}]}


def test_unshared_breaks_aliasing_that_deepcopy_keeps() -> None:
    inner = [1]
    data = {"a": inner, "b": inner, "c": {"d": inner}}
    kept = copy.deepcopy(data)
    assert kept["a"] is kept["b"]
    out = unshared(data)
    assert out == data
    assert out["a"] is not out["b"] and out["a"] is not out["c"]["d"] and out["a"] is not inner


def test_apply_ops_on_aliased_data_edits_one_place() -> None:
    inner = {"x": 1}
    assert apply_ops({"a": inner, "b": inner}, [Op("set", "/a/x", 2)]) == {"a": {"x": 2}, "b": {"x": 1}}


@pytest.mark.parametrize("a, b, same", [
    (1, True, False), (True, 1, False), (1, 1.0, False), (0, False, False), (float("nan"), float("nan"), True),
    (float("nan"), 1.0, False), ({"a": 1}, {"a": 1}, True), ({"a": 1, "b": 2}, {"b": 2, "a": 1}, True),
    ([1], [1, 2], False), ([1, 2], [2, 1], False), ({"a": [1, True]}, {"a": [1, 1]}, False),
    ({"a": 1}, {"a": 1, "b": None}, False), (None, None, True), ("1", 1, False), ("é", "é", True),
    ([], {}, False),
], ids=["int-bool", "bool-int", "int-float", "zero-false", "nan", "nan-number", "dict", "dict-order",
        "list-len", "list-order", "nested-bool", "extra-key", "none", "str-int", "unicode", "list-dict"])
def test_same_data_tells_types_apart(a: Any, b: Any, same: bool) -> None:
    assert same_data(a, b) is same


KEYS = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=5)
LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=5))
TREES = st.recursive(LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
                     max_leaves=12)


def _places(value: Any, pointer: str = "") -> list[str]:
    out = [pointer] if pointer else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += _places(item, f"{pointer}/{escape_token(key)}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _places(item, f"{pointer}/{index}")
    return out


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(KEYS, TREES, max_size=5))
def test_no_ops_give_an_equal_copy(data: dict) -> None:
    out = apply_ops(data, [])
    assert same_data(out, data)
    assert json.dumps(out) == json.dumps(data)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(KEYS, TREES, min_size=1, max_size=5), LEAVES, st.data())
def test_a_set_reads_back_and_leaves_every_other_place_alone(data: dict, value: Any, draw: st.DataObject) -> None:
    pointer = draw.draw(st.sampled_from(_places(data)))
    before = copy.deepcopy(data)
    out = apply_ops(data, [Op("set", pointer, value)])
    assert same_data(value_at(out, pointer), value)
    assert same_data(data, before)
    for other in _places(before):
        if not (other == pointer or other.startswith(pointer + "/") or pointer.startswith(other + "/")):
            assert same_data(value_at(out, other), value_at(before, other))
