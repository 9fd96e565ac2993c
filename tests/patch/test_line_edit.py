"""Edits of JSON, .env, INI and TOML text: exact texts, refusals, properties, and git apply end to end."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.load import load_text
from trueup.patch.line_edit import edit_text
from trueup.patch.ops import Op, apply_ops
from trueup.patch.ops import NotSurgical
from trueup.pointer import escape_token

def replace_values(text: str, fmt: str, edits: list) -> str:
    """Set ops for (pointer, value) pairs; .env and INI values as those formats read them back (strings)."""
    def as_read(value: Any) -> Any:
        if fmt not in ("dotenv", "ini") or isinstance(value, (dict, list)) or value is None:
            return value
        return "true" if value is True else "false" if value is False else str(value)

    ops = [Op("set", pointer, as_read(value)) for pointer, value in edits]
    try:
        target = apply_ops(_data(text, fmt), ops)
    except (KeyError, IndexError, TypeError):
        raise NotSurgical("not in the file") from None
    return edit_text(text, fmt, ops, target)


CASES = [
    ("json", '{\n  "port": 8080,\n  "name": "a" , "x": [1, 2]\n}\n', [("/port", 9090), ("/name", 'b"c'), ("/x/1", True)],
     '{\n  "port": 9090,\n  "name": "b\\"c" , "x": [1, true]\n}\n'),
    ("dotenv", "# env\nexport A=1\nB = \"two words\"   # note\nC='x'\r\n", [("/A", "hello world"), ("/B", "three"), ("/C", "y")],
     "# env\nexport A=\"hello world\"\nB = \"three\"   # note\nC='y'\r\n"),
    ("ini", "; app\n[server]\nport = 8080\nhost: db\n", [("/server/port", 9090), ("/server/host", "x")],
     "; app\n[server]\nport = 9090\nhost: x\n"),
    ("toml", 'title = "t"\n\n[server]\nport = 8080  # p\nopts = [1,2]\n', [("/server/port", 9090), ("/title", "new")],
     'title = "new"\n\n[server]\nport = 9090  # p\nopts = [1,2]\n'),
]


@pytest.mark.parametrize("fmt, text, edits, expected", CASES, ids=[c[0] for c in CASES])
def test_values_are_swapped_and_nothing_else_moves(fmt: str, text: str, edits: list, expected: str) -> None:
    assert replace_values(text, fmt, edits) == expected


@pytest.mark.parametrize("fmt, text, pointer, value", [
    ("toml", "a = 1\n", "/a", None),
    ("json", '{"a": 1}', "/a/b", 2),
    ("ini", "[s]\nk = 1\n", "/missing/k", 2),
    ("ini", "[s]\nk = 1\n", "/s/k", "one\n\nblank line between"),
    ("ini", "[s]\nk = 1\n", "/s", "a section is not a key"),
    ("dotenv", "A=1\n", "/A", {"nested": "values"}),
])
def test_structural_edits_are_refused(fmt: str, text: str, pointer: str, value: Any) -> None:
    with pytest.raises(NotSurgical):
        replace_values(text, fmt, [(pointer, value)])


def _data(text: str, fmt: str) -> Any:
    documents = load_text(text, file="x", name="x", fmt=fmt).documents
    return documents[0].data if documents else {}


def _same(a: Any, b: Any) -> bool:
    """Equal with types: ``1`` is not ``true`` nor ``1.0``."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _edit(fmt: str, text: str, ops: list[Op]) -> str:
    target = apply_ops(_data(text, fmt), ops)
    result = edit_text(text, fmt, ops, target)
    assert _same(_data(result, fmt), target)
    return result


