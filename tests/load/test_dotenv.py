""".env loader: compose's quoting and comment rules, duplicates, exact error lines, Locator lines."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.errors import ParseError
from trueup.load import Duplicate, dotenv

FILES = Path(__file__).parent.parent / "example-files" / "load" / "dotenv"


def read(name: str) -> str:
    return (FILES / name).read_text(encoding="utf-8")


EXPECTED = {
    "good/app.env": {
        "APP_ENV": "staging",
        "LOG_LEVEL": "info",
        "DATABASE_URL": "postgres://orders:secret@db:5432/orders",
        "GREETING": "Hello, $USER # not a comment",
        "BANNER": 'Line one\nLine two\t(tabbed) "quoted" and \\backslash',
        "TLS_KEY": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
        "EMPTY": "",
        "INDENTED": "spaced value",
        "CACHE_URL": "redis://${REDIS_HOST}:6379/0",
        "HASH_IN_VALUE": "abc#123",
    },
    "good/compose.env": {
        "COMPOSE_PROJECT_NAME": "shop",
        "COMPOSE_PROFILES": "web,worker",
        "WEB_TAG": "1.14.2",
        "WORKER_TAG": "1.14.2-rc.1",
        "NGINX_TAG": "1.25-alpine",
    },
    "good/duplicates.env": {"API_URL": "https://api.staging.example.com", "TIMEOUT": "45"},
    "good/comments-only.env": None,
    "good/inherited.env": {"HOME_DIR": "/srv/app", "AWS_PROFILE": None},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_good_files_parse_to_exact_data(name: str, newline: str) -> None:
    assert dotenv.parse(read(name).replace("\n", newline), name).documents == [EXPECTED[name]]


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - {"good/duplicates.env"}))
def test_files_without_repeats_report_no_duplicates(name: str) -> None:
    assert dotenv.parse(read(name), name).duplicates == []


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_repeated_keys_are_duplicates_and_the_later_value_wins(newline: str) -> None:
    parsed = dotenv.parse(read("good/duplicates.env").replace("\n", newline), "dup.env")
    assert parsed.duplicates == [
        Duplicate(0, "/API_URL", "API_URL", 3, 1),
        Duplicate(0, "/TIMEOUT", "TIMEOUT", 4, 8),
    ]


@pytest.mark.parametrize("text", ["", "\n  \n", "# a\n   # b", "#x\r\n\r\n"])
def test_empty_or_comment_only_text_is_one_empty_document(text: str) -> None:
    assert dotenv.parse(text, ".env").documents == [None]


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("K=a b  # comment", "a b"),
        ("K=a\t# tab comment", "a"),
        ("K= #starts-with-hash", "#starts-with-hash"),
        ("K=a#b", "a#b"),
        ("K='a \\n $b \"c\"'", 'a \\n $b "c"'),
        ('K="a\\$b \\x \\\\n"', "a$b x \\n"),
        ('K="" # empty', ""),
        ("K=''", ""),
        ("export   K = v", "v"),
        ("export=1", "1"),
        ("K=a=b", "a=b"),
        ("K: v", "v"),
        ("K : 'it\\'s'", "it's"),
        ("K='a\\b'", "a\\b"),
    ],
)
def test_value_rules(line: str, value: str) -> None:
    key = "export" if line.startswith("export=") else "K"
    assert dotenv.parse(line + "\n", ".env").documents == [{key: value}]


BAD = [
    ("bad/not-assignment.env", 3, 1, "invalid .env: expected KEY=VALUE"),
    ("bad/unterminated-quote.env", 2, 6, "invalid .env: unterminated double-quoted value"),
    ("bad/text-after-quote.env", 2, 18, "invalid .env: unexpected text after the closing quote"),
]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize(("name", "line", "column", "cause"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_raise_parse_error_at_the_exact_line(
    name: str, line: int, column: int, cause: str, newline: str
) -> None:
    with pytest.raises(ParseError) as caught:
        dotenv.parse(read(name).replace("\n", newline), name)
    error = caught.value
    assert (error.cause, error.file, error.line, error.column) == (cause, name, line, column)


def test_unterminated_single_quote_names_its_line() -> None:
    with pytest.raises(ParseError) as caught:
        dotenv.parse("A=1\n\nB='open\n", ".env")
    assert (caught.value.cause, caught.value.line, caught.value.column) == (
        "invalid .env: unterminated single-quoted value", 3, 3
    )


POSITIONS = [
    ("good/app.env", "", (1, 1)),
    ("good/app.env", "/APP_ENV", (2, 1)),
    ("good/app.env", "/LOG_LEVEL", (3, 8)),
    ("good/app.env", "/TLS_KEY", (7, 1)),
    ("good/app.env", "/EMPTY", (10, 1)),
    ("good/app.env", "/INDENTED", (11, 3)),
    ("good/app.env", "/HASH_IN_VALUE", (13, 1)),
    ("good/app.env", "/MISSING", (1, 1)),
    ("good/app.env", "/APP_ENV/0", (2, 1)),
    ("good/compose.env", "/NGINX_TAG", (7, 8)),
    ("good/duplicates.env", "/API_URL", (3, 1)),
    ("good/duplicates.env", "/TIMEOUT", (4, 8)),
]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize(("name", "pointer", "expected"), POSITIONS)
def test_locator_finds_each_key(name: str, pointer: str, expected: tuple, newline: str) -> None:
    assert dotenv.Locator(read(name).replace("\n", newline)).position(0, pointer) == expected


def test_locator_keeps_positions_read_before_an_error() -> None:
    locator = dotenv.Locator("A=1\nB=2\nnot valid\nC=3\n")
    assert locator.position(0, "/B") == (2, 1)
    assert locator.position(0, "/C") == (1, 1)


_KEY = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.]{0,12}", fullmatch=True)
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_STYLE = st.sampled_from(["unquoted", "single", "double", "double-raw-newlines"])


def _write(value: str, style: str) -> str:
    plain = value == value.strip() and "\n" not in value and "\r" not in value and " #" not in value
    if style == "unquoted" and plain and "\t#" not in value and not value.startswith(("'", '"')):
        return value
    # In single quotes only \' is special (as in compose), so a trailing backslash cannot be written.
    if style == "single" and "'" not in value and "\r" not in value and not value.endswith("\\"):
        return f"'{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r")
    if style != "double-raw-newlines":
        escaped = escaped.replace("\n", "\\n")
    return f'"{escaped}"'


@settings(max_examples=200, deadline=None, database=None)
@given(
    entries=st.dictionaries(_KEY, st.tuples(_TEXT, _STYLE, st.booleans()), max_size=6),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_written_env_parses_back_and_every_key_is_located(entries: dict, newline: str) -> None:
    chunks: list[str] = ["# generated"]
    where: dict[str, tuple[int, int]] = {}
    for key, (value, style, export) in entries.items():
        line = 1 + sum(chunk.count("\n") + 1 for chunk in chunks)
        where[f"/{key}"] = (line, 8 if export else 1)
        chunks.append(("export " if export else "") + f"{key}={_write(value, style)}")
    text = newline.join(chunk.replace("\n", newline) for chunk in chunks) + newline
    parsed = dotenv.parse(text, "gen.env")
    assert parsed.documents == [{key: value for key, (value, _, _) in entries.items()} or None]
    assert parsed.duplicates == []
    locator = dotenv.Locator(text)
    for pointer, position in where.items():
        assert locator.position(0, pointer) == position


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list("AB=#'\"\\\n\r \texport")), max_size=60))
def test_any_text_parses_or_raises_parse_error(text: str) -> None:
    try:
        parsed = dotenv.parse(text, "fuzz.env")
    except ParseError as error:
        assert error.cause.startswith("invalid .env: ") and error.line is not None
    else:
        assert len(parsed.documents) == 1
    assert dotenv.Locator(text).position(0, "/A") is not None


def test_entries_give_the_spans_the_editor_and_the_values_the_loader_use() -> None:
    """One reading of the grammar serves both: each entry's key, value as written (by offsets), and
    value as compose reads it."""
    from trueup.load.dotenv import entries

    text = 'A=1 # c\nexport B = "x\\ny" \n C\nD=\'q\\\'s\'\n'
    found = [(e.key, text[e.key_start:e.key_end], text[e.value_start:e.value_end], e.quote, e.value,
              text[e.start:e.end]) for e in entries(text)]
    assert found == [
        ("A", "A", "1", "", "1", "A=1 # c\n"),
        ("B", "B", '"x\\ny"', '"', "x\ny", 'export B = "x\\ny" \n'),
        ("C", "C", "", None, None, " C\n"),
        ("D", "D", "'q\\'s'", "'", "q's", "D='q\\'s'\n"),
    ]


@pytest.mark.parametrize("text, cause, offset", [
    ("A=1\n=2\n", "expected KEY=VALUE", 4),
    ('A="open\n', "unterminated double-quoted value", 2),
    ("A='x' y\n", "unexpected text after the closing quote", 5),
])
def test_entries_name_what_is_unreadable_and_where(text: str, cause: str, offset: int) -> None:
    from trueup.load.dotenv import Unreadable, entries

    with pytest.raises(Unreadable) as caught:
        list(entries(text))
    assert (caught.value.cause, caught.value.offset) == (cause, offset)
