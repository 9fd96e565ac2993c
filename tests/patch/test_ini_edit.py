"""patch/ini_edit.py: INI edits line by line, continuation lines replaced whole, new keys and sections placed."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.load.ini import parse
from trueup.patch.ini_edit import edit_ini
from trueup.patch.ops import NotSurgical, Op, apply_ops


def _data(text: str) -> Any:
    documents = parse(text, "x.ini").documents
    return documents[0] if documents and documents[0] is not None else {}


CASES = [
    ("; app\n[server]\nport = 8080 ; c\nhost: db\n", [Op("set", "/server/port", "9090")],
     "; app\n[server]\nport = 9090\nhost: db\n"),  # (``; c`` after a value is part of the value)
    ("[s]\nhost: db  \n", [Op("set", "/s/host", "x")], "[s]\nhost: x  \n"),
    ("[s]\nk = 1\n\n[t]\nx=2\n", [Op("add", "/s/new", "v")], "[s]\nk = 1\nnew = v\n\n[t]\nx=2\n"),
    ("[s]\nk=1\n", [Op("add", "/s/new", "v")], "[s]\nk=1\nnew=v\n"),
    ("[s]\nk: 1\n", [Op("add", "/s/new", "v")], "[s]\nk: 1\nnew: v\n"),
    ("[s]\n    k = 1\n", [Op("add", "/s/j", "2")], "[s]\n    k = 1\n    j = 2\n"),
    ("[s]\n", [Op("add", "/s/new", "v")], "[s]\nnew = v\n"),
    ("[s]\nk = 1\n", [Op("add", "/t", {"a": "1", "b": "x"})], "[s]\nk = 1\n\n[t]\na = 1\nb = x\n"),
    ("[s]\nk = 1", [Op("add", "/t", {"a": "1"})], "[s]\nk = 1\n\n[t]\na = 1\n"),
    ("[s]\r\nk = 1\r\n", [Op("add", "/t", {"a": "1"}), Op("set", "/s/k", "2")], "[s]\r\nk = 2\r\n\r\n[t]\r\na = 1\r\n"),
    ("[s]\nk = 1\n", [Op("add", "/t a", {"a": "1"})], "[s]\nk = 1\n\n[t a]\na = 1\n"),
    ("k = 1\n", [Op("add", "/s", {"a": "1"})], "k = 1\n\n[s]\na = 1\n"),
    ("", [Op("add", "/s", {"a": "1"})], "[s]\na = 1\n"),
    ("[s]\nk = 1\n[t]\na=1\n", [Op("remove", "/s")], "[t]\na=1\n"),
    ("[s]\nk = 1\n[t]\na=1\n", [Op("remove", "/t/a")], "[s]\nk = 1\n[t]\n"),
    ("[s]\nk = 1\n  cont\nz = 2\n", [Op("set", "/s/k", "one")], "[s]\nk = one\nz = 2\n"),
    ("[s]\nk = 1\n  cont\nz = 2\n", [Op("set", "/s/k", "a\nb\nc")], "[s]\nk = a\n  b\n  c\nz = 2\n"),
    ("[s]\nk = 1\nz = 2\n", [Op("set", "/s/k", "a\nb")], "[s]\nk = a\n    b\nz = 2\n"),
    ("[s]\r\nk = 1\r\nz = 2\r\n", [Op("set", "/s/k", "a\nb")], "[s]\r\nk = a\r\n    b\r\nz = 2\r\n"),
    ("[s]\nk = 1\n  cont\nz = 2\n", [Op("remove", "/s/k")], "[s]\nz = 2\n"),
    ("[s]\nk =\n", [Op("set", "/s/k", "v")], "[s]\nk = v\n"),
    ("[s]\nk=\n", [Op("set", "/s/k", "v")], "[s]\nk=v\n"),
    ("[s]\nk = 1\n", [Op("set", "/s", {"k": "1", "j": "2"})], "[s]\nk = 1\nj = 2\n"),
    ("[s]\nk = 1\nm = 3\n", [Op("set", "/s", {"k": "5"})], "[s]\nk = 5\n"),
    ("top = 1\n[s]\nk = 1\n", [Op("add", "/new", "x")], "top = 1\nnew = x\n[s]\nk = 1\n"),
    ("top = 1\n; about s\n[s]\nk = 1\n", [Op("add", "/new", "x")], "top = 1\nnew = x\n; about s\n[s]\nk = 1\n"),
    ("; about s\n[s]\nk = 1\n", [Op("add", "/new", "x")], "new = x\n; about s\n[s]\nk = 1\n"),
    ("[s]\nk = 1\n", [Op("set", "/s/k", True)], "[s]\nk = true\n"),
    ("[s]\nk = 1\n", [Op("set", "/s/k", "é ü")], "[s]\nk = é ü\n"),
    ("[s]\nk = 1\nk = 2\n", [Op("set", "/s/k", "3")], "[s]\nk = 1\nk = 3\n"),
    ("[s]\nk = 1 \n", [Op("set", "/s/k", "2")], "[s]\nk = 2 \n"),
    ("[s]\nk = 1", [Op("set", "/s/k", "2")], "[s]\nk = 2"),
    ("[s]\nk = 1\n", [], "[s]\nk = 1\n"),
]
IDS = ["inline-semicolon-is-value", "colon-trailing-space", "add-before-blank", "add-tight", "add-colon",
       "add-indented", "add-to-empty-section", "new-section", "new-section-no-newline", "crlf", "section-with-space",
       "section-after-top-level", "section-in-empty-file", "remove-section", "remove-key", "continuation-to-one",
       "continuation-to-three", "one-to-continuation", "crlf-continuation", "remove-continuation", "empty-spaced",
       "empty-tight", "section-set-adds", "section-set-removes", "top-level-add", "top-level-before-comment",
       "top-level-first", "bool", "unicode", "repeated-last-wins", "trailing-space-kept", "no-final-newline",
       "no-ops"]


@pytest.mark.parametrize("text, ops, expected", CASES, ids=IDS)
def test_edit_ini(text: str, ops: list[Op], expected: str) -> None:
    assert edit_ini(text, ops) == expected


def test_edit_ini_uses_the_given_line_ending_for_new_lines() -> None:
    assert edit_ini("[s]\nk = 1", [Op("add", "/s/j", "2")], nl="\r\n") == "[s]\nk = 1\r\nj = 2\r\n"


@pytest.mark.parametrize("text, op, words", [
    ("[s]\nk = 1\n", Op("set", "/missing/k", "2"), "/missing/k: its section is not in the file"),
    ("[s]\nk = 1\n", Op("set", "/s/k", "one\n\nblank"), "/s/k: the value has no INI form"),
    ("[s]\nk = 1\n", Op("set", "/s/k", " padded"), "/s/k: the value has no INI form"),
    ("[s]\nk = 1\n", Op("set", "/s/k", "a\n#c"), "/s/k: the value has no INI form"),
    ("[s]\nk = 1\n", Op("set", "/s/k", None), "/s/k: an INI value is a string"),
    ("[s]\nk = 1\n", Op("set", "/s/k", ["x"]), "/s/k: an INI value is a string"),
    ("[s]\nk = 1\n", Op("set", "/s", "x"), "/s: would turn a section into a key or a key into a section"),
    ("k = 1\n", Op("set", "/k", {"a": "1"}), "/k: would turn a section into a key or a key into a section"),
    ("[s]\nk = 1\n", Op("add", "/s/a=b", "x"), "/s/a=b: not an INI key name"),
    ("[s]\nk = 1\n", Op("add", "/s/a:b", "x"), "/s/a:b: not an INI key name"),
    ("[s]\nk = 1\n", Op("add", "/s/;c", "x"), "/s/;c: not an INI key name"),
    ("[s]\nk = 1\n", Op("add", "/s/ k", "x"), "/s/ k: not an INI key name"),
    ("[s]\nk = 1\n", Op("add", "/t\nu", {"a": "1"}), "/t\nu: not an INI section name"),
    ("[s]\nk = 1\n", Op("set", "/a/b/c", "x"), "/a/b/c: no such place in an INI file"),
    ("[s]\nk = 1\n", Op("set", "", "x"), ": no such place in an INI file"),
    ("[s]\nk = 1\n", Op("remove", "/s/zz"), "/s/zz: not in the file"),
    ("[s]\nk = 1\n", Op("add", "/t", {"a": ["x"]}), "/t/a: an INI value is a string"),
    ("[s\nk = 1\n", Op("set", "/s/k", "2"), "the file does not parse"),
], ids=["no-section", "blank-line", "padded", "comment-line", "null", "list", "section-to-key", "key-to-section",
        "equals-in-key", "colon-in-key", "comment-key", "padded-key", "newline-section", "too-deep", "root",
        "remove-missing", "list-in-new-section", "unparsable"])
def test_edit_ini_refuses(text: str, op: Op, words: str) -> None:
    with pytest.raises(NotSurgical) as caught:
        edit_ini(text, [op])
    assert str(caught.value) == words


NAME = st.from_regex(r"[a-z][a-z0-9_.]{0,5}", fullmatch=True)
VALUE = st.from_regex(r"[A-Za-z0-9/é ;#]{0,8}", fullmatch=True).map(str.strip)
SEP = st.sampled_from([" = ", "=", ": ", " : "])


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(NAME, st.dictionaries(NAME, VALUE, max_size=4), min_size=1, max_size=3), SEP,
       st.sampled_from(["\n", "\r\n"]), st.booleans(), NAME, VALUE, st.data())
def test_an_edit_reads_back_as_meant_and_leaves_every_other_value(sections: dict, sep: str, nl: str, final: bool,
                                                                  new: str, value: str, data: st.DataObject) -> None:
    lines: list[str] = []
    for name, keys in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{key}{sep}{item}".rstrip() for key, item in keys.items()]
        lines.append("")
    text = nl.join(lines).rstrip("\r\n") + (nl if final else "")
    before = _data(text)
    assert before == sections
    section = data.draw(st.sampled_from(sorted(sections)))
    keys = sorted(sections[section])
    choices = [Op("add", f"/{section}/{new}", value)] if new not in keys else []
    choices += [Op("set", f"/{section}/{key}", value) for key in keys] + [Op("remove", f"/{section}/{key}") for key in keys]
    choices += [Op("remove", f"/{section}")]
    op = data.draw(st.sampled_from(choices))
    out = edit_ini(text, [op])
    assert _data(out) == apply_ops(before, [op])
    if op.op == "set":  # a one-line swap: the same number of lines, one of them different
        assert len(out.split(nl)) == len(text.split(nl))
        assert sum(a != b for a, b in zip(out.split(nl), text.split(nl))) <= 1
    assert edit_ini(text, []) == text
