"""patch/yaml_edit.py: YAML edits that touch only what drifted, every other byte (comments, quoting, layout) kept."""
from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.load import load_text
from trueup.patch.ops import Op, apply_ops, same_data
from trueup.patch.yaml_edit import NotSurgical, edit_document
from trueup.patch.yaml_emit import dump, plain_ok
from trueup.pointer import value_at


def _documents(text: str) -> list[Any]:
    return [doc.data for doc in load_text(text, file="x.yaml", name="x.yaml", fmt="yaml").documents]


def _edit(text: str, ops: list[Op], index: int = 0, base: str = "") -> str:
    data = value_at(_documents(text)[index], base)
    target = apply_ops(data, ops)
    out = edit_document(text, index, base, ops, target)
    assert same_data(value_at(_documents(out)[index], base), target)
    return out


CASES = [
    ("a: 1  # c\nb: 'x'\n", [Op("set", "/a", 2), Op("set", "/b", "y")], "a: 2  # c\nb: 'y'\n"),
    ("a: 'it''s'\n", [Op("set", "/a", "it's x")], "a: 'it''s x'\n"),
    ("a: 'x'\n", [Op("set", "/a", "tab\there")], 'a: "tab\\there"\n'),
    ('a: "x"\n', [Op("set", "/a", 'é"')], 'a: "é\\""\n'),
    ("a: x\n", [Op("set", "/a", "yes")], 'a: "yes"\n'),
    ("a: x\n", [Op("set", "/a", "é")], "a: é\n"),
    ("a: 1\n", [Op("set", "/a", "1")], 'a: "1"\n'),
    ("a: x\n", [Op("set", "/a", "two\nlines")], "a: |-\n  two\n  lines\n"),
    ("a: |\n  l1\n  l2\nb: 1\n", [Op("set", "/a", "n1\nn2\n")], "a: |\n  n1\n  n2\nb: 1\n"),
    ("a: >\n  folded\n", [Op("set", "/a", "new")], "a: new\n"),
    ("a: 1\r\nb: 2\r\n", [Op("set", "/a", 3), Op("add", "/c", {"d": 1})], "a: 3\r\nb: 2\r\nc:\r\n  d: 1\r\n"),
    ("a: 1", [Op("set", "/a", 2)], "a: 2"),
    ("a: 1", [Op("add", "/b", 2)], "a: 1\nb: 2\n"),
    ("a:\n  - x\n  - y\n", [Op("add", "/a/-", "z")], "a:\n  - x\n  - y\n  - z\n"),
    ("a:\n- x\n", [Op("add", "/a/-", {"k": "v", "j": 1})], "a:\n- x\n- k: v\n  j: 1\n"),
    ('a:\n  - "x"\n', [Op("add", "/a/-", "z")], 'a:\n  - "x"\n  - "z"\n'),
    ("a:\n  b:\n    c: 1\n", [Op("set", "/a/b/c", 2), Op("add", "/a/b/d", 3)], "a:\n  b:\n    c: 2\n    d: 3\n"),
    ('"k y": 1\n', [Op("add", "/k:z", 2)], '"k y": 1\nk:z: 2\n'),
    ("a: 1\n", [Op("add", "/on", 2)], 'a: 1\n"on": 2\n'),
    ("a: 1\n", [Op("add", "/a b~1c", "ü")], "a: 1\na b/c: ü\n"),
    ("a:\n  b: 1  # gone\n  c: 2  # kept\nd: 3\n", [Op("remove", "/a/b")], "a:\n  c: 2  # kept\nd: 3\n"),
    ("a:\n  b: 1\nd: 3\n", [Op("remove", "/a/b")], "a: {}\nd: 3\n"),
    ("l:\n  - a\n  - b\n  - c\n", [Op("remove", "/l/0"), Op("remove", "/l/2")], "l:\n  - b\n"),
    ("a:\n  - 1\n", [Op("remove", "/a/0")], "a: []\n"),
    ("a: [1, 2]  # flow\n", [Op("set", "/a/0", 5)], "a: [5, 2]  # flow\n"),
    ("a: [1, 2]\n", [Op("add", "/a/-", 3)], "a: [1, 2, 3]\n"),
    ("a: [x, y]\n", [Op("set", "/a/0", "p,q")], 'a: ["p,q", y]\n'),
    ("a: {x: 1}\n", [Op("add", "/a/y", 2)], "a: {x: 1, 'y': 2}\n"),
    ("a: 1\n", [Op("set", "/a", {"b": [1, 2]})], "a:\n  b:\n  - 1\n  - 2\n"),
    ("l:\n  - x\na: 1\n", [Op("set", "/a", {"b": [1, 2]})], "l:\n  - x\na:\n  b:\n    - 1\n    - 2\n"),
    ("a: 1\nb: 2\n", [Op("set", "", {"z": 1})], "z: 1\n"),
    ("a: &x 1\nb: *x\n", [Op("set", "/b", 2)], "a: &x 1\nb: 2\n"),
    ("base: &b\n  x: 1\nother: *b\n", [Op("set", "/other/x", 2)], "base: &b\n  x: 1\nother:\n  x: 2\n"),
    ("x: &a [1]\ny: *a\n", [Op("add", "/y/-", 2)], "x: &a [1]\ny:\n- 1\n- 2\n"),
    ("b:\n- null\n", [Op("add", "/a", None), Op("add", "/b/-", None)], "b:\n- null\n- null\na: null\n"),
    ("a: 1\n", [], "a: 1\n"),
]
IDS = ["swap-keeps-comment-and-quotes", "single-quote-doubled", "single-cannot-say-tab", "double-escapes", "bool-word",
       "unicode", "number-to-string", "one-line-to-literal", "literal-stays-literal", "folded-to-plain", "crlf",
       "no-final-newline-swap", "no-final-newline-add", "append-indented", "append-mapping-indentless",
       "append-quoted-like-sibling", "nested", "key-with-colon", "key-needs-quotes", "key-escaped-pointer",
       "remove-with-its-comment", "remove-last-key", "remove-two-items", "remove-only-item", "flow-swap",
       "flow-append", "flow-needs-quotes", "flow-mapping-add", "type-change", "type-change-indented-file",
       "whole-document", "alias-scalar", "alias-mapping", "alias-flow-list", "indentless-list-then-key", "no-ops"]


