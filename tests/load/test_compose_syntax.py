"""load/compose_syntax.py: compose's short syntaxes (ports, volumes, commands, extra_hosts) in long form."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.load.compose_syntax import (
    SplitError,
    host_entries,
    is_host_path,
    parse_port,
    parse_ports,
    parse_volume,
    port_key,
    port_text,
    scalar_text,
    split_words,
)

TCP = {"protocol": "tcp", "mode": "ingress"}


@pytest.mark.parametrize("value, expected", [
    (None, None), (True, "true"), (False, "false"), (8080, "8080"), (1.5, "1.5"), ("x", "x"),
], ids=["none", "true", "false", "int", "float", "str"])
def test_scalar_text(value: Any, expected: str | None) -> None:
    assert scalar_text(value) == expected


@pytest.mark.parametrize("item, expected", [
    ("80", [{**TCP, "target": "80"}]),
    ("8080:80", [{**TCP, "target": "80", "published": "8080"}]),
    ("127.0.0.1:8080:80/udp",
     [{"protocol": "udp", "mode": "ingress", "host_ip": "127.0.0.1", "target": "80", "published": "8080"}]),
    ("80/UDP", [{"protocol": "udp", "mode": "ingress", "target": "80"}]),
    ("[::1]:8080:80", [{**TCP, "host_ip": "::1", "target": "80", "published": "8080"}]),
    ("0.0.0.0::80", [{**TCP, "host_ip": "0.0.0.0", "target": "80"}]),
    ("8000-8002:9000-9002", [{**TCP, "target": "9000", "published": "8000"},
                             {**TCP, "target": "9001", "published": "8001"},
                             {**TCP, "target": "9002", "published": "8002"}]),
    ("3000-3001", [{**TCP, "target": "3000"}, {**TCP, "target": "3001"}]),
    ("9000-9001:80", [{**TCP, "target": "80", "published": "9000-9001"}]),
    ("8000-8002:80-81", [{"target": "80-81", "published": "8000-8002", **TCP}]),
    ("3001-3000", [{"target": "3001-3000", **TCP}]),
    ({"target": 80, "published": 8080, "host_ip": None}, [{"target": "80", "published": "8080", **TCP}]),
    (8080, [{**TCP, "target": "8080"}]),
], ids=["target", "published", "host-ip-udp", "protocol-lowered", "ipv6-brackets", "empty-published",
        "range-to-range", "container-range", "host-range-one-target", "ranges-of-two-sizes", "backwards-range",
        "long-form", "integer"])
def test_parse_ports(item: Any, expected: list[dict[str, Any]]) -> None:
    assert parse_ports(item) == expected


@pytest.mark.parametrize("item, expected", [
    ("80", {"target": "80", **TCP}),
    ("8080:80/sctp", {"target": "80", "published": "8080", "protocol": "sctp", "mode": "ingress"}),
    ("::1:8080:80", {"target": "80", "published": "8080", "host_ip": "::1", **TCP}),
    ("[fe80::1]:8080:80", {"target": "80", "published": "8080", "host_ip": "fe80::1", **TCP}),
    ("[::1]::80", {"target": "80", "host_ip": "::1", **TCP}),
    ({"target": "80", "protocol": "UDP", "mode": "host"}, {"target": "80", "protocol": "udp", "mode": "host"}),
    ({"target": 443, "published": True}, {"target": "443", "published": "true", **TCP}),
], ids=["target", "sctp", "bare-ipv6", "bracketed-ipv6", "bracketed-ipv6-no-published", "long-keeps-mode",
        "long-boolean-published"])
def test_parse_port(item: Any, expected: dict[str, Any]) -> None:
    assert parse_port(item) == expected


@pytest.mark.parametrize("port, text, key", [
    ({"target": "80", "protocol": "tcp"}, "80", "::80/tcp"),
    ({"target": "80", "published": "8080", "protocol": "udp"}, "8080:80/udp", ":8080:80/udp"),
    ({"target": "80", "published": "8080", "host_ip": "::1", "protocol": "tcp"}, "[::1]:8080:80", "::1:8080:80/tcp"),
    ({"target": "80", "host_ip": "127.0.0.1", "protocol": "tcp"}, "127.0.0.1::80", "127.0.0.1::80/tcp"),
    ({"target": "80", "host_ip": "::1", "protocol": "tcp"}, "[::1]::80", "::1::80/tcp"),
], ids=["target", "udp", "ipv6", "host-no-published", "ipv6-no-published"])
def test_port_text_and_key(port: dict[str, Any], text: str, key: str) -> None:
    assert (port_text(port), port_key(port)) == (text, key)


PORTS = st.builds(
    lambda host, published, target, protocol: {
        **({"host_ip": host} if host else {}), **({"published": published} if published else {}),
        "target": target, "protocol": protocol, "mode": "ingress"},
    st.sampled_from(["", "127.0.0.1", "::1", "fe80::2", "0.0.0.0"]),
    st.one_of(st.just(""), st.integers(1, 65535).map(str)),
    st.integers(1, 65535).map(str),
    st.sampled_from(["tcp", "udp", "sctp"]),
)


@settings(max_examples=150, deadline=None)
@given(PORTS)
def test_port_text_reads_back_as_the_same_port(port: dict[str, Any]) -> None:
    assert parse_port(port_text(port)) == port


@pytest.mark.parametrize("source, expected", [
    ("./data", True), ("/srv", True), ("~/x", True), ("\\\\server\\share", True), ("C:\\x", True),
    ("c:", True), ("data", False), ("", False), ("1:x", False),
], ids=["relative", "absolute", "home", "unc", "drive", "drive-only", "named", "empty", "digit-colon"])
def test_is_host_path(source: str, expected: bool) -> None:
    assert is_host_path(source) is expected


@pytest.mark.parametrize("item, expected", [
    ("/data", {"type": "volume", "target": "/data"}),
    ("./data:/var/lib/data:ro", {"type": "bind", "source": "./data", "target": "/var/lib/data", "read_only": True}),
    ("db:/var/lib/pg:nocopy", {"type": "volume", "source": "db", "target": "/var/lib/pg", "volume": {"nocopy": True}}),
    ("/a:/b/../c/:z,rshared",
     {"type": "bind", "source": "/a", "target": "/c", "bind": {"selinux": "z", "propagation": "rshared"}}),
    ("/a:/b:Z", {"type": "bind", "source": "/a", "target": "/b", "bind": {"selinux": "Z"}}),
    ("C:\\x:/y", {"type": "bind", "source": "C:\\x", "target": "/y"}),
    ("~/x:/y:rw", {"type": "bind", "source": "~/x", "target": "/y"}),
    ("vol:relative", {"type": "volume", "source": "vol", "target": "relative"}),
    ("ab", {"type": "volume", "target": "ab"}),
    ({"type": "bind", "source": "/a", "target": "/b//", "read_only": False, "bind": {"create_host_path": True}},
     {"type": "bind", "source": "/a", "target": "/b"}),
    ({"type": "bind", "source": "/a", "target": "/b", "bind": {"create_host_path": False}},
     {"type": "bind", "source": "/a", "target": "/b", "bind": {"create_host_path": False}}),
    ({"type": "volume", "source": "v", "target": "/d", "volume": None, "tmpfs": {}},
     {"type": "volume", "source": "v", "target": "/d"}),
    ({"type": "bind", "source": "/a", "target": "/b", "read_only": True},
     {"type": "bind", "source": "/a", "target": "/b", "read_only": True}),
], ids=["anonymous", "bind-ro", "nocopy", "clean-target-options", "selinux-Z", "windows-drive", "home-rw",
        "relative-target-kept", "two-characters", "long-defaults-dropped", "long-create-false-kept",
        "empty-sections-dropped", "long-read-only"])
def test_parse_volume(item: Any, expected: dict[str, Any]) -> None:
    assert parse_volume(item) == expected


@pytest.mark.parametrize("line, expected", [
    ("echo hi", ["echo", "hi"]),
    ("  echo \t hi  ", ["echo", "hi"]),
    ("sh -c 'a  b'", ["sh", "-c", "a  b"]),
    ('a "b c" d', ["a", "b c", "d"]),
    ("a\\ b", ["a b"]),
    ("\\$HOME", ["$HOME"]),
    ("'a\\b'", ["a\\b"]),
    ("''", [""]),
    ('a""b', ["ab"]),
    ("echo $(date +%s) x", ["echo", "$(date +%s)", "x"]),
    ("`x y` z", ["`x y`", "z"]),
    ("a; rm -rf /", ["a"]),
    ("x && y", ["x"]),
    ("a | b", ["a"]),
    ("cmd >out", ["cmd"]),
    ("a 2>err", ["a"]),
    ("a '>' b", ["a", ">", "b"]),
    ("", []),
], ids=["words", "blanks", "single-quotes", "double-quotes", "escaped-blank", "escaped-dollar",
        "backslash-in-single", "empty-quoted", "adjacent-quotes", "dollar-paren", "backticks", "semicolon",
        "and", "pipe", "redirect", "descriptor-redirect", "quoted-operator", "empty"])
def test_split_words(line: str, expected: list[str]) -> None:
    assert split_words(line) == expected


@pytest.mark.parametrize("line", ["'open", '"open', "`open", "(x", "$(x", "a\\"],
                         ids=["single", "double", "backtick", "paren", "dollar-paren", "trailing-backslash"])
def test_split_words_refuses_what_compose_refuses(line: str) -> None:
    with pytest.raises(SplitError) as caught:
        split_words(line)
    assert caught.value.args == (line,)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet="abcXYZ019-_./=,:@%+", min_size=1, max_size=8), max_size=6))
def test_plain_words_split_back_unchanged(words: list[str]) -> None:
    assert split_words(" ".join(words)) == words


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="'", min_codepoint=32, max_codepoint=126),
                        max_size=8), max_size=5))
def test_single_quoted_words_are_kept_as_they_are(words: list[str]) -> None:
    assert split_words(" ".join(f"'{w}'" for w in words)) == words


@pytest.mark.parametrize("items, expected", [
    (["a=1.2.3.4", "b:::1", "c:10.0.0.1", "d"], {"a": "1.2.3.4", "b": "::1", "c": "10.0.0.1", "d": None}),
    (["h=fe80::1"], {"h": "fe80::1"}),
    ({"x": "1.1.1.1", 5: None, "y": True}, {"x": "1.1.1.1", "5": None, "y": "true"}),
    ([], {}),
    ("a=1", None),
    (None, None),
], ids=["list-forms", "equals-first", "mapping", "empty-list", "string-refused", "none"])
def test_host_entries(items: Any, expected: dict[str, Any] | None) -> None:
    assert host_entries(items) == expected
