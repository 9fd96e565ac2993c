"""Text helpers every line editor shares: reading a file's text back as data, a scalar as text, and
lines split as the loaders split them (at ``"\\n"`` only), each keeping its ending."""
from __future__ import annotations

from typing import Any

from ..errors import ParseError
from ..load import format_module
from .ops import NotSurgical


def read(text: str, fmt: str, failure: str) -> Any:
    try:
        documents = format_module(fmt).parse(text, "").documents
    except (ParseError, RecursionError):
        raise NotSurgical(failure) from None
    data = documents[0] if documents else None
    return {} if data is None and fmt != "json" else data


def scalar_text(value: Any) -> str:
    return value if isinstance(value, str) else "true" if value is True else "false" if value is False else str(value)


def split_lines(text: str) -> list[str]:
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def body(line: str) -> str:
    return (line[:-1] if line.endswith("\n") else line).rstrip("\r")


def newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def line_ending(lines: list[str], near: int, default: str) -> str:
    """The line ending of line ``near``, else the file's."""
    ending = lines[near][len(body(lines[near])):] if 0 <= near < len(lines) else ""
    return ending or default


def drop(lines: list[str], gone: set[int]) -> str:
    """The text without the lines ``gone``; a missing final newline stays missing."""
    kept = [line for number, line in enumerate(lines) if number not in gone]
    if kept and len(lines) - 1 in gone and body(lines[-1]) == lines[-1]:
        kept[-1] = body(kept[-1])
    return "".join(kept)


def insert(lines: list[str], after: int, new: list[str], nl: str) -> str:
    """The text with ``new`` lines after line ``after`` (-1: at the top)."""
    lines = list(lines)
    if after >= 0 and body(lines[after]) == lines[after]:
        lines[after] += nl
    lines[after + 1:after + 1] = [line + nl for line in new]
    return "".join(lines)
