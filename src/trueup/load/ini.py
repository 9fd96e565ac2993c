"""INI: a line parser of our own, because configparser cannot serve a checker.

configparser refuses keys before the first section (common in ``.conf`` files),
lowercases keys, and stops at a repeated key or section without keeping its
position. Here keys before any section sit at the top level, key case is kept,
and a repeated key or section becomes a duplicate-key finding with its line:
the later value wins and a repeated section merges into the earlier one.

Rules: ``[section]`` headers; ``key = value`` or ``key: value`` split at the
first ``=`` or ``:``; whole-line comments starting with ``;`` or ``#``; a line
indented deeper than its key continues that key's value (joined with a newline,
as configparser does, so ``key =`` followed by indented lines starts with one);
a blank or comment line ends a continuation. Every value is a stripped string.
"""
from __future__ import annotations

from typing import Any

from ..errors import ParseError
from ..pointer import escape_token
from .parsed import Duplicate, Limits, Parsed
from .positions import ReaderLocator, one_table

_EXPECTED = "invalid INI: expected 'key = value' or '[section]'"


class _Reader:
    """Reads the text once, keeping data, duplicates and each key's and section's position."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.data: dict[str, Any] = {}
        self.duplicates: list[Duplicate] = []
        self.positions: dict[str, tuple[int, int]] = {"": (1, 1)}

    def read(self) -> dict[str, Any]:
        section, prefix = self.data, ""
        last: tuple[dict[str, Any], str, int] | None = None
        for number, raw in enumerate(self.text.split("\n"), 1):
            line = raw.rstrip("\r")
            stripped = line.strip()
            if not stripped or stripped[0] in ";#":
                last = None
                continue
            indent = len(line) - len(line.lstrip())
            if last is not None and indent > last[2]:
                target, key = last[0], last[1]
                target[key] += "\n" + stripped
                continue
            last = None
            if stripped.startswith("["):
                section, prefix = self._section(stripped, number, indent)
                continue
            key, value = self._split(stripped, number, indent + 1)
            pointer = f"{prefix}/{escape_token(key)}"
            if key in section:
                self.duplicates.append(Duplicate(0, pointer, key, number, indent + 1))
            section[key] = value
            self.positions[pointer] = (number, indent + 1)
            last = (section, key, indent)
        return self.data

    def _split(self, stripped: str, number: int, column: int) -> tuple[str, str]:
        cuts = [at for at in (stripped.find("="), stripped.find(":")) if at >= 0]
        if not cuts:
            raise ParseError(_EXPECTED, self.file, number, column)
        cut = min(cuts)
        key = stripped[:cut].rstrip()
        if not key:
            raise ParseError(f"invalid INI: no key before '{stripped[cut]}'", self.file, number, column)
        return key, stripped[cut + 1 :].strip()

    def _section(self, stripped: str, number: int, indent: int) -> tuple[dict[str, Any], str]:
        if not stripped.endswith("]"):
            raise ParseError("invalid INI: section header without a closing ']'", self.file, number, indent + 1)
        inner = stripped[1:-1]
        name = inner.strip()
        if not name:
            raise ParseError("invalid INI: empty section name", self.file, number, indent + 1)
        column = indent + 2 + len(inner) - len(inner.lstrip())
        pointer = "/" + escape_token(name)
        existing = self.data.setdefault(name, {})
        if not isinstance(existing, dict):
            raise ParseError(
                f"invalid INI: section [{name}] has the name of a key above it", self.file, number, indent + 1
            )
        if pointer in self.positions:
            self.duplicates.append(Duplicate(0, pointer, name, number, column))
        self.positions.setdefault(pointer, (number, column))
        return existing, pointer


def parse(text: str, file: str, limits: Limits = Limits()) -> Parsed:
    return one_table(_Reader, text, file)


class Locator(ReaderLocator):
    reader = _Reader
