"""TOML: the stdlib ``tomllib`` reads the data; a small scanner finds positions.

tomllib reports no positions and returns date and time objects that JSON Schema
cannot check, so ``parse`` turns those into ISO 8601 strings and the Locator
re-reads the text on demand, following ``[tables]``, each repetition of an
``[[array.of.tables]]``, dotted and quoted keys, arrays and inline tables. A
repeated key is a TOML syntax error, so it stops the parse (no duplicate finding).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import re
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from ..errors import ParseError
from ..pointer import escape_token
from .parsed import Limits, Parsed, check_depth
from .positions import LineIndex, TableLocator

_WHERE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")
_SPACE = re.compile(r"[ \t]*")
_GAP = re.compile(r"(?:[ \t\r\n]|#[^\n]*)*")
_QUOTED = r""""(?:[^"\\\n]|\\.)*"|'[^'\n]*'"""
_KEY = re.compile(rf"[A-Za-z0-9_-]+|{_QUOTED}")
_DOTTED = re.compile(rf"[ \t]*(?:{_KEY.pattern})(?:[ \t]*\.[ \t]*(?:{_KEY.pattern}))*[ \t]*")
_STRING = re.compile(rf'"""(?:\\[\s\S]|[^\\])*?"{{3,5}}|\'\'\'[\s\S]*?\'{{3,5}}|{_QUOTED}')
_SCALAR = re.compile(r"[^,\]}#\r\n]*")
_REST = re.compile(r"[^\n]*")


def parse(text: str, file: str, limits: Limits = Limits()) -> Parsed:
    try:
        data = tomllib.loads(text)
        if not data:
            return Parsed([None])
        check_depth(data, limits.max_depth, file)
        return Parsed([plain_value(data)])
    except ValueError as exc:
        raise _error(exc, text, file) from None
    except RecursionError:
        raise ParseError("nesting too deep to parse", file) from None


def plain_value(value: Any) -> Any:
    """A TOML value as the checks see it: dates and times as their ISO 8601 text (the TOML editor
    compares what a file holds with it too)."""
    if isinstance(value, dict):
        return {key: plain_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_value(item) for item in value]
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


def _error(exc: ValueError, text: str, file: str) -> ParseError:
    """tomllib ends its message with the place, "(at line 3, column 7)"; int()'s digit limit gives none."""
    reason, line, column = str(exc), None, None
    where = _WHERE.search(reason)
    if where is None:
        reason = reason.split(":")[0]
    elif where.group(1):
        reason, line, column = reason[: where.start()], int(where.group(1)), int(where.group(2))
    else:
        reason, body = reason[: where.start()], text.rstrip()
        line, column = body.count("\n") + 1, len(body) - body.rfind("\n")
    if reason[1:2].islower():
        reason = reason[0].lower() + reason[1:]
    return ParseError(f"invalid TOML: {reason}", file, line, column)


def _key_name(token: str) -> str:
    if token[0] not in "\"'":
        return token
    try:
        return str(tomllib.loads(f"k = {token}")["k"])
    except ValueError:
        return token[1:-1]


class Locator(TableLocator):
    """One pass over the text: the position of every key, array item and table by pointer."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = LineIndex(text)
        super().__init__({"": (1, 1)})
        self.repeats: dict[str, int] = {}
        self.i = 0
        with contextlib.suppress(RecursionError):
            self._scan()

    def _pos(self, offset: int) -> tuple[int, int]:
        return self.lines.position(offset)

    def _skip(self, pattern: re.Pattern[str]) -> None:
        self.i = pattern.match(self.text, self.i).end()  # type: ignore[union-attr]

    def _scan(self) -> None:
        text, table = self.text, ""
        while True:
            self._skip(_GAP)
            if self.i >= len(text):
                return
            if text.startswith("[", self.i):
                table = self._header()
            else:
                self._pair(table)
            self._skip(_REST)

    def _header(self) -> str:
        start, double = self.i, self.text.startswith("[[", self.i)
        self.i += 2 if double else 1
        pointer = self._walk("", self._keys(), double)
        if double:
            index = self.repeats.get(pointer, 0)
            self.repeats[pointer] = index + 1
            pointer += f"/{index}"
            self.positions[pointer] = self._pos(start)
        return pointer

    def _walk(self, pointer: str, keys: list[tuple[str, int]], keep_first: bool) -> str:
        """Record each dotted key's position; a prefix naming an array of tables means its last table."""
        for n, (name, offset) in enumerate(keys):
            pointer += "/" + escape_token(name)
            if n == len(keys) - 1 and not keep_first:
                self.positions[pointer] = self._pos(offset)
                continue
            self.positions.setdefault(pointer, self._pos(offset))
            if n < len(keys) - 1 and pointer in self.repeats:
                pointer += f"/{self.repeats[pointer] - 1}"
        return pointer

    def _keys(self) -> list[tuple[str, int]]:
        dotted = _DOTTED.match(self.text, self.i)
        if dotted is None:
            return []
        self.i = dotted.end()
        found = _KEY.finditer(self.text, dotted.start(), dotted.end())
        return [(_key_name(match.group()), match.start()) for match in found]

    def _pair(self, table: str) -> None:
        keys = self._keys()
        if keys and self.text.startswith("=", self.i):
            self.i += 1
            self._value(self._walk(table, keys, False))

    def _value(self, pointer: str) -> None:
        self._skip(_SPACE)
        text, opener = self.text, self.text[self.i : self.i + 1]
        if opener not in ("[", "{"):
            match = _STRING.match(text, self.i) or _SCALAR.match(text, self.i)
            self.i = match.end()  # type: ignore[union-attr]
            return
        closer = "]" if opener == "[" else "}"
        self.i += 1
        for index in itertools.count():
            self._skip(_GAP)
            if self.i >= len(text) or text.startswith(closer, self.i):
                self.i += 1
                return
            if opener == "[":
                item = f"{pointer}/{index}"
                self.positions[item] = self._pos(self.i)
                self._value(item)
            else:
                self._pair(pointer)
            self._skip(_GAP)
            if not text.startswith(",", self.i):
                self.i += text.startswith(closer, self.i)
                return
            self.i += 1
