"""TOML loader: data as JSON-like values, exact error positions, and Locator lines."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.errors import ParseError
from trueup.load import Limits, toml_

FILES = Path(__file__).parent.parent / "example-files" / "load" / "toml"


def read(name: str) -> str:
    return (FILES / name).read_text(encoding="utf-8")


EXPECTED = {
    "good/pyproject.toml": {
        "build-system": {"requires": ["setuptools>=68", "wheel"], "build-backend": "setuptools.build_meta"},
        "project": {
            "name": "billing-service",
            "version": "2.4.1",
            "requires-python": ">=3.10",
            "authors": [{"name": "Ana Ortiz", "email": "ana@example.com"}, {"name": "Li Wei"}],
            "dependencies": ["fastapi>=0.110", "sqlalchemy[asyncio]==2.0.29"],
            "optional-dependencies": {"test": ["pytest", "hypothesis"]},
            "scripts": {"billing": "billing.cli:main"},
        },
        "tool": {
            "pytest": {"ini_options": {"addopts": "-q --strict-markers", "testpaths": ["tests"]}},
            "mypy": {
                "overrides": [
                    {"module": "sqlalchemy.*", "ignore_missing_imports": True},
                    {"module": ["boto3", "botocore.*"], "ignore_missing_imports": True, "follow_imports": "skip"},
                ]
            },
        },
    },
    "good/netlify.toml": {
        "build": {
            "base": "site/",
            "command": "npm run build",
            "publish": "dist",
            "environment": {"NODE_VERSION": "20", "NPM_FLAGS": "--prefer-offline"},
        },
        "redirects": [
            {"from": "/docs/*", "to": "https://docs.example.com/:splat", "status": 301, "force": True},
            {
                "from": "/api/*",
                "to": "/.netlify/functions/:splat",
                "status": 200,
                "conditions": {"Role": ["admin", "ops"]},
            },
        ],
        "headers": [
            {
                "for": "/*",
                "values": {
                    "X-Frame-Options": "DENY",
                    "Content-Security-Policy": "default-src 'self';\nimg-src 'self' https://cdn.example.com",
                },
            }
        ],
    },
    "good/release.toml": {
        "title": "payments freeze",
        "created": "2024-03-01T09:30:00+00:00",
        "starts": "2024-03-15T18:00:00+02:00",
        "ends": "2024-03-18",
        "daily-check": "07:45:00",
        "local-cutover": "2024-03-16T01:00:00",
        "limits": {
            "max-replicas": 12,
            "cpu-ratio": 0.75,
            "hex-id": 255,
            "big": 1_000_000,
            "site": {"eu-west": {"zones": ["a", "b"]}},
        },
        "windows": [
            {"name": "primary", "days": ["sat", "sun"]},
            {"name": "fallback", "approvers": [{"team": "sre"}, {"team": "finance"}]},
        ],
    },
    "good/comments-only.toml": None,
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_good_files_parse_to_exact_data(name: str, newline: str) -> None:
    parsed = toml_.parse(read(name).replace("\n", newline), name)
    assert parsed.documents == [EXPECTED[name]]
    assert parsed.duplicates == []


@pytest.mark.parametrize("text", ["", "  \n\t\n", "# only a comment", "# a\r\n\r\n# b\r\n"])
def test_empty_or_comment_only_text_is_one_empty_document(text: str) -> None:
    assert toml_.parse(text, "empty.toml").documents == [None]


BAD = [
    ("bad/duplicate-key.toml", 4, 19, "invalid TOML: cannot overwrite a value"),
    ("bad/table-twice.toml", 7, 10, "invalid TOML: cannot declare ('database',) twice"),
    ("bad/unterminated-string.toml", 2, 14, "invalid TOML: illegal character '\\n'"),
    ("bad/missing-value.toml", 2, 11, "invalid TOML: invalid value"),
    ("bad/bad-date.toml", 3, 12, "invalid TOML: invalid date or datetime"),
    ("bad/unclosed-array.toml", 4, 11, "invalid TOML: unclosed array"),
]


@pytest.mark.parametrize(("name", "line", "column", "cause"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_raise_parse_error_at_the_exact_place(name: str, line: int, column: int, cause: str) -> None:
    with pytest.raises(ParseError) as caught:
        toml_.parse(read(name), name)
    error = caught.value
    assert (error.cause, error.file, error.line, error.column) == (cause, name, line, column)


def test_crlf_error_keeps_line_and_column() -> None:
    with pytest.raises(ParseError) as caught:
        toml_.parse(read("bad/missing-value.toml").replace("\n", "\r\n"), "x.toml")
    assert (caught.value.line, caught.value.column) == (2, 11)


def test_error_at_end_of_document_points_after_the_last_character() -> None:
    with pytest.raises(ParseError) as caught:
        toml_.parse('name = "api"\ntags = ["a",\n\n', "x.toml")
    assert (caught.value.cause, caught.value.line, caught.value.column) == ("invalid TOML: invalid value", 2, 13)


def test_integer_past_the_digit_limit_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as caught:
        toml_.parse("n = " + "9" * 5000, "x.toml")
    assert caught.value.cause.startswith("invalid TOML: exceeds the limit")
    assert caught.value.line is None


def test_deep_array_nesting_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as caught:
        toml_.parse("a = " + "[" * 5000 + "]" * 5000, "x.toml")
    assert caught.value.cause == "nesting too deep to parse"


def test_nesting_past_the_depth_limit_is_refused() -> None:
    text = "[a.b.c]\nd = 1\n"
    assert toml_.parse(text, "x.toml", Limits(max_depth=4)).documents == [{"a": {"b": {"c": {"d": 1}}}}]
    with pytest.raises(ParseError) as caught:
        toml_.parse(text, "x.toml", Limits(max_depth=3))
    assert caught.value.cause == "nesting deeper than 3 levels"


POSITIONS = [
    ("good/pyproject.toml", "", (1, 1)),
    ("good/pyproject.toml", "/build-system/build-backend", (4, 1)),
    ("good/pyproject.toml", "/project", (6, 2)),
    ("good/pyproject.toml", "/project/authors/1", (12, 5)),
    ("good/pyproject.toml", "/project/authors/0/email", (11, 27)),
    ("good/pyproject.toml", "/project/dependencies/1", (16, 5)),
    ("good/pyproject.toml", "/project/optional-dependencies/test/1", (20, 19)),
    ("good/pyproject.toml", "/tool/pytest/ini_options", (25, 14)),
    ("good/pyproject.toml", "/tool/mypy/overrides", (29, 13)),
    ("good/pyproject.toml", "/tool/mypy/overrides/0", (29, 1)),
    ("good/pyproject.toml", "/tool/mypy/overrides/1", (33, 1)),
    ("good/pyproject.toml", "/tool/mypy/overrides/1/follow_imports", (36, 1)),
    ("good/pyproject.toml", "/tool/mypy/overrides/1/module/1", (34, 20)),
    ("good/netlify.toml", "/build/environment/NPM_FLAGS", (8, 5)),
    ("good/netlify.toml", "/redirects/1/status", (19, 3)),
    ("good/netlify.toml", "/redirects/1/conditions/Role/1", (20, 34)),
    ("good/netlify.toml", "/headers/0/values", (24, 12)),
    ("good/netlify.toml", "/headers/0/values/Content-Security-Policy", (26, 5)),
    ("good/release.toml", "/limits/site/eu-west/zones", (14, 16)),
    ("good/release.toml", "/windows/0/days/1", (20, 5)),
    ("good/release.toml", "/windows/1/approvers/1", (29, 3)),
    ("good/release.toml", "/windows/1/approvers/1/team", (30, 3)),
    ("good/release.toml", "/windows/1/approvers/1/missing", (29, 3)),
    ("good/release.toml", "/windows/7/name", (16, 3)),
    ("good/release.toml", "/nowhere/at/all", (1, 1)),
]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize(("name", "pointer", "expected"), POSITIONS)
def test_locator_finds_keys_items_and_tables(name: str, pointer: str, expected: tuple, newline: str) -> None:
    locator = toml_.Locator(read(name).replace("\n", newline))
    assert locator.position(0, pointer) == expected


def test_locator_reads_quoted_and_escaped_keys() -> None:
    text = '[servers."alpha.eu"]\n"a/b" = 1\n\'c~d\' = 2\n"e\\u00e9" = { "x.y" = 3 }\n'
    locator = toml_.Locator(text)
    assert locator.position(0, "/servers/alpha.eu") == (1, 10)
    assert locator.position(0, "/servers/alpha.eu/a~1b") == (2, 1)
    assert locator.position(0, "/servers/alpha.eu/c~0d") == (3, 1)
    assert locator.position(0, "/servers/alpha.eu/e\u00e9/x.y") == (4, 15)


def test_locator_skips_multiline_strings_that_look_like_keys() -> None:
    text = 'motd = """\n[fake]\nx = 1\n"""\nafter = 2\n'
    locator = toml_.Locator(text)
    assert locator.position(0, "/after") == (5, 1)
    assert locator.position(0, "/fake/x") == (1, 1)


_BARE = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,8}", fullmatch=True)
_SCALARS = st.one_of(
    st.integers(-(10**12), 10**12),
    st.booleans(),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.floats(allow_nan=False, allow_infinity=False),
)
_TABLES = st.dictionaries(_BARE, st.dictionaries(_BARE, _SCALARS, max_size=4), max_size=4)


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped) + '"'


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _toml_string(value)
    return repr(value)


@settings(max_examples=150, deadline=None, database=None)
@given(top=st.dictionaries(_BARE, _SCALARS, max_size=4), tables=_TABLES, newline=st.sampled_from(["\n", "\r\n"]))
def test_written_tables_parse_back_and_every_key_is_located(
    top: dict, tables: dict, newline: str
) -> None:
    tables = {name: body for name, body in tables.items() if name not in top}
    lines: list[str] = ["# generated"]
    where: dict[str, tuple[int, int]] = {}
    for key, value in top.items():
        lines.append(f"{key} = {_toml_value(value)}")
        where[f"/{key}"] = (len(lines), 1)
    for name, body in tables.items():
        lines.append(f"[{name}]")
        where[f"/{name}"] = (len(lines), 2)
        for key, value in body.items():
            lines.append(f"  {key} = {_toml_value(value)}")
            where[f"/{name}/{key}"] = (len(lines), 3)
    text = newline.join(lines) + newline
    expected = {**top, **tables} or None
    assert toml_.parse(text, "gen.toml").documents == [expected]
    locator = toml_.Locator(text)
    for pointer, position in where.items():
        assert locator.position(0, pointer) == position


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list("[]{}\"'=.,#\n\r \\abc1-:T")), max_size=60))
def test_any_text_parses_or_raises_parse_error_and_locator_never_fails(text: str) -> None:
    try:
        parsed = toml_.parse(text, "fuzz.toml")
    except ParseError as error:
        assert error.cause.startswith(("invalid TOML: ", "nesting"))
    else:
        assert len(parsed.documents) == 1
    position = toml_.Locator(text).position(0, "/a/b/0")
    assert position is not None and position[0] >= 1 and position[1] >= 1
