"""Structural edits of TOML text through tomlkit, which keeps comments, order and layout.

A one-line scalar set swaps the value's characters on its line, keeping the line's
comment, and is checked on its own before it is kept. Every other op parses the
text with tomlkit, makes the edit by pointer and dumps it, tomlkit writing back
untouched lines byte for byte. A dict set onto an existing table becomes edits of
the keys that differ, so the table's other lines and comments stay; a list set onto
a list it extends becomes appends; a multi-line string set stays a multi-line string.
"""
from __future__ import annotations

import json
import re
from typing import Any, Sequence

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import String, StringType, Trivia

from ..errors import ParseError
from ..load.toml_ import Locator, plain_value
from ..load.toml_ import parse as parse_toml
from ..pointer import split_pointer, value_at
from .ops import Op, apply_ops, make, ordered, same_data
from .ops import NotSurgical

_BARE_LF = re.compile(r"(?<!\r)\n")
_ASSIGN = re.compile(r"^(?P<head>\s*[^=\s][^=]*?\s*=\s*)(?P<value>.*?)(?P<tail>\s*(?:#.*)?)$")


def edit_toml(text: str, ops: Sequence[Op]) -> str:
    """``text`` with each op made in turn (in ``ordered`` order, as ``apply_ops`` makes them)."""
    crlf = "\n" in text and not _BARE_LF.search(text)
    for op in ordered(ops):
        data = _data(text)
        if op.op == "set" and _scalar(op.value) and _scalar(value_at(data, op.pointer)):
            try:
                swapped = _swap(text, op)
                if same_data(_data(swapped), apply_ops(data, [op])):
                    text = swapped
                    continue
            except NotSurgical:
                pass
        edited = _through_tomlkit(text, op)
        if not text.endswith("\n") and edited.endswith("\n") and not edited.startswith(text):
            edited = edited[:-2] if edited.endswith("\r\n") else edited[:-1]  # the final newline stays missing
        text = edited
        if crlf:
            text = _BARE_LF.sub("\r\n", text)
    return text


def _swap(text: str, op: Op) -> str:
    """The one-line swap: the characters of ``key = value``'s value, the line's comment kept."""
    locator = Locator(text)
    if op.pointer not in locator.positions:
        raise NotSurgical(f"{op.pointer}: not in the file")
    number = locator.positions[op.pointer][0]
    start = 0 if number == 1 else locator.lines.newlines[number - 2] + 1
    end = text.find("\n", start)
    match = _ASSIGN.match(text[start:len(text) if end < 0 else end].rstrip("\r"))
    old = match.group("value") if match else ""
    if not match or old[:1] in "[{" or old.startswith(('"""', "'''")) or (
        old[:1] in "\"'" and (len(old) < 2 or old[-1] != old[0])
    ):
        raise NotSurgical(f"{op.pointer}: not a one-line value")
    if isinstance(op.value, str):  # JSON's escapes are TOML's, but for DEL, which TOML wants escaped
        new = json.dumps(op.value, ensure_ascii=False).replace("\x7f", "\\u007f")
    else:
        new = "true" if op.value is True else "false" if op.value is False else str(op.value)
    start += match.start("value")
    return text[:start] + new + text[start + len(old):]


def _scalar(value: Any) -> bool:
    return value is not None and not isinstance(value, (dict, list))


def _data(text: str) -> Any:
    try:
        return parse_toml(text, "").documents[0] or {}
    except ParseError:
        raise NotSurgical("the TOML text does not parse") from None


def _has_null(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_null(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_null(item) for item in value)
    return value is None


def _through_tomlkit(text: str, op: Op) -> str:
    tokens = split_pointer(op.pointer)
    if not tokens:
        raise NotSurgical("cannot replace or remove the whole document")
    if op.op != "remove" and _has_null(op.value):
        raise NotSurgical(f"{op.pointer}: TOML has no null")
    try:
        doc = tomlkit.parse(text)
        make(doc, op, _assign)
        return tomlkit.dumps(doc)
    except (TOMLKitError, KeyError, IndexError, TypeError, ValueError):
        raise NotSurgical(f"{op.pointer}: tomlkit cannot make this edit") from None


def _assign(parent: Any, key: Any, value: Any) -> None:
    """``parent[key] = value``, as edits of the differing keys or appended items where the old value allows."""
    has = key < len(parent) if isinstance(parent, list) else key in parent
    old = parent[key] if has else None
    if isinstance(value, dict) and isinstance(old, dict) and value:
        plain = plain_value(old.unwrap())
        for name in [name for name in plain if name not in value]:
            del old[name]
        for name, item in value.items():
            if name not in plain or not same_data(plain[name], item):
                _assign(old, name, item)
        return
    if isinstance(value, list) and isinstance(old, list) and len(value) > len(old) > 0:
        if same_data(plain_value(old.unwrap()), value[:len(old)]):
            for item in value[len(old):]:
                old.append(item)
            return
    if isinstance(value, str) and "\n" in value and isinstance(old, String) and old.type.is_multiline():
        # a multi-line string stays one, opening on a line of its own if it did
        made = String.from_raw(value, StringType.MLB)
        if old.as_string()[3:4] in ("\r", "\n"):  # TOML trims a newline right after the opening quotes
            made = String(StringType.MLB, value, "\n" + made.as_string()[3:-3], Trivia())
        value = made
    parent[key] = value