EDITS = [
    pytest.param("json", '{\n  "port": 8080,\n  "name": "a"\n}\n', [Op("add", "/tls", {"cert": "c", "on": True})],
                 '{\n  "port": 8080,\n  "name": "a",\n  "tls": {\n    "cert": "c",\n    "on": true\n  }\n}\n',
                 id="json-add-key"),
    pytest.param("json", '{"a": 1, "b": {"c": 2}}', [Op("add", "/b/d", 3)],
                 '{"a": 1, "b": {"c": 2, "d": 3}}', id="json-add-key-one-line"),
    pytest.param("json", '{\n  "a": {}\n}\n', [Op("set", "/a/k", [1])],
                 '{\n  "a": {\n    "k": [\n      1\n    ]\n  }\n}\n', id="json-add-key-to-empty-object"),
    pytest.param("json", '{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}\n', [Op("remove", "/c"), Op("remove", "/a")],
                 '{\n  "b": 2\n}\n', id="json-remove-key"),
    pytest.param("json", '{\n  "hosts": [\n    "a",\n    "b"\n  ],\n  "ports": [1, 2]\n}\n',
                 [Op("add", "/hosts/-", "c"), Op("add", "/ports/-", 3)],
                 '{\n  "hosts": [\n    "a",\n    "b",\n    "c"\n  ],\n  "ports": [1, 2, 3]\n}\n',
                 id="json-append-item"),
    pytest.param("json", '{\n  "hosts": [\n    "a",\n    "b"\n  ],\n  "ports": [1, 2]\n}\n',
                 [Op("remove", "/hosts/0"), Op("remove", "/ports/1")],
                 '{\n  "hosts": [\n    "b"\n  ],\n  "ports": [1]\n}\n', id="json-remove-item"),
    pytest.param("json", '{\n  "port": 8080,\n  "opts": [1, 2],\n  "on": true\n}\n',
                 [Op("set", "/port", {"http": 80}), Op("set", "/opts", [3]), Op("set", "/on", "yes")],
                 '{\n  "port": {\n    "http": 80\n  },\n  "opts": [3],\n  "on": "yes"\n}\n', id="json-set-container"),
    pytest.param("json", '{\n\t"a": {\n\t\t"b": 1\n\t}\n}', [Op("add", "/a~1c", {"d": [True]})],
                 '{\n\t"a": {\n\t\t"b": 1\n\t},\n\t"a/c": {\n\t\t"d": [\n\t\t\ttrue\n\t\t]\n\t}\n}',
                 id="json-tabs-no-final-newline"),
    pytest.param("json", '{"a": 1, "b": 2, "a": 3}', [Op("remove", "/a")], '{"b": 2}', id="json-remove-repeated-key"),
    pytest.param("json", '{\r\n  "a": 1\r\n}\r\n', [Op("add", "/b", [1, 2])],
                 '{\r\n  "a": 1,\r\n  "b": [\r\n    1,\r\n    2\r\n  ]\r\n}\r\n', id="json-crlf"),
    pytest.param("dotenv", "# env\nA=1\n", [Op("add", "/B", "two words"), Op("add", "/C", None)],
                 '# env\nA=1\nB="two words"\nC\n', id="dotenv-add-key"),
    pytest.param("dotenv", "A=1", [Op("set", "/B", "2")], "A=1\nB=2\n", id="dotenv-add-after-missing-newline"),
    pytest.param("dotenv", "# env\nA=1\nB=2\nexport A=3\n", [Op("remove", "/A")], "# env\nB=2\n",
                 id="dotenv-remove-repeated-key"),
    pytest.param("dotenv", "A=1\nB=2", [Op("remove", "/B")], "A=1", id="dotenv-remove-last-line"),
    pytest.param("dotenv", 'A="line one\nline two"  # note\nB=2\n', [Op("set", "/A", "one"), Op("set", "/B", "x\ny")],
                 'A="one"  # note\nB="x\\ny"\n', id="dotenv-multi-line-value-replaced"),
    pytest.param("dotenv", "A=1\nB='x'\nC=\"q\"\n",
                 [Op("set", "/A", 'say "hi" \\ $HOME'), Op("set", "/B", "y z"), Op("set", "/C", "r")],
                 'A="say \\"hi\\" \\\\ $HOME"\nB=\'y z\'\nC="r"\n', id="dotenv-quoting"),
    pytest.param("dotenv", "A=1 # c\nB\n", [Op("set", "/A", None), Op("set", "/B", "v")], "A # c\nB=v\n",
                 id="dotenv-null-is-a-bare-key"),
    pytest.param("dotenv", 'A=1\r\nB="x\r\ny"\r\n', [Op("set", "/B", "z"), Op("add", "/C", "3")],
                 'A=1\r\nB="z"\r\nC=3\r\n', id="dotenv-crlf"),
    pytest.param("ini", "[server]\nport: 8080\n\n; db\n[db]\nname = x\n", [Op("add", "/server/host", "h")],
                 "[server]\nport: 8080\nhost: h\n\n; db\n[db]\nname = x\n", id="ini-add-key"),
    pytest.param("ini", "a = 1\n[s]\nk = 2\n", [Op("set", "/b", "3")], "a = 1\nb = 3\n[s]\nk = 2\n",
                 id="ini-add-top-level-key"),
    pytest.param("ini", "[s]\nhosts =\n    a\n    b\nport = 1\n", [Op("remove", "/s/hosts")], "[s]\nport = 1\n",
                 id="ini-remove-key"),
    pytest.param("ini", "; top\n[a]\nx = 1\n\n[b]\ny = 2\n", [Op("remove", "/a")], "; top\n[b]\ny = 2\n",
                 id="ini-remove-section"),
    pytest.param("ini", "[a]\nx = 1\n\n[b]\ny = 2", [Op("remove", "/b")], "[a]\nx = 1\n", id="ini-remove-last-section"),
    pytest.param("ini", "[a]\nx=1\n", [Op("add", "/b", {"y": "2", "z": "p\nq"})], "[a]\nx=1\n\n[b]\ny=2\nz=p\n    q\n",
                 id="ini-add-section"),
    pytest.param("ini", "[a]\nx = 1\ny = 2\n", [Op("set", "/a", {"x": "1", "z": "3"})], "[a]\nx = 1\nz = 3\n",
                 id="ini-set-section"),
    pytest.param("ini", "[s]\nhosts =\n  a\n  b\nport = 1\n", [Op("set", "/s/hosts", "\nc\nd\ne")],
                 "[s]\nhosts =\n  c\n  d\n  e\nport = 1\n", id="ini-multi-line-value-replaced"),
    pytest.param("ini", "[s]\nhosts = a\n    b\nport = 1\n", [Op("set", "/s/hosts", "c"), Op("set", "/s/port", "2\n3")],
                 "[s]\nhosts = c\nport = 2\n    3\n", id="ini-multi-line-value-to-one-line-and-back"),
    pytest.param("ini", "[s]\r\nk = 1\r\n", [Op("add", "/s/j", "2"), Op("set", "/s/k", "a\nb")],
                 "[s]\r\nk = a\r\n    b\r\nj = 2\r\n", id="ini-crlf"),
    pytest.param("toml", '[server]\nport = 8080  # p\n\n[db]\nname = "x"\n', [Op("add", "/server/host", "h")],
                 '[server]\nport = 8080  # p\nhost = "h"\n\n[db]\nname = "x"\n', id="toml-add-key"),
    pytest.param("toml", '[server]\nport = 8080  # p\nhost = "h"\n\n[db]\nname = "x"\n', [Op("remove", "/server/port")],
                 '[server]\nhost = "h"\n\n[db]\nname = "x"\n', id="toml-remove-key"),
    pytest.param("toml", "[s]\nx = 1\ny = 2", [Op("remove", "/s/y")], "[s]\nx = 1", id="toml-remove-last-line"),
    pytest.param("toml", 'ports = [1, 2]\nhosts = [\n  "a",\n]\n',
                 [Op("add", "/ports/-", 3), Op("add", "/hosts/-", "b")],
                 'ports = [1, 2, 3]\nhosts = [\n  "a",\n  "b",\n]\n', id="toml-append-item"),
    pytest.param("toml", 'ports = [1, 2]\nhosts = [\n  "a",\n  "b",\n]\n',
                 [Op("remove", "/ports/0"), Op("remove", "/hosts/1")],
                 'ports = [2]\nhosts = [\n  "a",\n]\n', id="toml-remove-item"),
    pytest.param("toml", "opts = [1, 2]\n\n[t]\nx = 1  # keep\ny = 2\n",
                 [Op("set", "/t", {"x": 1, "z": [1]}), Op("set", "/opts", [3, 4])],
                 "opts = [3, 4]\n\n[t]\nx = 1  # keep\nz = [1]\n", id="toml-set-container"),
    pytest.param("toml", 's = """\nmulti\nline"""\nx = 1\n', [Op("set", "/s", "one\ntwo")],
                 's = """\none\ntwo"""\nx = 1\n', id="toml-multi-line-string-replaced"),
    pytest.param("toml", "a = 1\n\n[t]\nx = 1\n", [Op("add", "/u", {"y": "z"})],
                 'a = 1\n\n[t]\nx = 1\n\n[u]\ny = "z"\n', id="toml-add-table"),
    pytest.param("toml", '[[srv]]\nname = "a"\n', [Op("add", "/srv/-", {"name": "b"})],
                 '[[srv]]\nname = "a"\n[[srv]]\nname = "b"\n', id="toml-append-to-array-of-tables"),
    pytest.param("toml", "a = 1\r\n\r\n[t]\r\nx = 1\r\n", [Op("add", "/t/y", [1]), Op("add", "/u", {"k": True})],
                 "a = 1\r\n\r\n[t]\r\nx = 1\r\ny = [1]\r\n\r\n[u]\r\nk = true\r\n", id="toml-crlf"),
]


