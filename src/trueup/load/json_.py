"""JSON: the stdlib decoder for data; a small scanner for positions and duplicate keys.

The scanner runs only when a finding needs a line or the decoder saw a repeated
key, so the common case costs one ``json.loads``.
"""
from __future__ import annotations

import json
import re
from typing import Any

from ..errors import ParseError
from ..pointer import escape_token
from .parsed import Duplicate, Limits, Parsed, check_depth
from .positions import LineIndex, TableLocator

_TOKEN = re.compile(
    r'[ \t\r\n]*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<punct>[{}\[\]:,])|(?P<atom>[^\s{}\[\]:,"]+))',
    re.S,
)


class _Repeated(Exception):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Repeated
    return out


def parse(text: str, file: str, limits: Limits = Limits()) -> Parsed:
    return parse_as(text, file, limits, "JSON")


def parse_as(text: str, file: str, limits: Limits, what: str) -> Parsed:
    """``text`` read as strict JSON, errors worded ``invalid {what}: ...``. JSONC comes here with
    its comments and trailing commas blanked to spaces, so both share one decoder and scanner."""
    if not text.strip():
        return Parsed([None])
    duplicates: list[Duplicate] = []
    try:
        try:
            data = json.loads(text, object_pairs_hook=_pairs)
        except _Repeated:
            data = json.loads(text)
            duplicates = _Scanner(text).duplicates
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid {what}: {exc.msg}", file, exc.lineno, exc.colno) from None
    except RecursionError:
        raise ParseError("nesting too deep to parse", file) from None
    except ValueError:
        # The decoder's only other ValueError: an integer longer than Python converts
        # (sys.int_info.str_digits_check_threshold, 4300 digits by default).
        raise ParseError(f"invalid {what}: an integer has too many digits to read", file) from None
    if text.count("{") + text.count("[") > limits.max_depth:
        check_depth(data, limits.max_depth, file)
    return Parsed([data], duplicates)


class _Scanner:
    """One pass over the text: the position of every value's key (or item) by pointer."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = LineIndex(text)
        self.positions: dict[str, tuple[int, int]] = {}
        self.spans: dict[str, tuple[int, int]] = {}  # scalar values: (start, end) offsets, for edits
        self.duplicates: list[Duplicate] = []
        self._scan()

    def _pos(self, offset: int) -> tuple[int, int]:
        return self.lines.position(offset)

    def _scan(self) -> None:
        # Each frame: [pointer, is_object, next index or pending key, keys seen]
        stack: list[list[Any]] = []
        pending: str | None = None
        expect_key = False
        for match in _TOKEN.finditer(self.text):
            kind = match.lastgroup
            value = match.group(kind) if kind else ""
            offset = match.start(kind) if kind else match.end()
            if kind is None:
                break
            if kind == "punct":
                if value in "{[":
                    pointer = self._value_pointer(stack, pending, offset)
                    stack.append([pointer, value == "{", 0, set()])
                    pending = None
                    expect_key = value == "{"
                elif value in "}]":
                    if stack:
                        stack.pop()
                    expect_key = False
                elif value == ",":
                    if stack and not stack[-1][1]:
                        stack[-1][2] += 1
                    expect_key = bool(stack and stack[-1][1])
                continue
            if expect_key and kind == "str":
                try:
                    key = json.loads(value)
                except ValueError:
                    key = value[1:-1]
                frame = stack[-1]
                pointer = frame[0] + "/" + escape_token(key)
                line, column = self._pos(offset)
                if key in frame[3]:
                    self.duplicates.append(Duplicate(0, pointer, key, line, column))
                frame[3].add(key)
                self.positions[pointer] = (line, column)
                pending = pointer
                expect_key = False
                continue
            pointer = self._value_pointer(stack, pending, offset)
            self.spans[pointer] = (match.start(kind), match.end(kind))
            pending = None

    def _value_pointer(self, stack: list[list[Any]], pending: str | None, offset: int) -> str:
        if pending is not None:
            return pending
        if not stack:
            self.positions.setdefault("", self._pos(offset))
            return ""
        frame = stack[-1]
        pointer = f"{frame[0]}/{frame[2]}"
        self.positions[pointer] = self._pos(offset)
        return pointer


class Locator(TableLocator):
    def __init__(self, text: str) -> None:
        super().__init__(_Scanner(text).positions)
