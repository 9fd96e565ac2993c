"""patch/env_edit.py: .env files edited in place, quoting kept, read back with the loader's own grammar."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.load.dotenv import parse
from trueup.patch.env_edit import edit_dotenv
from trueup.patch.ops import NotSurgical, Op, apply_ops


def _data(text: str) -> dict:
    documents = parse(text, "x.env").documents
    return documents[0] if documents and documents[0] is not None else {}


CASES = [
    ("A=1\nB=2\n", [Op("set", "/A", "x y")], 'A="x y"\nB=2\n'),
    ("A=1 # c\n", [Op("set", "/A", "2")], "A=2 # c\n"),
    ("  A = 1   # c\n", [Op("set", "/A", "2")], "  A = 2   # c\n"),
    ("A='x'\n", [Op("set", "/A", "y")], "A='y'\n"),
    ("A='x' # c\n", [Op("set", "/A", "it's")], "A=\"it's\" # c\n"),
    ("A='x'\n", [Op("set", "/A", "")], "A=''\n"),
    ('A="x"\n', [Op("set", "/A", "y")], 'A="y"\n'),
    ("A: 1\n", [Op("set", "/A", "2")], "A: 2\n"),
    ("export A=1\n", [Op("set", "/A", "é")], "export A=é\n"),
    ("A=1\n", [Op("set", "/A", True)], "A=true\n"),
    ("A=1\n", [Op("set", "/A", 3.5)], "A=3.5\n"),
    ("A=1\n", [Op("set", "/A", "")], "A=\n"),
    ("A=0  # note\n", [Op("set", "/A", "")], 'A=""  # note\n'),
    ("A=0 #c\n", [Op("set", "/A", "")], 'A="" #c\n'),
    ("A: 0\t# note\n", [Op("set", "/A", "")], 'A: ""\t# note\n'),
    ("A  # note\n", [Op("set", "/A", "")], 'A=""  # note\n'),
    ("A=0  \n", [Op("set", "/A", "")], "A=  \n"),
    ("A='x'  # note\n", [Op("set", "/A", "")], "A=''  # note\n"),
    ("A=\n", [Op("set", "/A", "v")], "A=v\n"),
    ("A=1\n", [Op("set", "/A", 'a"b\\c\td')], 'A="a\\"b\\\\c\\td"\n'),
    ("A=1\n", [Op("set", "/A", "$HOME")], 'A="$HOME"\n'),
    ("A=1\n", [Op("set", "/A", "#x")], 'A="#x"\n'),
    ("A=1\nB=2\n", [Op("set", "/A", "multi\nline")], 'A="multi\\nline"\nB=2\n'),
    ('A="line1\nline2"\nB=1\n', [Op("set", "/A", "z")], 'A="z"\nB=1\n'),
    ("A\nB=1\n", [Op("set", "/A", "v")], "A=v\nB=1\n"),
    ("A=1\n", [Op("set", "/A", None)], "A\n"),
    ("A=1\nA=2\n", [Op("set", "/A", "3")], "A=1\nA=3\n"),
    ("A=1", [Op("set", "/A", "2")], "A=2"),
    ("A=1\r\nB='x'  # c\r\n", [Op("set", "/B", "y z"), Op("set", "/A", "q")], "A=q\r\nB='y z'  # c\r\n"),
    ('A="l1\r\nl2"\r\nB=1\r\n', [Op("set", "/A", "z")], 'A="z"\r\nB=1\r\n'),
    ("A=1\nB=2", [Op("add", "/C", "3")], "A=1\nB=2\nC=3\n"),
    ("A=1\r\n", [Op("add", "/B", "v")], "A=1\r\nB=v\r\n"),
    ("", [Op("add", "/A", "v")], "A=v\n"),
    ("# only\n", [Op("add", "/A", "v w")], '# only\nA="v w"\n'),
    ("A=1\n", [Op("add", "/B", None)], "A=1\nB\n"),
    ("A=1\n", [Op("add", "/my.key-1[0]", "v")], "A=1\nmy.key-1[0]=v\n"),
    ("A=1\nB=2\n", [Op("remove", "/B")], "A=1\n"),
    ("A=1\nB=2", [Op("remove", "/B")], "A=1"),
    ("# head\nA=1\nA=2\nB=3\n", [Op("remove", "/A")], "# head\nB=3\n"),
    ('A="l1\r\nl2"\r\nB=1\r\n', [Op("remove", "/A")], "B=1\r\n"),
    ("A=1\n", [], "A=1\n"),
]
IDS = ["unquoted-to-quoted", "comment-kept", "spaced", "single-kept", "single-to-double", "single-empty",
       "double-kept", "colon-syntax", "export-unicode", "bool", "float", "empty", "empty-before-a-comment", "empty-before-a-short-comment",
       "empty-colon-before-a-tab-comment", "bare-key-empty-before-a-comment", "empty-trailing-blanks-only",
       "single-empty-before-a-comment", "empty-to-value", "escapes",
       "dollar", "hash", "newline-escaped", "multi-line-replaced-whole", "bare-key-gets-value", "value-to-bare",
       "repeated-last-wins", "no-final-newline", "crlf-two-ops", "crlf-multi-line", "add-after-no-newline",
       "add-crlf", "add-to-empty", "add-after-comment", "add-bare", "add-odd-key", "remove", "remove-last-line",
       "remove-repeated", "remove-crlf-multi-line", "no-ops"]


@pytest.mark.parametrize("text, ops, expected", CASES, ids=IDS)
def test_edit_dotenv(text: str, ops: list[Op], expected: str) -> None:
    assert edit_dotenv(text, ops) == expected
    as_read = [Op(op.op, op.pointer, {True: "true", 3.5: "3.5"}.get(op.value, op.value)
                  if not isinstance(op.value, str) else op.value) for op in ops]  # .env values read as text
    assert _data(expected) == apply_ops(_data(text), as_read)


@pytest.mark.parametrize("text, op, words", [
    ("A=1\n", Op("set", "/A/b", "3"), "/A/b: a .env file holds only top-level keys"),
    ("A=1\n", Op("remove", "/Z"), "/Z: not in the file"),
    ("A=1\n", Op("add", "/bad key", "3"), "/bad key: not a .env key name"),
    ("A=1\n", Op("set", "/A", ["x"]), "/A: a .env value is a string"),
    ("A=1\n", Op("set", "/A", {"k": "v"}), "/A: a .env value is a string"),
    ('A="unterminated\n', Op("set", "/A", "v"), "the .env file does not parse"),
    ("!!!\n", Op("set", "/A", "v"), "the .env file does not parse"),
], ids=["nested", "remove-missing", "bad-key", "list", "dict", "unterminated", "garbage"])
def test_edit_dotenv_refuses(text: str, op: Op, words: str) -> None:
    with pytest.raises(NotSurgical) as caught:
        edit_dotenv(text, [op])
    assert str(caught.value) == words


KEY = st.from_regex(r"[A-Z][A-Z0-9_]{0,5}", fullmatch=True)
VALUE = st.one_of(st.none(), st.text(st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\r\x00"),
                                     max_size=10))
STYLE = st.sampled_from(["{k}={v}", "{k}='{v}'", '{k}="{v}"', "export {k}={v}  # note", "{k}: {v}", "{k}",
                         "{k}  # note", "{k}={v} #c", "{k}='{v}' # note", '{k}="{v}"\t# note', "{k}:{v}  # note"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(KEY, st.from_regex(r"[a-z0-9]{0,6}", fullmatch=True), STYLE), min_size=1, max_size=5,
                unique_by=lambda t: t[0]),
       st.sampled_from(["\n", "\r\n"]), st.booleans(), KEY, VALUE, st.data())
def test_an_edit_reads_back_as_meant_and_leaves_other_lines(entries: list, nl: str, final: bool, new_key: str,
                                                            value: str | None, data: st.DataObject) -> None:
    lines = [style.format(k=k, v=v) for k, v, style in entries]
    text = nl.join(lines) + (nl if final else "")
    before = _data(text)
    key = data.draw(st.sampled_from([k for k, _, _ in entries] + [new_key]))
    op = data.draw(st.sampled_from([Op("set", f"/{key}", value), Op("remove", f"/{key}")] if key in before
                                   else [Op("add", f"/{key}", value)]))
    out = edit_dotenv(text, [op])
    assert _data(out) == apply_ops(before, [op])
    at = [k for k, _, _ in entries].index(key) if key in before else len(lines)
    nl = "\r\n" if "\r\n" in text else "\n"  # a one-line file without its ending says nothing: LF
    out_lines = out.split(nl)[:-1] if out.endswith(nl) else out.split(nl) if out else []
    if op.op == "remove":
        assert out_lines == lines[:at] + lines[at + 1:]
    else:  # every other line byte-identical, the edited (or new) one in its place
        assert out_lines[:at] + out_lines[at + 1:] == lines[:at] + lines[at + 1:]
    assert edit_dotenv(text, []) == text
