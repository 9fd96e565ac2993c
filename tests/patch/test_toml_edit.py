"""patch/toml_edit.py: TOML edits, a one-line swap where it can, tomlkit where it must, comments kept."""
from __future__ import annotations

from typing import Any

import pytest
import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.load.toml_ import parse
from trueup.patch.ops import NotSurgical, Op, apply_ops, same_data
from trueup.patch.toml_edit import edit_toml
from trueup.pointer import escape_token


def _data(text: str) -> Any:
    return parse(text, "x.toml").documents[0] or {}


CASES = [
    ('title = "t"\n\n[server]\nport = 8080  # p\nopts = [1,2]\n', [Op("set", "/server/port", 9090), Op("set", "/title", "new")],
     'title = "new"\n\n[server]\nport = 9090  # p\nopts = [1,2]\n'),
    ("a = 'x'  # c\n", [Op("set", "/a", 'it"s')], 'a = "it\\"s"  # c\n'),
    ("a = 1\n", [Op("set", "/a", "é\x7f")], 'a = "é\\u007f"\n'),
    ("a = 1\n", [Op("set", "/a", True)], "a = true\n"),
    ("a = 1\n", [Op("set", "/a", 1.5)], "a = 1.5\n"),
    ("a = 1  # c\n", [Op("set", "/a", float("inf"))], "a = inf  # c\n"),
    ("a = 1\n", [Op("set", "/a", float("-inf"))], "a = -inf\n"),
    ("a = nan\n", [Op("set", "/a", 2.0)], "a = 2.0\n"),
    ("a = [1.0]\n", [Op("add", "/a/-", float("nan"))], "a = [1.0, nan]\n"),
    ("a = 1\n", [Op("add", "/b", float("nan"))], "a = 1\nb = nan\n"),
    ("a = 1979-05-27\n", [Op("set", "/a", "x")], 'a = "x"\n'),
    ("a = 1\r\nb = 2\r\n", [Op("set", "/a", 3)], "a = 3\r\nb = 2\r\n"),
    ("a = 1\r\nb = 2\r\n", [Op("add", "/c", {"x": 1})], "a = 1\r\nb = 2\r\n\r\n[c]\r\nx = 1\r\n"),
    ("a = 1\r\nb = 2\r\n", [Op("remove", "/a")], "b = 2\r\n"),
    ("a = 1", [Op("set", "/a", 2)], "a = 2"),
    ("a = 1", [Op("add", "/c", 2)], "a = 1\nc = 2\n"),
    ("a = 1\nb = 2", [Op("remove", "/a")], "b = 2"),
    ("a = [1, 2]\n", [Op("set", "/a", [1, 2, 3])], "a = [1, 2, 3]\n"),
    ("a = [1, 2]  # c\n", [Op("add", "/a/-", 3)], "a = [1, 2, 3]  # c\n"),
    ("[s]\nx = 1  # keep\ny = 2\n", [Op("set", "/s", {"x": 1, "z": 3})], "[s]\nx = 1  # keep\nz = 3\n"),
    ('a = """\nl1\nl2"""\n', [Op("set", "/a", "m1\nm2")], 'a = """\nm1\nm2"""\n'),
    ('a = """l1\nl2"""\n', [Op("set", "/a", "m1\nm2")], 'a = """m1\nm2"""\n'),
    ('a = """l1"""\n', [Op("set", "/a", "m")], 'a = "m"\n'),
    ("a = [\n 1,\n]\n", [Op("set", "/a/0", 5)], "a = [\n 5,\n]\n"),
    ("a = {x = 1}\n", [Op("set", "/a/x", 5)], "a = {x = 5}\n"),
    ("[[t]]\nn = 1\n[[t]]\nn = 2\n", [Op("set", "/t/1/n", 5)], "[[t]]\nn = 1\n[[t]]\nn = 5\n"),
    ("[[t]]\nn = 1\n", [Op("add", "/t/-", {"n": 3})], "[[t]]\nn = 1\n[[t]]\nn = 3\n"),
    ('"a.b" = 1\n', [Op("set", "/a.b", 2)], '"a.b" = 2\n'),
    ("a.b = 1\n", [Op("set", "/a/b", 2)], "a.b = 2\n"),
    ("a = 1\n", [Op("add", "/k y", 2)], 'a = 1\n"k y" = 2\n'),
    ('a = 1\n', [Op("add", "/a~1b", "ü")], 'a = 1\n"a/b" = "ü"\n'),
    ("# head\n[s]\nk = 'v'  # why\n", [Op("remove", "/s/k")], "# head\n[s]\n"),
    ("a = 1\n", [], "a = 1\n"),
]
IDS = ["two-swaps", "literal-to-basic", "del-escaped", "bool", "float", "infinity", "negative-infinity",
       "nan-to-a-number", "nan-appended", "nan-added", "date-to-string", "crlf-swap", "crlf-table",
       "crlf-remove", "no-final-newline-swap", "no-final-newline-add", "no-final-newline-remove", "list-extended",
       "append-keeps-comment", "table-by-keys", "multi-line-opening-newline", "multi-line", "multi-line-to-one",
       "multi-line-array-item", "inline-table", "array-of-tables", "append-table", "quoted-dotted-key", "dotted-key",
       "key-needs-quotes", "escaped-pointer-unicode", "remove-with-comment", "no-ops"]


