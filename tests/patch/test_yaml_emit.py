"""patch/yaml_emit.py: YAML text for values trueup writes, read back exactly as meant, in the file's style."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.load import load_text
from trueup.load.yaml_compose import iter_nodes
from trueup.patch.ops import NotSurgical, same_data
from trueup.patch.yaml_emit import (after_dash, after_key, dump, flow_text, key_text, plain_ok, scalar_text,
                                    sequences_indented, top_level)


def _read(text: str) -> Any:
    return load_text(text, file="x.yaml", name="x.yaml", fmt="yaml").documents[0].data


@pytest.mark.parametrize("value, plain, plain_in_flow", [
    ("plain", True, True), ("é", True, True), ("x#y", True, True), ("a,b", True, False), ("a[0]", True, False),
    ("yes", False, False), ("0o17", False, False), ("1e3", False, False), ("null", False, False),
    ("~", False, False), ("", False, False), (" pad", False, False), ("a: b", False, False),
    ("-x", False, False), ("x #y", False, False), ("a:", False, False), ("*ref", False, False),
    ("two\nlines", False, False), ("'q'", False, False),
], ids=["word", "unicode", "hash-inside", "comma", "bracket", "yaml11-bool", "octal", "float", "null", "tilde",
        "empty", "padded", "colon-space", "dash", "space-hash", "colon-end", "alias", "newline", "quote"])
def test_plain_ok(value: str, plain: bool, plain_in_flow: bool) -> None:
    assert (plain_ok(value), plain_ok(value, flow=True)) == (plain, plain_in_flow)


@pytest.mark.parametrize("value, style, flow, text", [
    (None, None, False, "null"), (True, "'", False, "true"), (False, None, False, "false"), (3, '"', False, "3"),
    (1.5, None, False, "1.5"), (-0.0, None, False, "-0.0"),
    ("plain", None, False, "plain"), ("plain", "'", False, "'plain'"), ("plain", '"', False, '"plain"'),
    ("yes", None, False, '"yes"'), ("it's", "'", False, "'it''s'"), ("tab\there", "'", False, '"tab\\there"'),
    ('say "hi"', '"', False, '"say \\"hi\\""'), ('say "hi"', None, False, 'say "hi"'), ("é ü", None, False, "é ü"), ("a,b", None, True, '"a,b"'),
    ("a,b", None, False, "a,b"), ("8080", None, False, '"8080"'),
    (float("inf"), None, False, ".inf"), (float("-inf"), "'", False, "-.inf"), (float("nan"), None, True, ".nan"),
    (1e20, None, False, "1.0e+20"), (-2.5e-07, None, False, "-2.5e-07"), ("inf", None, False, "inf"),
    (".nan", None, False, '".nan"'),
], ids=["null", "true", "false", "int", "float", "negative-zero", "plain", "single", "double", "bool-word",
        "single-quote-doubled", "unprintable-in-single", "double-quotes-escaped", "double-quotes-plain", "unicode", "comma-in-flow",
        "comma-in-block", "numeric-string", "infinity", "negative-infinity", "nan", "exponent", "small-exponent",
        "inf-as-a-string", "dot-nan-as-a-string"])
def test_scalar_text(value: Any, style: str | None, flow: bool, text: str) -> None:
    assert scalar_text(value, style, flow) == text
    assert same_data(_read(f"k: {text}\n")["k"], value)


@pytest.mark.parametrize("value", ["two\nlines", [1], {"a": 1}], ids=["multi-line", "list", "dict"])
def test_scalar_text_refuses_what_is_not_a_one_line_scalar(value: Any) -> None:
    with pytest.raises(NotSurgical, match="not a one-line scalar"):
        scalar_text(value, None)


@pytest.mark.parametrize("key, text", [("name", "name"), ("a b", "a b"), ("on", '"on"'), ("1", '"1"'),
                                       ("a: b", '"a: b"'), ("ключ", "ключ"), ("", '""')],
                         ids=["plain", "space", "yaml11-bool", "number", "colon", "unicode", "empty"])
def test_key_text(key: str, text: str) -> None:
    assert key_text(key) == text
    assert _read(f"{text}: 1\n") == {key: 1}


@pytest.mark.parametrize("value, text", [
    ({"a": 1, "b": ["x", "y"]}, "{a: 1, b: [x, 'y']}"), ([], "[]"), ({}, "{}"), ("yes", "'yes'"),
    (["a b", "c"], "[a b, c]"),
], ids=["nested", "empty-list", "empty-map", "scalar", "spaces"])
def test_flow_text(value: Any, text: str) -> None:
    assert flow_text(value) == text
    assert _read(f"k: {text}\n")["k"] == value


@pytest.mark.parametrize("value, column, indented, text", [
    (1, 0, False, ": 1"),
    ({"a": [1, 2]}, 2, False, ":\n    a:\n    - 1\n    - 2"),
    ({"a": [1, 2]}, 2, True, ":\n    a:\n      - 1\n      - 2"),
    ("l1\nl2", 2, False, ": |-\n    l1\n    l2"),
    ("l1\n\nl2\n", 0, False, ": |\n  l1\n\n  l2"),
    ([], 0, False, ": []"),
    ("no", 4, False, ": 'no'"),
], ids=["scalar", "block", "indented-seq", "literal", "literal-blank-line", "empty-list", "quoted"])
def test_after_key(value: Any, column: int, indented: bool, text: str) -> None:
    assert after_key(value, column, indented) == text
    assert _read(" " * column + "k" + text + "\n") == {"k": value}


@pytest.mark.parametrize("value, column, indented, text", [
    ({"a": 1, "b": 2}, 2, False, "a: 1\n    b: 2"),
    ("x", 0, False, "x"),
    ([1], 2, True, "- 1"),
    ({"l": ["p", "q"]}, 0, True, "l:\n    - p\n    - q"),
], ids=["mapping", "scalar", "nested-list", "indented-seq-in-map"])
def test_after_dash(value: Any, column: int, indented: bool, text: str) -> None:
    assert after_dash(value, column, indented) == text
    assert _read("k:\n" + " " * column + "- " + text + "\n") == {"k": [value]}


@pytest.mark.parametrize("value, indented, text", [
    ({"a": [1]}, True, "a:\n  - 1"), ({"a": [1]}, False, "a:\n- 1"), ("s", False, "s"), (5, False, "5"),
    ("true", False, "'true'"),
], ids=["indented", "indentless", "string", "int", "bool-string"])
def test_top_level(value: Any, indented: bool, text: str) -> None:
    assert top_level(value, indented) == text
    assert same_data(_read(text + "\n"), value)


def test_dump_quotes_yaml11_words_and_keeps_order_and_unicode() -> None:
    assert dump({"z": ["yes"], "a": "é"}, False) == "z:\n- 'yes'\na: é\n"
    assert dump({"z": ["yes"], "a": "é"}, True) == "z:\n  - 'yes'\na: é\n"
    assert dump({"a": [1]}, False, flow=True) == "{a: [1]}\n"


def test_dump_never_writes_anchors_for_shared_values() -> None:
    shared = {"x": 1}
    assert dump({"a": shared, "b": shared}, False) == "a:\n  x: 1\nb:\n  x: 1\n"


@pytest.mark.parametrize("text, indented", [
    ("a:\n- 1\n", False), ("a:\n  - 1\n", True), ("x: [1]\n", False), ("- a:\n  - 1\n", False),
    ("a: {}\nb:\n    - 1\n", True), ("a: 1\n", False), ("a: []\nb:\n  - 1\n", True),
], ids=["indentless", "indented", "flow-only", "in-list", "deep", "none", "empty-then-block"])
def test_sequences_indented(text: str, indented: bool) -> None:
    assert sequences_indented(list(iter_nodes(text, ""))[0]) is indented


PRINTABLE = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12)


@settings(max_examples=200, deadline=None)
@given(PRINTABLE, st.sampled_from([None, "'", '"']), st.booleans())
def test_every_one_line_string_reads_back_as_itself(value: str, style: str | None, flow: bool) -> None:
    text = scalar_text(value, style, flow)
    assert "\n" not in text
    wrapped = f"k: [{text}]\n" if flow else f"k: {text}\n"
    assert _read(wrapped)["k"] == ([value] if flow else value)


@settings(max_examples=200, deadline=None)
@given(st.floats(), st.sampled_from([None, "'", '"']), st.booleans())
def test_every_float_reads_back_as_itself(value: float, style: str | None, flow: bool) -> None:
    text = scalar_text(value, style, flow)
    assert same_data(_read(f"k: [{text}]\n" if flow else f"k: {text}\n")["k"], [value] if flow else value)


VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**9, 10**9), st.floats(), PRINTABLE),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(PRINTABLE.filter(bool), inner, max_size=3)),
    max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(VALUES, st.integers(0, 6), st.booleans())
def test_after_key_reads_back_as_the_value(value: Any, column: int, indented: bool) -> None:
    assert same_data(_read(" " * column + "k" + after_key(value, column, indented) + "\n"), {"k": value})