@pytest.mark.parametrize("fmt, text, ops, expected", EDITS)
def test_structural_edits_change_only_their_lines(fmt: str, text: str, ops: list[Op], expected: str) -> None:
    assert _edit(fmt, text, ops) == expected


@pytest.mark.parametrize("fmt, text, ops, target", [
    pytest.param("toml", "a = 1\n", [Op("set", "/a", None)], {"a": None}, id="toml-null"),
    pytest.param("toml", "a = 1\n", [Op("add", "/b", {"c": [None]})], {"a": 1, "b": {"c": [None]}},
                 id="toml-nested-null"),
    pytest.param("json", '{"a": 1}', [Op("remove", "/b")], {"a": 1}, id="json-remove-missing-key"),
    pytest.param("json", '{"a": 1}', [Op("add", "/a/b", 2)], {"a": {"b": 2}}, id="json-parent-is-a-scalar"),
    pytest.param("dotenv", "A=1\n", [Op("set", "/A/B", "x")], {"A": {"B": "x"}}, id="dotenv-is-flat"),
    pytest.param("dotenv", "A=1\n", [Op("set", "/A", 2)], {"A": 2}, id="dotenv-a-number-reads-back-as-a-string"),
    pytest.param("ini", "[s]\nk = 1\n", [Op("set", "/s/k", "a\n  b")], {"s": {"k": "a\n  b"}},
                 id="ini-padded-continuation-line"),
    pytest.param("ini", "[s]\nk = 1\n", [Op("set", "/s/k", "a\n; b")], {"s": {"k": "a\n; b"}},
                 id="ini-comment-continuation-line"),
    pytest.param("ini", "[s]\nk = 1\n", [Op("set", "/t/k", "1")], {"s": {"k": "1"}}, id="ini-missing-section"),
    pytest.param("ini", "k = 1\n", [Op("set", "/k", {"a": "b"})], {"k": {"a": "b"}}, id="ini-key-into-section"),
    pytest.param("ini", "[s]\nk = 1\n", [Op("add", "/t", {"a": {"b": "c"}})], None, id="ini-nested-section"),
])
def test_edits_that_cannot_be_made_are_refused(fmt: str, text: str, ops: list[Op], target: Any) -> None:
    with pytest.raises(NotSurgical):
        edit_text(text, fmt, ops, target)


