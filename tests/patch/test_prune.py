"""patch/prune.py: whole live-only objects taken out of their files, every other document byte-identical."""
from __future__ import annotations

from typing import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.load import load_text
from trueup.model import Document, Source
from trueup.patch.ops import NotSurgical
from trueup.patch.prune import remove_objects

A = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
B = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b  # bee\n"
LIST = ("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n")
JSON_LIST = ('{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": '
             '{"name": "a"}}, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}]}\n')


def _documents(text: str, fmt: str) -> list[Document]:
    return load_text(text, file=f"x.{fmt}", name=f"x.{fmt}", fmt=fmt).documents


def _named(*names: str) -> Callable[[Document], bool]:
    return lambda doc: isinstance(doc.data, dict) and doc.data.get("metadata", {}).get("name") in names


CASES = [
    ("# top\n" + A + "---\n" + B, _named("b"), "yaml", "# top\n" + A),
    ("# top\n" + A + "---\n" + B, _named("a"), "yaml", "---\n" + B),
    ("---\n" + A + "---\n" + B, _named("a"), "yaml", "---\n" + B),
    (A + "--- # c\n" + B, _named("b"), "yaml", A),
    (A + "---\n" + B + "...\n", _named("b"), "yaml", A),
    ("%YAML 1.2\n---\n" + A + "---\n" + B, _named("a"), "yaml", "%YAML 1.2\n---\n" + B),
    (A + "---\n---\n" + B, _named("a"), "yaml", "---\n---\n" + B),
    ("a: |\n  ---\n  x\n---\n" + B, _named("b"), "yaml", "a: |\n  ---\n  x\n"),
    ("a: 1\n--- |\n  x\n", lambda doc: doc.index == 0, "yaml", "--- |\n  x\n"),
    ((A + "---\n" + B).replace("\n", "\r\n"), _named("a"), "yaml", ("---\n" + B).replace("\n", "\r\n")),
    (A + "---\n" + B, _named("a", "b"), "yaml", ""),
    (LIST, _named("a"), "yaml",
     "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n"),
    (LIST, _named("a", "b"), "yaml", "apiVersion: v1\nkind: List\nitems: []\n"),
    (JSON_LIST, _named("b"), "json", '{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": '
                                     '"ConfigMap", "metadata": {"name": "a"}}]}\n'),
    ('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}', _named("a"), "json", ""),
    (A + "---\n" + B, _named(), "yaml", A + "---\n" + B),
]
IDS = ["last-document", "first-document-comment-goes-with-it", "leading-marker", "marker-with-comment",
       "document-end-marker", "directive-kept", "empty-document-kept", "marker-inside-block-scalar",
       "marker-line-with-content", "crlf", "everything", "list-item", "every-list-item", "json-list-item",
       "json-whole-file", "nothing"]


@pytest.mark.parametrize("text, pick, fmt, expected", CASES, ids=IDS)
def test_remove_objects(text: str, pick: Callable[[Document], bool], fmt: str, expected: str) -> None:
    assert remove_objects(text, [doc for doc in _documents(text, fmt) if pick(doc)], fmt) == expected


def test_a_file_that_does_not_parse_is_refused() -> None:
    source = Source(file="x.yaml", name="x.yaml", text="a: [1\n", format="yaml")
    with pytest.raises(NotSurgical) as caught:
        remove_objects("a: [1\n", [Document({"a": 1}, source)])
    assert str(caught.value) == "the file would not parse after pruning"


def test_any_whole_document_of_another_format_empties_the_file() -> None:
    source = Source(file="x.env", name="x.env", text="A=1\nB=2\n", format="dotenv")
    assert remove_objects("A=1\nB=2\n", [Document({"A": "1"}, source)], "dotenv") == ""


NAMES = st.lists(st.from_regex(r"cm-[a-z]{1,5}", fullmatch=True), min_size=1, max_size=5, unique=True)


@settings(max_examples=100, deadline=None)
@given(NAMES, st.data(), st.booleans(), st.booleans())
def test_the_other_documents_stay_byte_identical(names: list[str], data: st.DataObject, lead: bool, crlf: bool) -> None:
    chunks = [f"# {name}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}  # n\n" for name in names]
    text = ("---\n" if lead else "") + "---\n".join(chunks)
    text = text.replace("\n", "\r\n") if crlf else text
    gone = set(data.draw(st.lists(st.sampled_from(names), unique=True)))
    out = remove_objects(text, [doc for doc in _documents(text, "yaml") if doc.data["metadata"]["name"] in gone])
    kept = [chunk for name, chunk in zip(names, chunks) if name not in gone]
    if not kept:
        assert out == ""
        return
    first_kept_is_first = names[0] not in gone
    expected = ("---\n" if lead or not first_kept_is_first else "") + "---\n".join(kept)
    assert out == (expected.replace("\n", "\r\n") if crlf else expected)
