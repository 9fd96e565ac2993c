"""Surgical edits of JSON, .env, INI and TOML text: make the ops, keep every other byte.

``edit_text`` makes a list of ``Op`` (set, add, remove) and refuses (NotSurgical)
unless the result reads back as the target data. JSON edits are in json_edit,
TOML edits in toml_edit (tomlkit, and a line swap for one-line scalars), INI
edits in ini_edit; .env files are edited here line by line, found by a scanner that follows
its loader's rules, so a value over several lines is replaced as a whole and
a line is never read as something else once it moves. Messages name pointers,
never values, which may be secrets.
"""
from __future__ import annotations

import re
from typing import Any, Sequence

from ..errors import ParseError
from ..load import format_module
from ..load.dotenv import _ASSIGN as _ENV_ASSIGN
from ..load.dotenv import _COMMENT as _ENV_COMMENT
from ..load.dotenv import _QUOTED as _ENV_QUOTED
from ..load.dotenv import _SKIP as _ENV_SKIP
from ..load.positions import LineIndex
from ..pointer import split_pointer
from .json_edit import edit_json
from .ops import Op, ordered, same_data
from .toml_edit import edit_toml
from .yaml_edit import NotSurgical

_PLAIN_ENV = re.compile(r"[^\s'\"#\\$]*")
_ENV_KEY = re.compile(r"[\w.\-\[\]]+")
_EOL = re.compile(r"\n?")


def edit_text(text: str, fmt: str, ops: Sequence[Op], target: Any) -> str:
    """``text`` (a whole json | dotenv | ini | toml file) with ``ops`` made; ``target`` is
    ``apply_ops(data, ops)``, what the result must read back as. NotSurgical where it cannot."""
    from .ini_edit import edit_ini

    editors = {"json": edit_json, "dotenv": _edit_dotenv, "ini": edit_ini, "toml": edit_toml}
    if fmt not in editors:
        raise NotSurgical(f"no text edits for {fmt} files")
    _read(text, fmt, "the file does not parse")
    try:
        result = editors[fmt](text, ops)
    except (KeyError, IndexError, TypeError, ValueError) as exc:  # a safety net: never a value in the message
        raise NotSurgical(f"the edit could not be made ({type(exc).__name__})") from None
    _check(result, fmt, target)
    return result


def _read(text: str, fmt: str, failure: str) -> Any:
    try:
        documents = format_module(fmt).parse(text, "").documents
    except (ParseError, RecursionError):
        raise NotSurgical(failure) from None
    data = documents[0] if documents else None
    return {} if data is None and fmt != "json" else data


def _check(text: str, fmt: str, target: Any) -> None:
    data = _read(text, fmt, "the edited text would not parse")
    if not same_data(data, {} if target is None and fmt != "json" else target):
        raise NotSurgical("the edited text would not read back as the desired data")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "true" if value is True else "false" if value is False else str(value)


# Lines, split as the loaders split them (at "\n" only), each keeping its ending.

def _lines(text: str) -> list[str]:
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _body(line: str) -> str:
    return (line[:-1] if line.endswith("\n") else line).rstrip("\r")


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _nl(lines: list[str], near: int, default: str) -> str:
    """The line ending of line ``near``, else the file's."""
    ending = lines[near][len(_body(lines[near])):] if 0 <= near < len(lines) else ""
    return ending or default


def _drop(lines: list[str], gone: set[int]) -> str:
    """The text without the lines ``gone``; a missing final newline stays missing."""
    kept = [line for number, line in enumerate(lines) if number not in gone]
    if kept and len(lines) - 1 in gone and _body(lines[-1]) == lines[-1]:
        kept[-1] = _body(kept[-1])
    return "".join(kept)


def _insert(lines: list[str], after: int, new: list[str], nl: str) -> str:
    """The text with ``new`` lines after line ``after`` (-1: at the top)."""
    lines = list(lines)
    if after >= 0 and _body(lines[after]) == lines[after]:
        lines[after] += nl
    lines[after + 1:after + 1] = [line + nl for line in new]
    return "".join(lines)