def test_a_result_that_reads_back_wrong_is_refused_without_its_values() -> None:
    with pytest.raises(NotSurgical) as caught:
        edit_text("A=1\n", "dotenv", [Op("set", "/A", "hunter2-secret")], {"A": "something else"})
    assert "hunter2" not in str(caught.value)
    with pytest.raises(NotSurgical) as caught:
        edit_text('{"a": 1}', "json", [Op("set", "/a", "hunter2-secret")], {"a": 1})
    assert "hunter2" not in str(caught.value)


# Properties: random data written in each format, random ops; the result reads back as
# apply_ops(data, ops) and every line of a key no op touched is still there, in order.

def _in_order(needles: list[str], haystack: list[str]) -> bool:
    rest = iter(haystack)
    return all(any(needle == line for line in rest) for needle in needles)


def _touched(group: str, pointers: list[str]) -> bool:
    """Whether an op may change the lines of ``group`` ("": a comment; "/s#": the header of section s)."""
    if group == "":
        return False
    if group.endswith("#"):
        return group[:-1] in pointers
    return any(group == p or group.startswith(p + "/") or p.startswith(group + "/") for p in pointers)


@st.composite
def _ops(draw: st.DrawFn, data: dict, spec: SimpleNamespace) -> list[Op]:
    """One to five ops on distinct top-level keys (so the order ``apply_ops`` makes them in cannot matter)."""
    ops = []
    for key in draw(st.lists(st.sampled_from(sorted(data)), unique=True, min_size=1, max_size=3)) if data else []:
        here, old = "/" + escape_token(key), data[key]
        kinds = ["set", "remove"]  # and, three times as likely, an edit inside a container
        if isinstance(old, dict):
            kinds += 3 * (["child-set"] + (["child-remove"] if old else []))
        if isinstance(old, list):
            kinds += 3 * (["append"] + (["item-remove", "item-set"] if old else []))
        kind = draw(st.sampled_from(kinds))
        if kind == "set":
            ops.append(Op("set", here, draw(spec.top(old))))
        elif kind == "remove":
            ops.append(Op("remove", here))
        elif kind == "child-set":
            child = draw(st.one_of(st.sampled_from(sorted(old)), spec.child_key) if old else spec.child_key)
            ops.append(Op(draw(st.sampled_from(["set", "add"])), f"{here}/{escape_token(child)}", draw(spec.child)))
        elif kind == "child-remove":
            ops.append(Op("remove", f"{here}/{escape_token(draw(st.sampled_from(sorted(old))))}"))
        elif kind == "append":
            ops.append(Op("add", f"{here}/-", draw(spec.item)))
        else:
            index = draw(st.integers(0, len(old) - 1))
            if kind == "item-remove":
                ops.append(Op("remove", f"{here}/{index}"))
            else:
                ops.append(Op("set", f"{here}/{index}", draw(spec.item)))
    new_keys = st.lists(spec.key.filter(lambda k: k not in data), unique=True, min_size=0 if ops else 1, max_size=2)
    for key in draw(new_keys):
        ops.append(Op(draw(st.sampled_from(["set", "add"])), "/" + escape_token(key), draw(spec.top(None))))
    return ops


