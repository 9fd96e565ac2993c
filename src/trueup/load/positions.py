"""Shared by the format modules: offsets to lines, and locators backed by a pointer table."""
from __future__ import annotations

import bisect
import re
from typing import Any, Protocol

from ..errors import ParseError
from .parsed import Duplicate, Parsed


class _Reader(Protocol):
    positions: dict[str, tuple[int, int]]
    duplicates: list[Duplicate]

    def __init__(self, text: str, file: str) -> None: ...

    def read(self) -> Any: ...


class LineIndex:
    """1-based (line, column) of an offset into a text, by binary search over its newlines."""

    def __init__(self, text: str) -> None:
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_left(self.newlines, offset)
        start = self.newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1


def read_positions(reader: _Reader) -> dict[str, tuple[int, int]]:
    """The positions a reader records; on bad text, those it read before the error."""
    try:
        reader.read()
    except ParseError:
        pass
    return reader.positions


class TableLocator:
    """A Locator over a pointer -> position table; a pointer not in it falls back to its nearest ancestor."""

    def __init__(self, positions: dict[str, tuple[int, int]]) -> None:
        self.positions = positions

    def position(self, doc_index: int, pointer: str) -> tuple[int, int] | None:
        while pointer and pointer not in self.positions:
            pointer = pointer.rsplit("/", 1)[0]
        return self.positions.get(pointer, (1, 1))


def one_table(reader: type[_Reader], text: str, file: str) -> Parsed:
    """A format that is one table of keys (``.env``, INI): its reader's data as the one document
    (none for an empty file), with the duplicate keys it met."""
    read = reader(text, file)
    data = read.read()
    return Parsed([data or None], read.duplicates)


class ReaderLocator(TableLocator):
    """The positions a format's reader records (``reader``), read again from the text on demand."""

    reader: type[_Reader]

    def __init__(self, text: str) -> None:
        super().__init__(read_positions(self.reader(text, "")))
