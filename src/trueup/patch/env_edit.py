""".env files edited in place: flat ``KEY=value`` lines with compose's quoting, read with the
loader's own grammar (``load/dotenv.py``), so an edit reads back as the loader reads it."""
from __future__ import annotations

import re
from typing import Any, Sequence

from ..load.dotenv import Unreadable, entries
from ..load.positions import LineIndex
from ..pointer import split_pointer
from .lines import drop, insert, line_ending, newline, scalar_text, split_lines
from .ops import NotSurgical, Op, ordered

_PLAIN_ENV = re.compile(r"[^\s'\"#\\$]*")
_ENV_KEY = re.compile(r"[\w.\-\[\]]+")


class _EnvEntry:
    """A ``KEY=value`` entry: its lines and the (line, column) of the key's end and the value's span."""

    def __init__(self, key: str, first: int, last: int, key_end: tuple[int, int],
                 value: tuple[tuple[int, int], tuple[int, int]], quote: str | None) -> None:
        self.key, self.first, self.last, self.key_end = key, first, last, key_end
        self.start, self.end = value
        self.quote = quote  # None: a bare KEY; "": unquoted


def _env_entries(text: str) -> list[_EnvEntry]:
    """Each entry's lines and spans, from the loader's own reading of the file (``load.dotenv.entries``)."""
    norm = text.replace("\r\n", "\n")  # as the reader sees it: the same lines, the same columns
    index = LineIndex(norm)

    def at(offset: int) -> tuple[int, int]:
        line, column = index.position(offset)
        return line - 1, column - 1

    try:
        return [_EnvEntry(entry.key, at(entry.start)[0], at(max(entry.end - 1, entry.start))[0], at(entry.key_end),
                          (at(entry.value_start), at(entry.value_end)), entry.quote) for entry in entries(norm)]
    except Unreadable:
        raise NotSurgical("the .env file does not parse") from None


def _env_value(value: Any, quote: str, followed: bool = False) -> str:
    """Plain when that reads back the same, single-quoted if it was and can stay, else double-quoted.
    ``followed``: a comment comes after the value on its line. An empty plain value cannot come before
    one: the loader reads ``A=  # note`` as ``# note`` (the blanks after ``=`` belong to the separator,
    and only a blank before ``#`` starts a comment), so it is written ``A=""``."""
    text = scalar_text(value)
    if text == "" and quote == "" and followed:
        return '""'
    if quote == "'" and not re.search(r"['\\\n\r]", text):
        return f"'{text}'"
    if quote == '"' or not _PLAIN_ENV.fullmatch(text):
        for char, escape in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\t", "\\t"), ("\r", "\\r")):
            text = text.replace(char, escape)
        return f'"{text}"'
    return text


def edit_dotenv(text: str, ops: Sequence[Op]) -> str:
    nl = newline(text)
    for op in ordered(ops):
        tokens = split_pointer(op.pointer)
        if len(tokens) != 1:
            raise NotSurgical(f"{op.pointer}: a .env file holds only top-level keys")
        lines, key = split_lines(text), tokens[0]
        mine = [entry for entry in _env_entries(text) if entry.key == key]
        if op.op == "remove":
            if not mine:
                raise NotSurgical(f"{op.pointer}: not in the file")
            text = drop(lines, {n for entry in mine for n in range(entry.first, entry.last + 1)})
            continue
        if isinstance(op.value, (dict, list)):
            raise NotSurgical(f"{op.pointer}: a .env value is a string")
        if not mine:
            if not _ENV_KEY.fullmatch(key):
                raise NotSurgical(f"{op.pointer}: not a .env key name")
            line = key if op.value is None else f"{key}={_env_value(op.value, '')}"
            text = insert(lines, len(lines) - 1, [line], line_ending(lines, len(lines) - 1, nl))
            continue
        entry = mine[-1]  # a repeated key: the last one wins
        last, end = entry.end
        followed = bool(lines[last][end:].strip())
        if op.value is None:
            (first, column), new = entry.key_end, ""
        elif entry.quote is None:
            (first, column), new = entry.key_end, "=" + _env_value(op.value, "", followed)
        else:
            (first, column), new = entry.start, _env_value(op.value, entry.quote, followed)
        lines[first:last + 1] = [lines[first][:column] + new + lines[last][end:]]
        text = "".join(lines)
    return text
