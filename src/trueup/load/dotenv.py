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

from ..errors import ParseError
from ..pointer import escape_token
from .parsed import Duplicate, Limits, Parsed
from .positions import LineIndex, TableLocator, read_positions

SKIP = re.compile(r"[ \t\f\v]*(?:#[^\n]*)?(?:\n|\Z)")
ASSIGN = re.compile(r"[ \t]*(?:export[ \t]+)?(?P<key>[\w.\-\[\]]+)[ \t]*(?:(?P<sep>[=:])[ \t]*|(?=#|\n|\Z))")
QUOTED = {'"': re.compile(r'"((?:[^"\\]|\\.)*)"', re.S), "'": re.compile(r"'((?:[^'\\]|\\.)*)'", re.S)}
_QUOTE_NAMES = {'"': "double", "'": "single"}
COMMENT = re.compile(r"[ \t]#")
_ESCAPE = re.compile(r"\\(.)", re.S)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


class _Reader:
    """Reads the text once, keeping data, duplicates and each key's position."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text.replace("\r\n", "\n")
        self.file = file
        self.lines = LineIndex(self.text)
        self.data: dict[str, str | None] = {}
        self.duplicates: list[Duplicate] = []
        self.positions: dict[str, tuple[int, int]] = {"": (1, 1)}

    def _pos(self, offset: int) -> tuple[int, int]:
        return self.lines.position(offset)

    def _fail(self, cause: str, offset: int) -> ParseError:
        return ParseError(f"invalid .env: {cause}", self.file, *self._pos(offset))

    def read(self) -> dict[str, str | None]:
        text, pos = self.text, 0
        while pos < len(text):
            skip = SKIP.match(text, pos)
            if skip:
                pos = skip.end()
                continue
            match = ASSIGN.match(text, pos)
            if match is None:
                start = len(text) - len(text[pos:].lstrip(" \t"))
                raise self._fail("expected KEY=VALUE", start)
            key = match.group("key")
            where = self._pos(match.start("key"))
            if match.group("sep"):
                value, pos = self._value(match.end())
            else:
                value, pos = None, SKIP.match(text, match.end()).end()
            pointer = "/" + escape_token(key)
            if key in self.data:
                self.duplicates.append(Duplicate(0, pointer, key, *where))
            self.data[key] = value
            self.positions[pointer] = where
        return self.data

    def _value(self, pos: int) -> tuple[str | None, int]:
        text = self.text
        quote = text[pos : pos + 1]
        if quote and quote in QUOTED:
            match = QUOTED[quote].match(text, pos)
            if match is None:
                raise self._fail(f"unterminated {_QUOTE_NAMES[quote]}-quoted value", pos)
            after = SKIP.match(text, match.end())
            if after is None:
                raise self._fail("unexpected text after the closing quote", match.end())
            body = match.group(1)
            if quote == '"':
                body = _ESCAPE.sub(lambda e: _ESCAPES.get(e.group(1), e.group(1)), body)
            else:
                body = body.replace("\\'", "'")
            return body, after.end()
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        return COMMENT.split(text[pos:end], 1)[0].strip(), end + 1


def parse(text: str, file: str, limits: Limits = Limits()) -> Parsed:
    reader = _Reader(text, file)
    data = reader.read()
    return Parsed([data or None], reader.duplicates)


class Locator(TableLocator):
    def __init__(self, text: str) -> None:
        super().__init__(read_positions(_Reader(text, "")))
