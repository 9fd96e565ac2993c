"""load/yaml_units.py: each document's and List item's span and names from libyaml's events."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trueup.load import yaml_
from trueup.load.yaml_units import Names, ScannedDocument, Span, Unit, scan

LIST = """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: a, namespace: "ns"}
  - 5
  - kind: Secret
    metadata:
      name: b
      generateName: b-
---
plain: 1
metadata: [1]
---
just a scalar
---
- 1
- 2
"""


def test_scan_gives_each_document_and_list_item_with_its_names() -> None:
    assert scan(LIST, 100) == [
        ScannedDocument(
            Unit(Span(0, 187, 0, 0), Names({"apiVersion": ("v1", True), "kind": ("List", True)}, {})),
            [(0, Unit(Span(37, 115, 3, 4), Names({"apiVersion": ("v1", True), "kind": ("ConfigMap", True)},
                                                 {"name": ("a", True), "namespace": ("ns", False)}))),
             (2, Unit(Span(123, 187, 7, 4), Names({"kind": ("Secret", True)},
                                                  {"name": ("b", True), "generateName": ("b-", True)})))]),
        ScannedDocument(Unit(Span(191, 214, 12, 0), Names({}, {})), None),
        ScannedDocument(Unit(Span(218, 231, 15, 0), None, ("just a scalar", True)), None),
        ScannedDocument(Unit(Span(236, 244, 17, 0), None), None),
    ]


def test_span_text_pads_the_node_to_its_line_and_column() -> None:
    assert Span(37, 115, 3, 4).text(LIST) == "\n\n\n    " + LIST[37:115]
    assert LIST[37:115].startswith("apiVersion: v1\n    kind: ConfigMap")


@pytest.mark.parametrize("text, expected", [
    ("kind: A\nkind: B\n", Names({"kind": ("B", True)}, {})),
    ("kind: 'Pod'\napiVersion: \"v1\"\n", Names({"kind": ("Pod", False), "apiVersion": ("v1", False)}, {})),
    ("kind: [a]\napiVersion: {x: 1}\n", Names({"kind": None, "apiVersion": None}, {})),
    ("metadata: x\n", Names({}, {})),
    ("metadata: {name: [n], labels: {name: no}}\n", Names({}, {"name": None})),
    ("metadata: {name: a}\nmetadata: {namespace: b}\n", Names({}, {"namespace": ("b", True)})),
    ("spec: {kind: X, metadata: {name: y}}\n", Names({}, {})),
], ids=["last-wins", "quoted", "collections", "metadata-not-mapping", "only-own-keys", "last-metadata-wins",
        "nested-ignored"])
def test_names(text: str, expected: Names) -> None:
    scanned = scan(text, 100)
    assert scanned is not None and scanned[0].unit.names == expected


@pytest.mark.parametrize("text, expected", [
    ("items: []\n", []),
    ("items: 5\n", None),
    ("items: [{kind: A}]\nitems: [1, {kind: B}]\n", [(1, Unit(Span(30, 39, 1, 11), Names({"kind": ("B", True)}, {})))]),
    ("items: [1]\nitems: x\n", None),
], ids=["empty", "not-a-list", "last-list-wins", "last-not-a-list"])
def test_items_of_the_last_top_level_items_list(text: str, expected: Any) -> None:
    scanned = scan(text, 100)
    assert scanned is not None and scanned[0].items == expected


def test_items_below_the_top_level_are_not_units() -> None:
    scanned = scan("spec:\n  items: [{kind: A}]\n", 100)
    assert scanned is not None and scanned[0].items is None


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",
    "a: [&x 1]\n",
    "a: {b: *x}\n",
    "a: !!str 1\n",
    "kind: !t X\n",
    "a: {b: !!map {}}\n",
    "a: [!custom x]\n",
    "%YAML 1.2\n---\na: 1\n",
    "%TAG !e! tag:e.com,2000:\n---\na: 1\n",
    "<<: {a: 1}\n",
    "x: {<<: {a: 1}}\n",
    "? [a]\n: 1\n",
    "x: [{? [1] : 2}]\n",
    "metadata: {? {a: 1} : 2}\n",
    "a: [\n",
    "a: 1\n b: 2\n",
    "a: 1\n---\nb: [\n",
    "!!map {a: 1}\n",
    "&top {a: 1}\n",
    "!tag scalar\n",
    "*alias\n",
], ids=["anchor-alias", "anchor-in-list", "alias-in-map", "tag", "tag-on-kind", "tag-on-collection",
        "custom-tag", "yaml-directive", "tag-directive", "merge-key", "nested-merge-key", "collection-key",
        "nested-collection-key", "collection-key-in-metadata", "syntax-error", "bad-indent",
        "error-in-a-later-document", "tagged-document", "anchored-document", "tagged-scalar-document",
        "alias-document"])
def test_scan_returns_none_when_the_file_must_be_read_whole(text: str) -> None:
    assert scan(text, 100) is None


def test_a_quoted_merge_key_is_a_plain_key() -> None:
    scanned = scan("'<<': 1\nx: {'<<': 2}\n", 100)
    assert scanned == [ScannedDocument(Unit(Span(0, 21, 0, 0), Names({}, {})), None)]


@pytest.mark.parametrize("max_depth, expected_none", [(2, True), (3, False)], ids=["past-limit", "at-limit"])
def test_nesting_past_the_depth_limit_is_unsure(max_depth: int, expected_none: bool) -> None:
    assert (scan("a: {b: {c: 1}}\n", max_depth) is None) is expected_none


@pytest.mark.parametrize("max_depth, expected_none", [(2, True), (3, False)], ids=["past-limit", "at-limit"])
def test_depth_counts_list_items_too(max_depth: int, expected_none: bool) -> None:
    assert (scan("items: [{kind: A}]\n", max_depth) is None) is expected_none


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"], ids=["empty", "comment", "blank-lines"])
def test_nothing_to_scan(text: str) -> None:
    assert scan(text, 100) == []


def test_explicit_document_end_and_empty_documents() -> None:
    assert scan("a: 1\n...\n---\n---\nb: 2\n", 100) == [
        ScannedDocument(Unit(Span(0, 5, 0, 0), Names({}, {})), None),
        ScannedDocument(Unit(Span(13, 13, 3, 0), None, ("", True)), None),
        ScannedDocument(Unit(Span(17, 22, 4, 0), Names({}, {})), None),
    ]


CRLF = "a: 1\r\nb:\r\n  c: 2\r\n---\r\nkind: X\r\nd: 3\r\n"


def test_crlf_spans_count_each_line_break_once() -> None:
    scanned = scan(CRLF, 100)
    assert scanned is not None
    assert [d.unit.span for d in scanned] == [Span(0, 18, 0, 0), Span(23, 38, 4, 0)]
    assert scanned[1].unit.names == Names({"kind": ("X", True)}, {})


@pytest.mark.parametrize("text", [
    LIST,
    CRLF,
    "a: \U0001F600\nb: 2\n---\nb: 3\n",
    "a: é\n---\nb: 3\n",
    "a: 1\n---\n\ufeffb: 3\n",
    "a: 1\n--- \n  b: 3\n  c: 4\n",
    "a: 1\n--- {b: 3,\n c: 4}\n",
    "a: 1\n--- |\n  text\n",
    "items:\n- {b: 1}\n-   b: 2\n    c: [3]\n",
], ids=["list", "crlf", "astral", "latin", "bom-before-a-later-document", "indented-document", "flow-document",
        "literal-document", "list-items"])
def test_spans_alone_read_as_in_their_file(text: str) -> None:
    _same_alone_as_whole(text)


def _same_alone_as_whole(text: str) -> None:
    scanned = scan(text, 100)
    assert scanned is not None
    whole = yaml_.parse(text, "f").documents
    whole_lines = yaml_.Locator(text)
    assert len(scanned) == len(whole)
    for index, document in enumerate(scanned):
        alone = document.unit.span.text(text)
        # an empty (null) document's span is empty: alone it is no document at all, as load.kept expects
        if document.unit.span.start == document.unit.span.end:
            assert (yaml_.parse(alone, "f").documents, whole[index]) == ([], None)
            continue
        assert yaml_.parse(alone, "f").documents == [whole[index]]
        if isinstance(whole[index], dict):
            for key in whole[index]:
                assert yaml_.Locator(alone).position(0, f"/{key}") == whole_lines.position(index, f"/{key}")
        for place, item in document.items or []:
            assert yaml_.parse(item.span.text(text), "f").documents == [whole[index]["items"][place]]
            assert yaml_.Locator(item.span.text(text)).position(0, "") == \
                whole_lines.position(index, f"/items/{place}")


KEY = st.sampled_from(["a", "b", "name", "kind", "items", "metadata", "apiVersion", "spec", "x y", "k-1"])
SCALAR = st.one_of(st.integers(-5, 5000), st.booleans(), st.none(),
                   st.text(alphabet="abz :#-é\t'\"\\", max_size=8), st.sampled_from(["yes", "0644", "1e3", "~"]))
VALUE = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(KEY, inner, max_size=3)), max_leaves=8)
DOCUMENT = st.one_of(st.dictionaries(KEY, VALUE, max_size=4),
                     st.builds(lambda kind, items: {"apiVersion": "v1", "kind": kind, "items": items},
                               st.sampled_from(["List", "ConfigMapList"]),
                               st.lists(st.one_of(st.dictionaries(KEY, VALUE, max_size=3), SCALAR), max_size=3)),
                     st.lists(VALUE, min_size=1, max_size=3), SCALAR)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents=st.lists(DOCUMENT, min_size=1, max_size=4), flow=st.booleans(), crlf=st.booleans(),
       indent=st.sampled_from([2, 4]))
def test_generated_spans_read_alone_as_in_their_file(documents: list[Any], flow: bool, crlf: bool,
                                                       indent: int) -> None:
    text = yaml.safe_dump_all(documents, default_flow_style=flow, indent=indent, allow_unicode=True,
                              explicit_start=True, sort_keys=False)
    if crlf:
        text = text.replace("\n", "\r\n")
    _same_alone_as_whole(text)


CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def test_corpus_spans_read_alone_as_in_their_files() -> None:
    if not (CORPUS / "k8s").is_dir():
        pytest.skip("the shared real-world corpus is not here")
    from trueup.errors import ParseError
    from trueup.load import read_text

    checked = 0
    for path in sorted((CORPUS / "k8s").rglob("*.y*ml"))[::4]:
        try:
            text = read_text(path, path.name)
            yaml_.parse(text, path.name)
        except ParseError:
            continue
        if scan(text, 100) is not None:
            _same_alone_as_whole(text)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("text, spans", [
    ("a: 1\n---\nb: 3\n", [Span(0, 5, 0, 0), Span(9, 14, 2, 0)]),
    ("\ufeffa: 1\n---\nb: 3\n", [Span(1, 6, 0, 0), Span(10, 15, 2, 0)]),
    ("\ufeff- 1\n- 2\n", [Span(1, 9, 0, 0)]),
    ("\ufeff", []),
], ids=["plain", "bom", "bom-sequence", "bom-only"])
def test_spans_are_offsets_into_the_text_as_given_with_or_without_a_bom(text: str, spans: list[Span]) -> None:
    scanned = scan(text, 100)
    assert [document.unit.span for document in scanned] == spans
    for document in scanned:  # read alone, each node is where it is in the whole text
        node = yaml.compose(document.unit.span.text(text))
        span = document.unit.span
        assert (node.start_mark.line, node.start_mark.column) == (span.line, span.column)
        assert text[span.start:span.end].lstrip("\ufeff") == text[span.start:span.end]


def test_a_bom_shifts_every_span_by_one_character() -> None:
    plain, marked = scan(LIST, 100), scan("\ufeff" + LIST, 100)

    def shifted(span: Span) -> Span:
        return Span(span.start + 1, span.end + 1, span.line, span.column)

    assert [d.unit.span for d in marked] == [shifted(d.unit.span) for d in plain]
    assert [(place, unit.span) for place, unit in marked[0].items] == [
        (place, shifted(unit.span)) for place, unit in plain[0].items]
    assert [d.unit.names for d in marked] == [d.unit.names for d in plain]
