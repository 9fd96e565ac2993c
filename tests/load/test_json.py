"""JSON loader: data by the stdlib, positions and duplicate keys by a small scanner."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.errors import ParseError
from trueup.load import Limits
from trueup.load.json_ import Locator, parse

TEXT = """{
  "name": "api",
  "spec": {
    "ports": [80, {"port": 443, "name": "tls"}],
    "a/b": {"c~d": true}
  },
  "empty": {},
  "list": [[1, 2], []]
}
"""


@pytest.mark.parametrize(
    "pointer, position",
    [
        ("", (1, 1)), ("/name", (2, 3)), ("/spec", (3, 3)), ("/spec/ports/0", (4, 15)),
        ("/spec/ports/1/name", (4, 33)), ("/spec/a~1b/c~0d", (5, 13)), ("/list/1", (8, 20)),
        ("/spec/ports/9", (4, 5)), ("/missing", (1, 1)),
    ],
)
def test_positions(pointer: str, position: tuple[int, int]) -> None:
    assert Locator(TEXT).position(0, pointer) == position


def test_duplicate_keys_found_with_lines() -> None:
    parsed = parse('{"a": 1,\n "b": {"x": 1, "x": 2},\n "a": 3}', "d.json")
    assert parsed.documents == [{"a": 3, "b": {"x": 2}}]
    assert [(d.pointer, d.line, d.column) for d in parsed.duplicates] == [("/b/x", 2, 16), ("/a", 3, 2)]


def test_errors_have_line_and_column() -> None:
    with pytest.raises(ParseError) as caught:
        parse('{\n  "a": 1\n  "b": 2\n}', "e.json")
    assert (caught.value.line, caught.value.column) == (3, 3)
    assert caught.value.cause.startswith("invalid JSON: Expecting ',' delimiter")


def test_depth_limit() -> None:
    with pytest.raises(ParseError, match="nesting deeper than 5 levels"):
        parse("[[[[[[1]]]]]]", "e.json", Limits(max_depth=5))
    assert parse("[[[[1]]]]", "e.json", Limits(max_depth=5)).documents == [[[[[1]]]]]


@settings(max_examples=150, deadline=None)
@given(st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=25,
))
def test_every_pointer_is_located_at_its_own_token(data) -> None:
    text = json.dumps(data, indent=1)
    lines = text.splitlines()
    locator = Locator(text)

    def walk(value, pointer):
        yield pointer, value
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, child in items:
            yield from walk(child, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")

    for pointer, value in walk(data, ""):
        line, column = locator.position(0, pointer)
        at = lines[line - 1][column - 1 :]
        if pointer and isinstance(data, dict) and pointer.count("/") == 1:
            assert at.startswith(json.dumps(pointer[1:].replace("~1", "/").replace("~0", "~")))
        elif pointer == "":
            assert at.startswith(text[0])