def _check_property(draw: st.DrawFn, fmt: str, data: dict, lines: list[tuple[str | None, str]],
                    spec: SimpleNamespace) -> None:
    """``lines``: the file's lines, each with the pointer of the key it belongs to (None: not checked)."""
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    text = nl.join(line for _, line in lines) + draw(st.sampled_from([nl, ""]))
    assert _same(_data(text, fmt), data)  # the writer is right
    ops = draw(_ops(data, spec))
    result = _edit(fmt, text, ops)
    if "\r\n" in text:
        assert not re.search(r"(?<!\r)\n", result)
    pointers = [op.pointer[:-2] if op.pointer.endswith("/-") else op.pointer for op in ops]
    same = (lambda line: line.rstrip(",")) if fmt == "json" else (lambda line: line)
    kept = [same(line) for group, line in lines if group is not None and not _touched(group, pointers)]
    assert _in_order(kept, [same(line) for line in re.split(r"\r?\n", result)])


JSON_KEY = st.text(alphabet='ab/~ é"', max_size=3)
JSON_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                        st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=5))
JSON_CHILD = st.one_of(JSON_SCALAR, st.lists(JSON_SCALAR, max_size=3))
JSON_TOP = st.one_of(JSON_CHILD, st.dictionaries(JSON_KEY, JSON_CHILD, max_size=3))
JSON_SPEC = SimpleNamespace(key=JSON_KEY, child_key=JSON_KEY, child=JSON_CHILD, item=JSON_SCALAR,
                            top=lambda old: JSON_TOP)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_json_edits_keep_untouched_lines(draw: st.DataObject) -> None:
    data = draw.draw(st.dictionaries(JSON_KEY, JSON_TOP, max_size=5))
    unit = draw.draw(st.sampled_from([2, 4, "\t"]))
    pad = unit if isinstance(unit, str) else " " * unit
    text_lines = json.dumps(data, indent=unit, ensure_ascii=False).split("\n")
    keys, group, lines = iter(data), None, []
    for number, line in enumerate(text_lines):
        if 0 < number < len(text_lines) - 1:
            group = "/" + escape_token(next(keys)) if line.startswith(pad + '"') else group
            lines.append((group, line))
        else:
            lines.append((None, line))
    _check_property(draw.draw, "json", data, lines, JSON_SPEC)


