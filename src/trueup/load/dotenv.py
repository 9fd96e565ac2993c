"""Dotenv: a reader of our own, so values are what docker compose will see.

The stdlib has no ``.env`` reader, and python-dotenv differs from compose on
quoting and comments. Rules, after compose's: ``KEY=VALUE`` with an optional
leading ``export``; blank and ``#`` lines are skipped; an unquoted value ends at
`` #`` and is stripped; a single-quoted value is literal but for ``\\'``; a
double-quoted value may span lines and reads ``\\n``, ``\\t`` and ``\\r``, a
backslash before any other character keeping that character (``\\\\``, ``\\"``,
``\\$``); ``KEY=`` is empty; ``KEY: value`` equals ``KEY=value``; a bare ``KEY``
is inherited from the environment and reads as null. ``${VAR}`` references are
kept as written: the checker sees the file, not one shell's environment. Any
other line is an error, and a repeated key is a duplicate-key finding whose
later value wins, as in compose.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from ..errors import ParseError
from ..pointer import escape_token
from .parsed import Duplicate, Limits, Parsed
from .positions import LineIndex, ReaderLocator, one_table

SKIP = re.compile(r"[ \t\f\v]*(?:#[^\n]*)?(?:\n|\Z)")
ASSIGN = re.compile(r"[ \t]*(?:export[ \t]+)?(?P<key>[\w.\-\[\]]+)[ \t]*(?:(?P<sep>[=:])[ \t]*|(?=#|\n|\Z))")
QUOTED = {'"': re.compile(r'"((?:[^"\\]|\\.)*)"', re.S), "'": re.compile(r"'((?:[^'\\]|\\.)*)'", re.S)}
_QUOTE_NAMES = {'"': "double", "'": "single"}
COMMENT = re.compile(r"[ \t]#")
_ESCAPE = re.compile(r"\\(.)", re.S)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


@dataclass(frozen=True)
class Entry:
    """One entry as written, by offsets into the text (with CRLF read as LF): the loader reads its
    value and position from it, the ``.env`` editor its spans (``patch/env_edit.py``)."""

    key: str
    start: int  # where the entry begins (its line's first character)
    key_start: int
    key_end: int
    value_start: int  # a bare KEY: both at key_end
    value_end: int  # after the closing quote; unquoted: before a comment and trailing blanks
    quote: str | None  # None: a bare KEY (inherited, null); "": unquoted; '"' or "'"
    end: int  # past the entry's last line (its newline included)
    value: str | None  # the value as compose reads it


class Unreadable(Exception):
    """Text that is no entry, a blank line or a comment: the cause, and where."""

    def __init__(self, cause: str, offset: int) -> None:
        super().__init__(cause)
        self.cause, self.offset = cause, offset


def entries(text: str) -> Iterator[Entry]:
    """Each entry of ``text`` (CRLF already read as LF) in order; raises Unreadable."""
    pos = 0
    while pos < len(text):
        skip = SKIP.match(text, pos)
        if skip:
            pos = skip.end()
            continue
        match = ASSIGN.match(text, pos)
        if match is None:
            raise Unreadable("expected KEY=VALUE", len(text) - len(text[pos:].lstrip(" \t")))
        key, start = match.group("key"), match.end()
        quote = text[start:start + 1] if match.group("sep") else None
        if quote is None:
            value_start = value_end = match.end("key")
            value, end = None, SKIP.match(text, start).end()
        elif quote in QUOTED:
            closed = QUOTED[quote].match(text, start)
            if closed is None:
                raise Unreadable(f"unterminated {_QUOTE_NAMES[quote]}-quoted value", start)
            after = SKIP.match(text, closed.end())
            if after is None:
                raise Unreadable("unexpected text after the closing quote", closed.end())
            body = closed.group(1)
            value = _ESCAPE.sub(lambda e: _ESCAPES.get(e.group(1), e.group(1)), body) if quote == '"' \
                else body.replace("\\'", "'")
            value_start, value_end, end = start, closed.end(), after.end()
        else:
            quote, eol = "", text.find("\n", start)
            eol = len(text) if eol < 0 else eol
            written = COMMENT.split(text[start:eol], 1)[0]
            value, value_start, value_end = written.strip(), start, start + len(written.rstrip())
            end = eol + 1 if eol < len(text) else eol
        yield Entry(key, pos, match.start("key"), match.end("key"), value_start, value_end, quote, end, value)
        pos = end


class _Reader:
    """Reads the text once, keeping data, duplicates and each key's position."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text.replace("\r\n", "\n")
        self.file = file
        self.lines = LineIndex(self.text)
        self.data: dict[str, str | None] = {}
        self.duplicates: list[Duplicate] = []
        self.positions: dict[str, tuple[int, int]] = {"": (1, 1)}

    def read(self) -> dict[str, str | None]:
        try:
            for entry in entries(self.text):
                pointer, where = "/" + escape_token(entry.key), self.lines.position(entry.key_start)
                if entry.key in self.data:
                    self.duplicates.append(Duplicate(0, pointer, entry.key, *where))
                self.data[entry.key] = entry.value
                self.positions[pointer] = where
        except Unreadable as exc:
            raise ParseError(f"invalid .env: {exc.cause}", self.file, *self.lines.position(exc.offset)) from None
        return self.data


def parse(text: str, file: str, limits: Limits = Limits()) -> Parsed:
    return one_table(_Reader, text, file)


class Locator(ReaderLocator):
    reader = _Reader