@pytest.mark.parametrize("text, ops, expected", CASES, ids=IDS)
def test_edit_document(text: str, ops: list[Op], expected: str) -> None:
    assert _edit(text, ops) == expected


def test_only_the_indexed_document_of_a_stream_is_edited() -> None:
    text = "a: 1  # one\n---\nb: 2  # keep\n---\nb: 2\n"
    assert _edit(text, [Op("set", "/b", 3)], index=1) == "a: 1  # one\n---\nb: 3  # keep\n---\nb: 2\n"


@pytest.mark.parametrize("text, ops, expected", [
    ("kind: List\nitems:\n- name: a\n  v: 1\n- name: b\n  v: 2\n", [Op("set", "/v", 3)],
     "kind: List\nitems:\n- name: a\n  v: 1\n- name: b\n  v: 3\n"),
    ("kind: List\nitems: [{name: a}, {name: b}]\n", [Op("set", "/name", "c")], "kind: List\nitems: [{name: a}, {name: c}]\n"),
    ("kind: List\nitems:\n- name: a\n- name: b\n", [Op("remove", "/name")], "kind: List\nitems:\n- name: a\n- {}\n"),
], ids=["block-item", "flow-item", "last-key-of-item"])
def test_pointers_are_into_the_object_at_base(text: str, ops: list[Op], expected: str) -> None:
    assert _edit(text, ops, base="/items/1") == expected


@pytest.mark.parametrize("text, index, base, ops, words", [
    ("a: 1\n", 3, "", [Op("set", "/a", 2)], "no such document"),
    ("", 0, "", [Op("set", "/a", 1)], "no such document"),
    ("a: x\n", 0, "", [Op("set", "/nope/x", 1)], "/nope/x: not in the file as written (merged or missing)"),
    ("a: [x]\n", 0, "", [Op("set", "/a/7", 1)], "/a/7: no such place in the file"),
    ("a: 1\n", 0, "", [Op("set", "/a/x", 1)], "/a/x: no such place in the file"),
    ("kind: List\nitems: [{name: a, x: 1}, {name: b, x: 2}]\n", 0, "/items/1", [Op("remove", "/x")],
     "/items/1: the object cannot be rewritten in place"),
], ids=["no-document", "empty-stream", "missing-key", "missing-item", "scalar-parent", "flow-item-outside-base"])
def test_edit_document_refuses(text: str, index: int, base: str, ops: list[Op], words: str) -> None:
    with pytest.raises(NotSurgical) as caught:
        edit_document(text, index, base, ops, {})
    assert str(caught.value) == words


KEY = st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True)
LEAF = st.one_of(st.none(), st.booleans(), st.integers(-999, 999), st.floats(),
                 st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=8))
BLOCK = st.recursive(LEAF, lambda inner: st.one_of(st.lists(inner, min_size=1, max_size=3),
                                                   st.dictionaries(KEY, inner, min_size=1, max_size=3)), max_leaves=8)


def _places(value: Any, pointer: str = "") -> list[tuple[str, Any]]:
    out = [(pointer, value)] if pointer else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += _places(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _places(item, f"{pointer}/{index}")
    return out


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(KEY, BLOCK, min_size=1, max_size=4), st.booleans(), st.booleans(), LEAF, KEY, st.data())
def test_an_edit_reads_back_and_only_its_lines_change(data: dict, indented: bool, crlf: bool, value: Any, new: str,
                                                      draw: st.DataObject) -> None:
    text = "# head comment\n" + dump(data, indented)
    text = text.replace("\n", "\r\n") if crlf else text
    assert same_data(_documents(text)[0], data)
    choices: list[Op] = []
    for pointer, item in _places(data):
        choices += [Op("set", pointer, value), Op("remove", pointer)]
        if isinstance(item, dict) and new not in item:
            choices.append(Op("add", f"{pointer}/{new}", value))
        if isinstance(item, list):
            choices.append(Op("add", f"{pointer}/-", value))
    op = draw.draw(st.sampled_from(choices))
    out = _edit(text, [op])
    assert out.startswith("# head comment\r\n" if crlf else "# head comment\n")
    if crlf:
        assert "\n" not in out.replace("\r\n", "")
    old_scalar = not isinstance(value_at(data, op.pointer), (dict, list)) if op.op == "set" else False
    if old_scalar and (not isinstance(value, str) or plain_ok(value)):  # a one-line swap: one line changes
        assert sum(a != b for a, b in zip(out.splitlines(), text.splitlines())) <= 1
        assert len(out.splitlines()) == len(text.splitlines())
    assert edit_document(text, 0, "", [], data) == text


def test_the_whole_document_edit_reads_back_with_yaml_too() -> None:
    out = _edit("# c\nname: x\n", [Op("set", "/name", "no")])
    assert (out, yaml.safe_load(out)) == ('# c\nname: "no"\n', {"name": "no"})
