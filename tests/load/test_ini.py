"""INI loader: sectionless keys, continuations, duplicates with positions, exact error lines."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.errors import ParseError
from trueup.load import Duplicate, ini

FILES = Path(__file__).parent.parent / "example-files" / "load" / "ini"


def read(name: str) -> str:
    return (FILES / name).read_text(encoding="utf-8")


EXPECTED = {
    "good/setup.cfg": {
        "metadata": {
            "name": "inventory-sync",
            "version": "attr: inventory.__version__",
            "description": "Sync stock levels between the warehouse and the shop",
            "license": "Apache-2.0",
        },
        "options": {
            "python_requires": ">=3.9",
            "packages": "find:",
            "install_requires": "\nrequests>=2.31\npydantic>=2,<3\ntenacity",
        },
        "options.entry_points": {"console_scripts": "\ninventory-sync = inventory.cli:main"},
        "flake8": {"max-line-length": "100", "extend-ignore": "E203, W503"},
    },
    "good/editorconfig.ini": {
        "root": "true",
        "*": {"end_of_line": "lf", "insert_final_newline": "true", "charset": "utf-8"},
        "*.{py,toml}": {"indent_style": "space", "indent_size": "4"},
        "Makefile": {"indent_style": "tab"},
    },
    "good/mysql.conf": {
        "client": {"port": "3306", "socket": "/var/run/mysqld/mysqld.sock"},
        "mysqld": {
            "bind-address": "127.0.0.1",
            "max_connections": "200",
            "sql_mode": "STRICT_TRANS_TABLES,NO_ZERO_DATE",
            "innodb_buffer_pool_size": "2G",
            "log-error": "",
        },
    },
    "good/duplicates.ini": {
        "server": {"host": "127.0.0.1", "port": "9090", "timeout": "30"},
        "tls": {"enabled": "false"},
    },
    "good/comments-only.ini": None,
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_good_files_parse_to_exact_data(name: str, newline: str) -> None:
    assert ini.parse(read(name).replace("\n", newline), name).documents == [EXPECTED[name]]


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - {"good/duplicates.ini"}))
def test_files_without_repeats_report_no_duplicates(name: str) -> None:
    assert ini.parse(read(name), name).duplicates == []


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_repeated_section_and_keys_are_duplicates_with_positions(newline: str) -> None:
    parsed = ini.parse(read("good/duplicates.ini").replace("\n", newline), "dup.ini")
    assert parsed.duplicates == [
        Duplicate(0, "/server", "server", 8, 2),
        Duplicate(0, "/server/port", "port", 9, 1),
        Duplicate(0, "/server/host", "host", 11, 1),
    ]


def test_repeated_sectionless_key_is_a_duplicate() -> None:
    parsed = ini.parse("user = app\n  ; note\nuser = admin\n", "x.conf")
    assert parsed.documents == [{"user": "admin"}]
    assert parsed.duplicates == [Duplicate(0, "/user", "user", 3, 1)]


@pytest.mark.parametrize("text", ["", " \n\n", "; a\n# b\n", "\r\n  ; indented comment\r\n"])
def test_empty_or_comment_only_text_is_one_empty_document(text: str) -> None:
    assert ini.parse(text, "x.ini").documents == [None]


def test_section_without_keys_is_an_empty_mapping() -> None:
    assert ini.parse("[empty]\n", "x.ini").documents == [{"empty": {}}]


def test_continuation_needs_deeper_indent_and_stops_at_blank_or_comment_lines() -> None:
    text = "[s]\n  a = 1\n  b = 2\n    more\n\n    c = 3\nd = x\n  y\n; c\n  e = 4\n"
    assert ini.parse(text, "x.ini").documents == [
        {"s": {"a": "1", "b": "2\nmore", "c": "3", "d": "x\ny", "e": "4"}}
    ]
    assert ini.parse("[s]\nk = v\n  [not a section]\n", "x.ini").documents == [{"s": {"k": "v\n[not a section]"}}]


def test_split_is_at_the_first_separator_and_values_keep_inline_hashes() -> None:
    text = "url: http://host:80/a=b\nratio = 3:1\ncolor = #fff ; not a comment\n"
    assert ini.parse(text, "x.ini").documents == [
        {"url": "http://host:80/a=b", "ratio": "3:1", "color": "#fff ; not a comment"}
    ]


BAD = [
    ("bad/garbage-line.ini", 4, 1, "invalid INI: expected 'key = value' or '[section]'"),
    ("bad/unclosed-section.ini", 4, 1, "invalid INI: section header without a closing ']'"),
    ("bad/empty-key.ini", 3, 1, "invalid INI: no key before '='"),
    ("bad/section-named-like-key.ini", 4, 1, "invalid INI: section [logging] has the name of a key above it"),
]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize(("name", "line", "column", "cause"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_raise_parse_error_at_the_exact_line(
    name: str, line: int, column: int, cause: str, newline: str
) -> None:
    with pytest.raises(ParseError) as caught:
        ini.parse(read(name).replace("\n", newline), name)
    error = caught.value
    assert (error.cause, error.file, error.line, error.column) == (cause, name, line, column)


def test_indented_garbage_and_empty_section_name_report_their_column() -> None:
    with pytest.raises(ParseError) as caught:
        ini.parse("[a]\nk = v\n\n   stray words\n", "x.ini")
    assert (caught.value.line, caught.value.column) == (4, 4)
    with pytest.raises(ParseError) as caught:
        ini.parse("k = v\n\n [  ]\n", "x.ini")
    assert (caught.value.cause, caught.value.line, caught.value.column) == ("invalid INI: empty section name", 3, 2)


POSITIONS = [
    ("good/setup.cfg", "", (1, 1)),
    ("good/setup.cfg", "/metadata", (1, 2)),
    ("good/setup.cfg", "/metadata/license", (5, 1)),
    ("good/setup.cfg", "/options/install_requires", (10, 1)),
    ("good/setup.cfg", "/options.entry_points/console_scripts", (16, 1)),
    ("good/setup.cfg", "/flake8/extend-ignore", (22, 1)),
    ("good/setup.cfg", "/flake8/missing", (20, 2)),
    ("good/setup.cfg", "/nope/missing", (1, 1)),
    ("good/editorconfig.ini", "/root", (2, 1)),
    ("good/editorconfig.ini", "/*.{py,toml}/indent_size", (11, 1)),
    ("good/editorconfig.ini", "/Makefile", (13, 2)),
    ("good/mysql.conf", "/mysqld/bind-address", (6, 1)),
    ("good/mysql.conf", "/mysqld/log-error", (10, 1)),
    ("good/duplicates.ini", "/server", (1, 2)),
    ("good/duplicates.ini", "/server/port", (9, 1)),
    ("good/duplicates.ini", "/server/timeout", (10, 1)),
    ("good/duplicates.ini", "/tls/enabled", (6, 1)),
]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize(("name", "pointer", "expected"), POSITIONS)
def test_locator_finds_sections_and_keys(name: str, pointer: str, expected: tuple, newline: str) -> None:
    assert ini.Locator(read(name).replace("\n", newline)).position(0, pointer) == expected


def test_locator_escapes_slashes_and_tildes_and_finds_indented_headers() -> None:
    locator = ini.Locator("[paths]\n  a/b = 1\n\n   [ x~y ]\nk = 2\n")
    assert locator.position(0, "/paths/a~1b") == (2, 3)
    assert locator.position(0, "/x~0y") == (4, 6)
    assert locator.position(0, "/x~0y/k") == (5, 1)


def test_locator_keeps_positions_read_before_an_error() -> None:
    locator = ini.Locator("[a]\nk = 1\nbroken\nlater = 2\n")
    assert locator.position(0, "/a/k") == (2, 1)
    assert locator.position(0, "/a/later") == (1, 2)


_NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,10}", fullmatch=True)
_LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=15).map(str.strip)
_VALUE = st.tuples(
    _LINE, st.lists(_LINE.filter(lambda s: s != "" and s[0] not in ";#"), max_size=2)
).map(lambda parts: "\n".join([parts[0], *parts[1]]))
_SECTIONS = st.dictionaries(_NAME, st.dictionaries(_NAME, _VALUE, max_size=4), max_size=4)


@settings(max_examples=200, deadline=None, database=None)
@given(top=st.dictionaries(_NAME, _VALUE, max_size=3), sections=_SECTIONS, newline=st.sampled_from(["\n", "\r\n"]))
def test_written_ini_parses_back_and_every_key_is_located(top: dict, sections: dict, newline: str) -> None:
    sections = {name: body for name, body in sections.items() if name not in top}
    lines: list[str] = ["; generated"]
    where: dict[str, tuple[int, int]] = {}

    def write(pointer: str, key: str, value: str) -> None:
        first, *rest = value.split("\n")
        lines.append(f"{key} = {first}")
        where[pointer] = (len(lines), 1)
        lines.extend("    " + part for part in rest)

    for key, value in top.items():
        write(f"/{key}", key, value)
    for name, body in sections.items():
        lines.extend(["", f"[{name}]"])
        where[f"/{name}"] = (len(lines), 2)
        for key, value in body.items():
            write(f"/{name}/{key}", key, value)
    text = newline.join(lines) + newline
    parsed = ini.parse(text, "gen.ini")
    assert parsed.documents == [{**top, **sections} or None]
    assert parsed.duplicates == []
    locator = ini.Locator(text)
    for pointer, position in where.items():
        assert locator.position(0, pointer) == position


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list("[]=:;#\n\r \tab~/")), max_size=60))
def test_any_text_parses_or_raises_parse_error(text: str) -> None:
    try:
        parsed = ini.parse(text, "fuzz.ini")
    except ParseError as error:
        assert error.cause.startswith("invalid INI: ") and error.line is not None
    else:
        assert len(parsed.documents) == 1
    assert ini.Locator(text).position(0, "/a/b") is not None