ENV_KEY = st.from_regex(r"[A-Z_][A-Z0-9_]{0,4}", fullmatch=True)
ENV_VALUE = st.one_of(st.none(), st.text(alphabet="ab =#$'\"\\\n\t\ré", max_size=8))
ENV_SPEC = SimpleNamespace(key=ENV_KEY, top=lambda old: ENV_VALUE)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_dotenv_edits_keep_untouched_lines(draw: st.DataObject) -> None:
    data = draw.draw(st.dictionaries(ENV_KEY, ENV_VALUE, max_size=5))
    lines: list[tuple[str | None, str]] = []
    for key, value in data.items():
        if draw.draw(st.booleans()):
            lines.append(("", "# about " + key))
        head = ("export " if draw.draw(st.booleans()) else "") + key
        if value is None:
            text = head
        elif re.fullmatch(r"[^\s'\"#\\$]*", value):
            text = f"{head}={value}"
        else:
            text = head + '="' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r") + '"'
        lines += [("/" + escape_token(key), line) for line in text.split("\n")]
        if draw.draw(st.booleans()):
            lines.append((None, ""))
    _check_property(draw.draw, "dotenv", data, lines, ENV_SPEC)


INI_NAME = st.from_regex(r"[A-Za-z][a-z0-9]{0,4}", fullmatch=True)
INI_KEY = st.from_regex(r"[a-z][a-z0-9_]{0,4}", fullmatch=True)
INI_PART = st.from_regex(r"[a-z0-9]([a-z0-9 =:]{0,5}[a-z0-9])?", fullmatch=True)
INI_VALUE = st.builds(lambda first, rest: "\n".join([first, *rest]), st.one_of(st.just(""), INI_PART),
                      st.lists(INI_PART, max_size=2))
INI_SECTION = st.dictionaries(INI_KEY, INI_VALUE, max_size=3)
INI_SPEC = SimpleNamespace(
    key=INI_NAME, child_key=INI_KEY, child=INI_VALUE,
    top=lambda old: INI_SECTION if isinstance(old, dict) else INI_VALUE if old is not None
    else st.one_of(INI_VALUE, INI_SECTION),
)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_ini_edits_keep_untouched_lines(draw: st.DataObject) -> None:
    data = draw.draw(st.dictionaries(INI_NAME, st.one_of(INI_VALUE, INI_SECTION), max_size=4))
    sep = draw.draw(st.sampled_from(["=", " = ", ": ", ":"]))
    lines: list[tuple[str | None, str]] = [("", "; generated")]

    def entry(pointer: str, key: str, value: str) -> None:
        first, *rest = value.split("\n")
        lines.append((pointer, (key + sep + first).rstrip()))
        lines.extend((pointer, "    " + part) for part in rest)

    for key, value in data.items():
        if isinstance(value, str):
            entry("/" + key, key, value)
    for name, section in data.items():
        if isinstance(section, dict):
            lines += [(None, ""), (f"/{name}#", f"[{name}]")]
            for key, value in section.items():
                entry(f"/{name}/{key}", key, value)
    _check_property(draw.draw, "ini", data, lines, INI_SPEC)