# .env: flat KEY=value lines, compose's quoting.

class _EnvEntry:
    """A ``KEY=value`` entry: its lines and the (line, column) of the key's end and the value's span."""

    def __init__(self, key: str, first: int, last: int, key_end: tuple[int, int],
                 value: tuple[tuple[int, int], tuple[int, int]], quote: str | None) -> None:
        self.key, self.first, self.last, self.key_end = key, first, last, key_end
        self.start, self.end = value
        self.quote = quote  # None: a bare KEY; "": unquoted


def _env_entries(text: str) -> list[_EnvEntry]:
    norm = text.replace("\r\n", "\n")  # as the reader sees it: the same lines, the same columns
    index = LineIndex(norm)

    def at(offset: int) -> tuple[int, int]:
        line, column = index.position(offset)
        return line - 1, column - 1

    out, pos = [], 0
    while pos < len(norm):
        skip = _ENV_SKIP.match(norm, pos)
        if skip:
            pos = skip.end()
            continue
        match = _ENV_ASSIGN.match(norm, pos)
        if match is None:
            raise NotSurgical("the .env file does not parse")
        start = end = match.end()
        quote = norm[start:start + 1] if match.group("sep") else None
        if quote is None:
            start = end = match.end("key")
            after = _ENV_SKIP.match(norm, match.end())
        elif quote in _ENV_QUOTED:
            closed = _ENV_QUOTED[quote].match(norm, start)
            end = closed.end() if closed else len(norm)
            after = _ENV_SKIP.match(norm, end) if closed else None
        else:
            quote, eol = "", (norm.find("\n", start) + 1 or len(norm) + 1) - 1
            end = start + len(_ENV_COMMENT.split(norm[start:eol], 1)[0].rstrip())
            after = _EOL.match(norm, eol)
        if after is None:
            raise NotSurgical("the .env file does not parse")
        out.append(_EnvEntry(match.group("key"), at(pos)[0], at(max(after.end() - 1, pos))[0],
                             at(match.end("key")), (at(start), at(end)), quote))
        pos = after.end()
    return out


def _env_value(value: Any, quote: str) -> str:
    """Plain when that reads back the same, single-quoted if it was and can stay, else double-quoted."""
    text = _text(value)
    if quote == "'" and not re.search(r"['\\\n\r]", text):
        return f"'{text}'"
    if quote == '"' or not _PLAIN_ENV.fullmatch(text):
        for char, escape in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\t", "\\t"), ("\r", "\\r")):
            text = text.replace(char, escape)
        return f'"{text}"'
    return text


def _edit_dotenv(text: str, ops: Sequence[Op]) -> str:
    nl = _newline(text)
    for op in ordered(ops):
        tokens = split_pointer(op.pointer)
        if len(tokens) != 1:
            raise NotSurgical(f"{op.pointer}: a .env file holds only top-level keys")
        lines, key = _lines(text), tokens[0]
        mine = [entry for entry in _env_entries(text) if entry.key == key]
        if op.op == "remove":
            if not mine:
                raise NotSurgical(f"{op.pointer}: not in the file")
            text = _drop(lines, {n for entry in mine for n in range(entry.first, entry.last + 1)})
            continue
        if isinstance(op.value, (dict, list)):
            raise NotSurgical(f"{op.pointer}: a .env value is a string")
        if not mine:
            if not _ENV_KEY.fullmatch(key):
                raise NotSurgical(f"{op.pointer}: not a .env key name")
            line = key if op.value is None else f"{key}={_env_value(op.value, '')}"
            text = _insert(lines, len(lines) - 1, [line], _nl(lines, len(lines) - 1, nl))
            continue
        entry = mine[-1]  # a repeated key: the last one wins
        if op.value is None:
            (first, column), new = entry.key_end, ""
        elif entry.quote is None:
            (first, column), new = entry.key_end, "=" + _env_value(op.value, "")
        else:
            (first, column), new = entry.start, _env_value(op.value, entry.quote)
        last, end = entry.end
        lines[first:last + 1] = [lines[first][:column] + new + lines[last][end:]]
        text = "".join(lines)
    return text