@pytest.mark.parametrize("text, ops, expected", CASES, ids=IDS)
def test_edit_toml(text: str, ops: list[Op], expected: str) -> None:
    assert edit_toml(text, ops) == expected
    assert same_data(_data(expected), apply_ops(_data(text), ops))


@pytest.mark.parametrize("text, op, words", [
    ("a = 1\n", Op("set", "/a", None), "/a: TOML has no null"),
    ("a = 1\n", Op("add", "/b", {"x": [None]}), "/b: TOML has no null"),
    ("a = 1\n", Op("remove", ""), "cannot replace or remove the whole document"),
    ("a = 1\n", Op("set", "", {"b": 1}), "cannot replace or remove the whole document"),
    ("a = [1\n", Op("set", "/a", 2), "the TOML text does not parse"),
    ("a = 1\n", Op("set", "/b/c", 2), "/b/c: tomlkit cannot make this edit"),
    ("a = 1\n", Op("remove", "/zz"), "/zz: tomlkit cannot make this edit"),
], ids=["null", "nested-null", "remove-root", "set-root", "unparsable", "missing-parent", "remove-missing"])
def test_edit_toml_refuses(text: str, op: Op, words: str) -> None:
    with pytest.raises(NotSurgical) as caught:
        edit_toml(text, [op])
    assert str(caught.value) == words


NAME = st.from_regex(r"[a-z][a-z0-9_-]{0,5}", fullmatch=True)
LEAF = st.one_of(st.booleans(), st.integers(-10**6, 10**6), st.floats(),
                 st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=6))
VALUE = st.one_of(LEAF, st.lists(st.integers(0, 9), max_size=3))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(NAME, VALUE, max_size=3), st.dictionaries(NAME, st.dictionaries(NAME, VALUE, max_size=3), max_size=2),
       st.sampled_from(["\n", "\r\n"]), LEAF, NAME, st.data())
def test_an_edit_reads_back_as_meant(top: dict, tables: dict, nl: str, value: Any, new: str, draw: st.DataObject) -> None:
    data = {**top, **{name: table for name, table in tables.items() if name not in top}}
    text = tomlkit.dumps(data).replace("\n", nl)
    assert same_data(_data(text), data)
    choices: list[Op] = []
    for name, item in data.items():
        pointer = "/" + escape_token(name)
        choices += [Op("set", pointer, value), Op("remove", pointer)]
        if isinstance(item, dict):
            choices += [Op("set", f"{pointer}/{key}", value) for key in item]
            choices += [Op("add", f"{pointer}/{new}", value)] if new not in item else []
        if isinstance(item, list):
            choices.append(Op("add", f"{pointer}/-", 7))
    if new not in data:
        choices.append(Op("add", f"/{new}", value))
    op = draw.draw(st.sampled_from(choices))
    out = edit_toml(text, [op])
    assert same_data(_data(out), apply_ops(data, [op]))
    if "\r\n" in text:  # (an empty file has no line ending to keep)
        assert "\n" not in out.replace("\r\n", "")
    assert edit_toml(text, []) == text