TOML_KEY = st.from_regex(r"[a-z][a-z0-9_]{0,4}", fullmatch=True)
TOML_SCALAR = st.one_of(st.booleans(), st.integers(-10**6, 10**6),
                        st.text(alphabet="ab #=\"'\\\n\u00e9[]{}", max_size=6))
TOML_CHILD = st.one_of(TOML_SCALAR, st.lists(TOML_SCALAR, max_size=3))
TOML_TOP = st.one_of(TOML_CHILD, st.dictionaries(TOML_KEY, TOML_CHILD, max_size=3))
TOML_SPEC = SimpleNamespace(key=TOML_KEY, child_key=TOML_KEY, child=TOML_CHILD, item=TOML_SCALAR,
                            top=lambda old: TOML_TOP)


def _toml_value(value: Any, multi_line_arrays: bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if "\n" in value:
            return '"""\n' + value.replace("\\", "\\\\").replace('"', '\\"') + '"""'
        return json.dumps(value, ensure_ascii=False)
    items = [_toml_value(item, False) for item in value]
    if multi_line_arrays and items:
        return "[\n" + "".join(f"  {item},\n" for item in items) + "]"
    return "[" + ", ".join(items) + "]"


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_toml_edits_keep_untouched_lines(draw: st.DataObject) -> None:
    data = draw.draw(st.dictionaries(TOML_KEY, TOML_TOP, max_size=5))
    multi = draw.draw(st.booleans())
    lines: list[tuple[str | None, str]] = [("", "# generated")]
    for key, value in data.items():
        if not isinstance(value, dict):
            lines += [("/" + key, line) for line in f"{key} = {_toml_value(value, multi)}".split("\n")]
    for name, table in data.items():
        if isinstance(table, dict):
            lines += [(None, ""), (f"/{name}#", f"[{name}]")]
            for key, value in table.items():
                lines += [(f"/{name}/{key}", line) for line in f"{key} = {_toml_value(value, multi)}".split("\n")]
    _check_property(draw.draw, "toml", data, lines, TOML_SPEC)


FILES = {
    "app.json": ('{\n  "port": 8080,\n  "debug": false\n}\n', '{\n  "port": 8081,\n  "debug": true\n}\n'),
    "prod.env": ("# prod\nLOG_LEVEL=info\nWORKERS=4\n", "# prod\nLOG_LEVEL=debug\nWORKERS=4\n"),
    "db.ini": ("[pool]\nsize = 10\n", "[pool]\nsize = 25\n"),
    "limits.toml": ("[api]\nrate = 100\n", "[api]\nrate = 50\n"),
}


def test_patches_for_every_line_format_apply_with_git(trueup, tmp_path: Path) -> None:
    targets = "".join(f"  - {{name: {n.split('.')[0]}, kind: config, desired: '{n}', live: 'live/{n}'}}\n" for n in FILES)
    (tmp_path / "trueup.yaml").write_text(f"version: 1\nenvironments:\n  prod: {{}}\ntargets:\n{targets}policy: {{packs: []}}\n")
    for name, (desired, live) in FILES.items():
        (tmp_path / "templates").mkdir(exist_ok=True)
        (tmp_path / "live").mkdir(exist_ok=True)
        (tmp_path / "templates" / name).write_text(desired)
        (tmp_path / "live" / name).write_text(live)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    first = trueup("drift", "--patches", "out", "--format", "json", cwd=tmp_path)
    assert first.code == 1
    assert len(first.json()["findings"]) == 5
    patches = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "out").rglob("*.patch"))
    assert patches == [f"out/live/{n}.patch" for n in sorted(FILES)]
    subprocess.run(["git", "apply", *patches], cwd=tmp_path, check=True)
    for name, (desired, _) in FILES.items():
        assert (tmp_path / "live" / name).read_text() == desired
    second = trueup("drift", "--format", "json", cwd=tmp_path)
    assert (second.code, second.json()["findings"]) == (0, [])
