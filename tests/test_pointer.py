"""RFC 6901 JSON Pointers (trueup.pointer): escaping, splitting, joining and resolving."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.pointer import (
    array_index,
    escape_token,
    join_pointer,
    resolves,
    split_pointer,
    steps,
    unescape_token,
    value_at,
)

# RFC 6901 section 5's example document.
RFC = {"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4, "i\\j": 5, 'k"l': 6, " ": 7, "m~n": 8}


@pytest.mark.parametrize("token, escaped", [
    ("a/b", "a~1b"),
    ("m~n", "m~0n"),
    ("~1", "~01"),          # a literal "~1" must not read back as "/"
    ("/~", "~1~0"),
    ("", ""),
    ("plain", "plain"),
    ("ünï cödé ✓", "ünï cödé ✓"),
], ids=["slash", "tilde", "tilde-one-literal", "slash-tilde", "empty", "plain", "unicode"])
def test_escape_and_unescape_token(token: str, escaped: str) -> None:
    assert escape_token(token) == escaped
    assert unescape_token(escaped) == token


def test_unescape_replaces_tilde_one_before_tilde_zero() -> None:
    # "~01" is "~" followed by "1", not "/" (RFC 6901 section 4: ~1 first, then ~0).
    assert unescape_token("~01") == "~1"
    assert unescape_token("~0~1") == "~/"


@pytest.mark.parametrize("pointer, tokens", [
    ("", []),
    ("/", [""]),
    ("//", ["", ""]),
    ("/foo/0", ["foo", "0"]),
    ("/a~1b", ["a/b"]),
    ("/m~0n", ["m~n"]),
    ("/ ", [" "]),
    ("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration",
     ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]),
], ids=["whole-document", "empty-key", "two-empty-keys", "index", "escaped-slash", "escaped-tilde", "space",
        "annotation"])
def test_split_and_join(pointer: str, tokens: list[str]) -> None:
    assert split_pointer(pointer) == tokens
    assert join_pointer(tokens) == pointer


def test_join_pointer_stringifies_indexes() -> None:
    assert join_pointer(["spec", "containers", 0, "env", 12]) == "/spec/containers/0/env/12"


@pytest.mark.parametrize("pointer, expected", [
    ("", RFC),
    ("/foo", ["bar", "baz"]),
    ("/foo/0", "bar"),
    ("/", 0),
    ("/a~1b", 1),
    ("/c%d", 2),
    ("/e^f", 3),
    ("/g|h", 4),
    ("/i\\j", 5),
    ('/k"l', 6),
    ("/ ", 7),
    ("/m~0n", 8),
], ids=["root", "foo", "foo-0", "empty", "a~1b", "percent", "caret", "pipe", "backslash", "quote", "space", "m~0n"])
def test_value_at_follows_rfc_6901_examples(pointer: str, expected: Any) -> None:
    assert value_at(RFC, pointer) == expected
    assert resolves(RFC, pointer) is True


@pytest.mark.parametrize("pointer, resolved", [
    ("/foo/2", ["foo"]),          # past the end of the list
    ("/foo/-", ["foo"]),          # "-" (the append position) names no value
    ("/foo/x", ["foo"]),
    ("/nope/deeper", []),
    ("/foo/0/deeper", ["foo", "0"]),  # a string has no members
], ids=["index-past-end", "dash", "non-numeric-index", "missing-key", "through-a-scalar"])
def test_unresolved_pointers(pointer: str, resolved: list[str]) -> None:
    assert [token for _, token in steps(RFC, pointer)] == resolved
    assert resolves(RFC, pointer) is False
    assert value_at(RFC, pointer) is None


@pytest.mark.parametrize("token, index", [
    ("0", 0),
    ("1", 1),
    ("10", 10),
    ("123456789012345678901234567890", 123456789012345678901234567890),
    ("01", None),           # RFC 6901: no leading zero, so /01 is not /1
    ("00", None),
    ("-1", None),
    ("+1", None),
    (" 1", None),
    ("1 ", None),
    ("1_0", None),
    ("", None),
    ("-", None),
    ("²", None),            # str.isdigit() is true, int() refuses it
    ("1²", None),
    ("٣", None),            # ARABIC-INDIC DIGIT THREE: int() would read it as 3
    ("３", None),           # FULLWIDTH DIGIT THREE
], ids=repr)
def test_array_index(token: str, index: int | None) -> None:
    assert array_index(token) == index


@pytest.mark.parametrize("token, length, index", [
    ("2", 3, 2), ("3", 3, None), ("0", 0, None), ("0", 1, 0),
], ids=["last", "past-end", "empty-list", "first"])
def test_array_index_below_a_length(token: str, length: int, index: int | None) -> None:
    assert array_index(token, length) == index


@pytest.mark.parametrize("pointer, value, resolved", [
    ("/0", 1, ["0"]),
    ("/2", 3, ["2"]),
    ("/²", None, []),
    ("/٣", None, []),
    ("/01", None, []),
    ("/00", None, []),
    ("/-1", None, []),
    ("/1/x", None, ["1"]),
], ids=repr)
def test_only_rfc_6901_array_indexes_resolve_in_a_list(pointer: str, value: Any, resolved: list[str]) -> None:
    data = [1, 2, 3]
    assert value_at(data, pointer) == value
    assert [token for _, token in steps(data, pointer)] == resolved
    assert resolves(data, pointer) is (value is not None)


def test_a_null_value_at_the_end_still_resolves() -> None:
    data = {"spec": {"replicas": None}}
    assert resolves(data, "/spec/replicas") is True
    assert value_at(data, "/spec/replicas") is None
    assert resolves(data, "/spec/replicas/x") is False


def test_steps_name_each_container_in_order() -> None:
    data = {"spec": {"containers": [{"name": "api"}]}}
    path = steps(data, "/spec/containers/0/name")
    assert [token for _, token in path] == ["spec", "containers", "0", "name"]
    assert path[0][0] is data
    assert path[2][0] is data["spec"]["containers"]
    assert path[3][0] == {"name": "api"}


def test_a_numeric_token_is_a_key_in_a_mapping() -> None:
    assert value_at({"0": "zero"}, "/0") == "zero"
    assert value_at({0: "int key"}, "/0") is None  # pointers name string keys only


TOKENS = st.lists(st.text(max_size=6), max_size=5)


@settings(max_examples=200, deadline=None)
@given(TOKENS)
def test_split_undoes_join(tokens: list[str]) -> None:
    assert split_pointer(join_pointer(tokens)) == tokens


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_unescape_undoes_escape(token: str) -> None:
    escaped = escape_token(token)
    assert "/" not in escaped
    assert unescape_token(escaped) == token


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=6), min_size=1, max_size=5),
       st.integers())
def test_value_at_finds_what_was_put_at_a_joined_pointer(keys: list[str], leaf: int) -> None:
    data: Any = leaf
    for key in reversed(keys):
        data = {key: data}
    assert value_at(data, join_pointer(keys)) == leaf
    assert len(steps(data, join_pointer(keys))) == len(keys)
