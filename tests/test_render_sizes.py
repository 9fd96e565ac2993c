"""The text sizes of values (trueup.render_sizes), known before the text is built."""
from __future__ import annotations

import json
from collections import namedtuple
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.utils import Namespace, htmlsafe_json_dumps
from markupsafe import Markup

from trueup.render_sizes import (
    SelfReference, estimate, int_digits, str_chunks_size, str_json_size, str_repr_size, text_size,
)

Pair = namedtuple("Pair", "first second")
TEXT = st.text(st.characters(), max_size=30) | st.sampled_from(["", "it's", 'a"b\'c', "\\", "\x00\n\t", "ß😀\u200b"])
SCALAR = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT
DATA = st.recursive(SCALAR, lambda kids: st.lists(kids, max_size=4) | st.tuples(kids) | st.tuples(kids, kids)
                    | st.dictionaries(TEXT | st.integers(), kids, max_size=4), max_leaves=30)


@settings(max_examples=200, deadline=None)
@given(DATA)
def test_the_estimate_is_the_length_of_repr_and_of_json(value: Any) -> None:
    assert estimate(value) == len(repr(value))
    assert text_size(value) == len(str(value))
    assert estimate(value, "json") == len(json.dumps(value))
    assert estimate(value, "json-unicode") == len(json.dumps(value, ensure_ascii=False))
    assert estimate(value, "json-html") == len(htmlsafe_json_dumps(value))


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_string_sizes(text: str) -> None:
    assert str_repr_size(text) == len(repr(text))
    assert str_json_size(text) == len(json.dumps(text))
    assert text_size(text) == len(text)
    for method in ("upper", "lower", "swapcase", "casefold"):
        assert str_chunks_size(text, method) == len(getattr(text, method)())
    for method in ("title", "capitalize"):
        assert str_chunks_size(text, method) >= len(getattr(text, method)())


def test_long_strings_are_measured_in_chunks() -> None:
    text = ("a'b\"ü\x00😀" * 2000)
    assert str_repr_size(text) == len(repr(text))
    assert str_json_size(text) == len(json.dumps(text))
    assert str_json_size(text, ensure_ascii=False) == len(json.dumps(text, ensure_ascii=False))
    assert str_chunks_size("ß" * 10_000, "upper") == 20_000


def test_shared_parts_count_as_often_as_they_are_written() -> None:
    inner = [0] * 100
    value = [[inner] * 100] * 10
    assert estimate(value) == len(repr(value)) == 302_020
    deep: Any = [0]
    for _ in range(200):  # 2 ** 200 zeros: measured in 200 steps
        deep = [deep, deep]
    assert estimate(deep) > 2 ** 200
    assert estimate(deep, "json") == estimate(deep)


@pytest.mark.parametrize("value", [
    Markup("<b>"), [Markup("x"), "y"], set(), {1, 2}, frozenset(), frozenset([3]), Pair(1, "x"), (1,),
    {"a": 1}.items(), {"a": [1]}.keys(), {"a": [1]}.values(), Namespace(a=[1, 2], b="x"), float("inf"), -10 ** 50,
    [None, True, False, 2.5e100], range(3), len,
], ids=["markup", "markup-in-list", "empty-set", "set", "empty-frozenset", "frozenset", "namedtuple", "one-tuple",
        "items", "keys", "values", "namespace", "inf", "big-int", "scalars", "range", "builtin"])
def test_the_estimate_of_other_values_is_their_repr(value: Any) -> None:
    assert estimate(value) == len(repr(value))


def test_json_estimates_of_number_keys_and_non_finite_numbers() -> None:
    value = {1: 2, None: 3, 1.5: float("nan"), "k": [float("-inf")], False: 0}
    assert estimate(value, "json") == len(json.dumps(value))
    assert estimate({"<a>": "&'"}, "json-html") == len(htmlsafe_json_dumps({"<a>": "&'"}))


def test_a_value_that_contains_itself_is_refused() -> None:
    ns = Namespace(a=1)
    ns["me"] = [ns]
    with pytest.raises(SelfReference) as caught:
        estimate(ns)
    assert str(caught.value) == "a value that contains itself cannot be written as text"


def test_text_size() -> None:
    assert text_size("abc") == 3
    assert text_size(Markup("<b>")) == 3
    assert text_size([1, "a"]) == len(str([1, "a"]))
    assert text_size(Namespace(a=1)) == len(str(Namespace(a=1)))


@pytest.mark.parametrize("n", [0, 7, -12345, 10 ** 100, -(10 ** 3000)])
def test_int_digits_of_writable_numbers(n: int) -> None:
    assert int_digits(n) == len(str(n))


def test_int_digits_of_numbers_too_long_to_write() -> None:
    # From the bits, an upper bound: str() would refuse them anyway (more than 4300 digits).
    assert int_digits(10 ** 5000) == 5002
    assert int_digits(-(2 ** 100_000)) == 30_105  # str() would be 30,104 characters
