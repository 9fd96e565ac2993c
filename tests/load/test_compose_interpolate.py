"""load/compose_interpolate.py: ``${VAR}`` as compose reads it, unresolved tokens, casts, .env and project files."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.load.compose_interpolate import (
    Decoded,
    InvalidTemplate,
    Refused,
    Tokens,
    Unresolved,
    dotenv_variables,
    give_variables,
    interpolate,
    parse_dotenv,
    read_project_file,
    resolved,
    substitute,
)

VARS = {"A": "a", "E": "", "TAG": "1.2"}


@pytest.mark.parametrize("text, expected", [
    ("$A", "a"),
    ("${A}", "a"),
    ("x${A}y$A-z", "xaya-z"),
    ("$A_B", "$A_B"),
    ("${E:-d}", "d"),
    ("${E-d}", ""),
    ("${U-d}", "d"),
    ("${U:-d}", "d"),
    ("${A:-d}", "a"),
    ("${A:-}", "a"),
    ("${A:+x}", "x"),
    ("${E:+x}", ""),
    ("${E+x}", "x"),
    ("${U+x}", ""),
    ("${U:+x}", ""),
    ("${A:?err}", "a"),
    ("${E?err}", ""),
    ("$$A", "$A"),
    ("$$", "$"),
    ("$${A}", "${A}"),
    ("${U:-$$}", "$"),
    ("a$", "a$"),
    ("$1", "$1"),
    ("price $5 ok", "price $5 ok"),
    ("${U:-${A}}", "a"),
    ("${U:-${V:-z}}", "z"),
    ("${U:-x${TAG}y}", "x1.2y"),
    ("${U:-a}b}", "ab}"),
    ("${U:-{x}}", "{x}"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_resolved(text: str, expected: str) -> None:
    assert resolved(text, VARS) == expected


@pytest.mark.parametrize("text", ["${U}", "$U", "${U:?must be set}", "${E:?must not be empty}", "${U:-${V}}",
                                  "img:${U}", "${", "${1}", "${A!}", "${A", "${-x}"],
                         ids=["braced", "bare", "mandatory-unset", "mandatory-empty", "nested-unresolved",
                              "prefix-braced", "open", "digit-name", "bad-operator", "unclosed", "no-name"])
def test_resolved_keeps_what_nothing_resolves_as_written(text: str) -> None:
    assert resolved(text, VARS) == text


def test_resolved_replaces_what_resolves_and_keeps_the_rest() -> None:
    assert resolved("img:${U}-$A", VARS) == "img:${U}-a"


@pytest.mark.parametrize("text", ["${", "${1}", "${A!}", "${A", "${-x}", "${ A}"],
                         ids=["open", "digit-name", "bad-operator", "unclosed", "no-name", "blank-name"])
def test_substitute_refuses_an_invalid_template(text: str) -> None:
    with pytest.raises(InvalidTemplate):
        substitute(text, VARS.get, Tokens())


def test_unresolved_references_become_tokens_that_decode_to_the_text_as_written() -> None:
    tokens = Tokens(nonce="n0")
    out = substitute("img:${TAG}-$X", {}.get, tokens)
    assert out == "img:\ue000n0\ue0020\ue001-\ue000n0\ue0021\ue001"
    assert tokens.table == [Unresolved("${TAG}", ("TAG",)), Unresolved("$X", ("X",))]
    text, decoded = tokens.decode(out)
    assert text == "img:${TAG}-$X"
    assert decoded is not None and decoded.names == ("TAG", "X")
    assert decoded.regex == re.escape("img:") + ".*" + re.escape("-") + ".*" + re.escape("")


def test_a_nested_default_that_does_not_resolve_makes_the_whole_reference_one_token() -> None:
    tokens = Tokens(nonce="n1")
    out = substitute("${U:-${V}}", lambda _: None, tokens)
    assert out == "\ue000n1\ue0021\ue001"
    assert tokens.table[1] == Unresolved("${U:-${V}}", ("U", "V"))
    assert tokens.decode(out)[0] == "${U:-${V}}"


@pytest.mark.parametrize("live, expected", [
    ("img:1.2-abc", True), ("img:-", True), ("img:1.2", False), ("img1.2-x", False), (None, False),
    (["split"], True), ({"parsed": 1}, True),
], ids=["matches", "empty-parts", "missing-dash", "missing-colon", "none", "list", "mapping"])
def test_decoded_matches(live: Any, expected: bool) -> None:
    tokens = Tokens()
    decoded = tokens.decode(substitute("img:${TAG}-$X", {}.get, tokens))[1]
    assert decoded is not None
    assert decoded.matches(live) is expected


@pytest.mark.parametrize("live, expected", [(True, True), (False, False), (1, False)],
                         ids=["true", "false", "int"])
def test_decoded_matches_booleans_as_compose_writes_them(live: Any, expected: bool) -> None:
    assert Decoded("tr.*", ("X",)).matches(live) is expected


def test_tokens_hold_only_their_own_nonce() -> None:
    mine, other = Tokens(nonce="aa"), Tokens(nonce="bb")
    text = substitute("$X", {}.get, mine)
    substitute("$Y", {}.get, other)
    assert (mine.holds(text), other.holds(text), mine.holds(5), Tokens().holds(text)) == (True, False, False, False)
    assert other.decode(text) == (text, None)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="$"), max_size=40))
def test_text_without_a_dollar_is_its_own_interpolation(text: str) -> None:
    tokens = Tokens()
    assert substitute(text, {"A": "x"}.get, tokens) == text
    assert resolved(text, {"A": "x"}) == text
    assert tokens.table == []


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab{}:-$ ", max_size=20))
def test_doubled_dollars_are_literal_dollars(text: str) -> None:
    assert resolved(text.replace("$", "$$"), {"a": "X"}) == text


def test_interpolate_casts_the_fields_compose_casts_and_leaves_keys_alone() -> None:
    data = {
        "services": {"web": {
            "cpus": "${C}", "scale": "${S}", "privileged": "${P}", "tty": "YES", "init": "x",
            "image": "nginx:${TAG}", "environment": {"N": "5"},
            "ports": [{"target": "${T}"}], "deploy": {"replicas": " 3 "},
            "healthcheck": {"retries": "${R}", "disable": "off"},
        }},
        "networks": {"n": {"external": "true"}},
        "x-$A": "$A",
    }
    variables = {"C": "1.5", "S": "abc", "P": "on", "T": "80", "A": "a", "TAG": "1.2", "R": "3"}
    assert interpolate(data, variables.get, Tokens()) == {
        "services": {"web": {
            "cpus": 1.5, "scale": "abc", "privileged": True, "tty": True, "init": "x",
            "image": "nginx:1.2", "environment": {"N": "5"},
            "ports": [{"target": 80}], "deploy": {"replicas": 3},
            "healthcheck": {"retries": 3, "disable": False},
        }},
        "networks": {"n": {"external": True}},
        "x-$A": "a",
    }


def test_interpolate_keeps_tokens_uncast_and_invalid_templates_as_written() -> None:
    tokens = Tokens(nonce="k")
    data = {"services": {"w": {"cpus": "${MISSING}", "image": "${", "pids_limit": 5, "labels": None}}}
    assert interpolate(data, lambda _: None, tokens) == {
        "services": {"w": {"cpus": "\ue000k\ue0020\ue001", "image": "${", "pids_limit": 5, "labels": None}}}
    assert tokens.table == [Unresolved("${MISSING}", ("MISSING",))]


@pytest.mark.parametrize("text, lookup, expected", [
    ("A=1\nB=${A}x\n", {}, {"A": "1", "B": "1x"}),
    ("A=1\r\nB=2\r\n", {}, {"A": "1", "B": "2"}),
    ("# c\n\nexport E=\"q\\n$A\" # c\nA=z\n", {"A": "outer"}, {"E": "q\nouter", "A": "z"}),
    ("F=v #comment\nG=a#b\n", {}, {"F": "v", "G": "a#b"}),
    ("D='${A}'\nA=1\n", {}, {"D": "${A}", "A": "1"}),
    ('A="a\\"b"\nB=\'a\\\'b\'\n', {}, {"A": 'a"b', "B": "a'b"}),
    ('B="x\\$y"\n', {}, {"B": "x$y"}),
    ("G\nH:2\n K = v \nbad line\n", {"G": "g"}, {"G": "g", "H": "2", "K": "v"}),
    ("C='unterminated\nD=1\n", {}, {"D": "1"}),
    ("A=${1}\n", {}, {"A": "${1}"}),
    ("A=${U:-d}\n", {}, {"A": "d"}),
], ids=["interpolated-from-earlier", "crlf", "export-escapes-outer", "comments", "single-quotes-literal",
        "escaped-quotes", "escaped-dollar", "bare-key-colon-blank-and-junk", "unterminated-quote",
        "invalid-template-kept", "default"])
def test_parse_dotenv(text: str, lookup: dict[str, str], expected: dict[str, str]) -> None:
    assert parse_dotenv(text, lookup.get, Tokens()) == expected


def test_parse_dotenv_raw_takes_the_value_as_it_is() -> None:
    assert parse_dotenv("A=$B # x\nB='q'\n", {}.get, Tokens(), raw=True) == {"A": "$B # x", "B": "'q'"}


def test_parse_dotenv_leaves_unresolved_values_as_tokens() -> None:
    tokens = Tokens(nonce="z")
    assert parse_dotenv("A=${X}\nB=${A}\n", lambda _: None, tokens) == {
        "A": "\ue000z\ue0020\ue001", "B": "\ue000z\ue0021\ue001"}


def test_dotenv_variables_drop_what_does_not_resolve() -> None:
    text = "A=1\nB=${A}x\nC=${NOPE}\nD='${A}'\nG\nH=${C:-h}\n"
    assert dotenv_variables(text) == {"A": "1", "B": "1x", "D": "${A}", "H": "h"}


def test_give_variables_reaches_compose_documents_only() -> None:
    compose = SimpleNamespace(kind="compose", variables=None)
    other = SimpleNamespace(kind="compose", variables=None)
    config = SimpleNamespace(kind="config", variables=None)
    give_variables([compose, config, other], "TAG=1.2\n")
    assert (compose.variables, other.variables, config.variables) == ({"TAG": "1.2"}, {"TAG": "1.2"}, None)
    assert compose.variables is other.variables


def test_read_project_file(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / ".env").write_bytes(b"\xef\xbb\xbfA=1\n")
    (tmp_path / "shared.env").write_text("S=2\n")
    assert read_project_file(tmp_path / "app", tmp_path, ".env") == "A=1\n"
    assert read_project_file(tmp_path / "app", tmp_path, "../shared.env") == "S=2\n"
    assert read_project_file(tmp_path / "app", tmp_path, "missing.env") is None


@pytest.mark.parametrize("name", ["~/.env", "../../outside.env", "/etc/passwd", "link.env", "sub"],
                         ids=["home", "dotdot", "absolute", "symlink-out", "directory"])
def test_read_project_file_refuses_what_leaves_the_root(tmp_path: Path, name: str) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (tmp_path / "outside.env").write_text("X=1\n")
    (root / "link.env").symlink_to(tmp_path / "outside.env")
    with pytest.raises(Refused) as caught:
        read_project_file(root, root, name)
    assert caught.value.args == (name,)


def test_read_project_file_refuses_a_file_over_the_limit(tmp_path: Path) -> None:
    (tmp_path / "big.env").write_bytes(b"x" * ((1 << 20) + 1))
    with pytest.raises(Refused):
        read_project_file(tmp_path, tmp_path, "big.env")
