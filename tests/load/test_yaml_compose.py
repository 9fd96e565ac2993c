"""load/yaml_compose.py: the YAML 1.2 core schema's tags for plain scalars, node graphs document by
document with parse errors at their line and column, the position composer that resolves only merge
keys, and TRUEUP_LIBYAML's parsing."""
from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from yaml.nodes import MappingNode, ScalarNode

from trueup.errors import ParseError
from trueup.load import yaml_compose
from trueup.load.yaml_compose import (
    BOOL, FLOAT, INT, MERGE, NULL, STR, CoreResolver, PositionComposer, PythonParser, iter_nodes,
    libyaml_wanted, plain_tag,
)


class PurePython(PythonParser, CoreResolver):
    """The pure-Python parser with the core resolver (what TRUEUP_LIBYAML=0 composes with)."""

    def __init__(self, stream: str) -> None:
        PythonParser.__init__(self, stream)
        CoreResolver.__init__(self)


@pytest.mark.parametrize("text, tag", [
    ("true", BOOL), ("True", BOOL), ("FALSE", BOOL), ("tRue", STR), ("yes", STR), ("on", STR), ("y", STR),
    ("null", NULL), ("Null", NULL), ("NULL", NULL), ("~", NULL), ("", NULL), ("nil", STR),
    ("0", INT), ("-12", INT), ("+12", INT), ("017", INT), ("0o17", INT), ("0x1F", INT), ("0o18", STR), ("0b101", STR),
    ("1_000", STR), ("0X1F", STR),
    ("1.5", FLOAT), ("1.", FLOAT), (".5", FLOAT), ("1e3", FLOAT), ("-1.5E-3", FLOAT), (".inf", FLOAT),
    ("-.Inf", FLOAT), ("+.INF", FLOAT), (".nan", FLOAT), (".NaN", FLOAT), ("-.nan", STR), ("1.2.3", STR),
    ("<<", MERGE), ("<<<", STR), ("2026-01-01", STR), ("12:30", STR), ("-", STR),
], ids=lambda v: repr(v) if isinstance(v, str) and not v.startswith("tag:") else None)
def test_plain_tag_core_schema(text: str, tag: str) -> None:
    assert plain_tag(text) == tag


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789.-+eExXoOabfinNtTrRuUlL~<_ ")), max_size=8))
def test_cached_resolution_is_the_resolver_s(text: str) -> None:
    """The per-process cache of plain tags gives what the resolver itself gives, asked once or twice."""
    uncached = CoreResolver.resolve(yaml_compose.RESOLVER, ScalarNode, text, (True, False))
    assert plain_tag(text) == uncached
    assert plain_tag(text) == uncached


def test_quoted_and_tagged_scalars_are_strings_or_their_tag() -> None:
    [node] = iter_nodes('a: "1"\nb: 1\nc: !!str 2\nd: \'true\'\n', "f.yaml")
    assert [(k.value, v.tag) for k, v in node.value] == [("a", STR), ("b", INT), ("c", STR), ("d", STR)]


def test_iter_nodes_yields_each_document() -> None:
    nodes = list(iter_nodes("a: 1\n---\n- x\n---\n", "f.yaml"))
    assert [type(n).__name__ for n in nodes] == ["MappingNode", "SequenceNode", "ScalarNode"]
    assert nodes[2].tag == NULL
    assert list(iter_nodes("", "f.yaml")) == []
    assert list(iter_nodes("# only a comment\n", "f.yaml")) == []


def test_iter_nodes_is_lazy_errors_come_at_their_document() -> None:
    nodes = iter_nodes("a: 1\n---\n- [\n", "f.yaml")
    assert isinstance(next(nodes), MappingNode)
    with pytest.raises(ParseError) as caught:
        next(nodes)
    assert (caught.value.file, caught.value.line, caught.value.column) == ("f.yaml", 4, 1)


@pytest.mark.parametrize("text, where, cause", [
    ("a: [\n", (2, 1), "invalid YAML: did not find expected node content (while parsing a flow node)"),
    ("a: b: c\n", (1, 5), "invalid YAML: mapping values are not allowed in this context"),
    ("- a\nb: 1\n", (2, 1), "invalid YAML: did not find expected '-' indicator (while parsing a block collection)"),
    ('"abc', (1, 5), "invalid YAML: found unexpected end of stream (while scanning a quoted scalar)"),
    ("a: 1\n\x07", (2, 1), "invalid YAML: unacceptable character #x0007"),
    ("[" * 2000, (1, 1001), "invalid YAML: exceeded maximum nesting depth (while increasing flow level)"),
], ids=["flow", "mapping-value", "block", "quoted", "control", "deep"])
def test_libyaml_errors_at_line_and_column(text: str, where: tuple, cause: str) -> None:
    if yaml_compose._Parser is not getattr(yaml_compose, "CParser", None):
        pytest.skip("PyYAML without libyaml, or TRUEUP_LIBYAML=0")
    with pytest.raises(ParseError) as caught:
        list(iter_nodes(text, "f.yaml"))
    assert ((caught.value.line, caught.value.column), caught.value.cause) == (where, cause)


@pytest.mark.parametrize("text, where, cause", [
    ("a: [\n", (2, 1), "invalid YAML: expected the node content, but found '<stream end>' (while parsing a flow node)"),
    ("a: b: c\n", (1, 5), "invalid YAML: mapping values are not allowed here"),
    ("a: 1\nb: x\x07y\n", (2, 5), "invalid YAML: unacceptable character #x0007"),
    ("\ufeffa: 1\n\x00", (2, 1), "invalid YAML: unacceptable character #x0000"),
    ("a: 1\n\x85\x1b", (2, 2), "invalid YAML: unacceptable character #x001b"),
], ids=["flow", "mapping-value", "control-mid-line", "nul-after-bom", "escape"])
def test_pure_python_errors_at_line_and_column(text: str, where: tuple, cause: str) -> None:
    with pytest.raises(ParseError) as caught:
        list(iter_nodes(text, "g.yaml", PurePython))
    assert (caught.value.file, (caught.value.line, caught.value.column), caught.value.cause) == ("g.yaml", where, cause)


def test_nesting_too_deep_for_the_pure_python_composer() -> None:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # main() raises it for the run; the composer's recursion is what is tested
    try:
        with pytest.raises(ParseError) as caught:
            list(iter_nodes("[" * 1500 + "]" * 1500, "deep.yaml", PurePython))
    finally:
        sys.setrecursionlimit(limit)
    assert (str(caught.value), caught.value.line) == ("deep.yaml: nesting too deep to parse", None)


def test_position_composer_resolves_only_merge_keys() -> None:
    text = "base: &b {x: 1}\nc:\n  <<: *b\n  y: \"q\"\n  z: !!str 5\n  t: true\n"
    [node] = iter_nodes(text, "f.yaml", PositionComposer)
    (_, base), (_, c) = node.value
    assert [k.tag for k, _ in node.value] == ["", ""]
    assert [(k.value, k.tag, v.tag) for k, v in base.value] == [("x", "", "")]
    assert [(k.value, k.tag) for k, _ in c.value] == [("<<", MERGE), ("y", ""), ("z", ""), ("t", "")]
    assert [v.tag for _, v in c.value[1:]] == ["", STR, ""]
    [full] = iter_nodes(text, "f.yaml")
    assert [(k.tag, v.tag) for k, v in full.value[1][1].value[1:]] == [(STR, STR), (STR, STR), (STR, BOOL)]


@pytest.mark.parametrize("value, wanted", [
    (None, True), ("1", True), ("yes", True), ("", True), ("0", False), ("false", False), (" FALSE ", False),
    ("No", False), ("off", False), ("OFF\n", False), ("nope", True),
], ids=["unset", "1", "yes", "empty", "0", "false", "spaced-upper", "No", "off", "newline", "other"])
def test_libyaml_wanted(value, wanted: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if value is None:
        monkeypatch.delenv("TRUEUP_LIBYAML", raising=False)
    else:
        monkeypatch.setenv("TRUEUP_LIBYAML", value)
    assert libyaml_wanted() is wanted
