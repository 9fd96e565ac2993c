"""Surgical edits of JSON, .env, INI and TOML text: swap one value's characters, keep every other byte.

JSON values are found by the loader's scanner; the line formats by the key's line
from the format's Locator, then the value part of that ``key = value`` line.
Multi-line values and inline collections are structural: refused, as in YAML.
"""
from __future__ import annotations

import json
import re
from typing import Any, Sequence

from ..load import format_module
from ..load.json_ import _Scanner
from .yaml_edit import NotSurgical

_ASSIGN = {
    "dotenv": re.compile(r"^(?P<head>\s*(?:export\s+)?[\w.\-\[\]]+\s*[=:]\s*)(?P<value>.*?)(?P<tail>\s*(?:\s#.*)?)$"),
    "ini": re.compile(r"^(?P<head>\s*[^=:\s][^=:]*?\s*[=:]\s*)(?P<value>.*?)(?P<tail>\s*)$"),
    "toml": re.compile(r"^(?P<head>\s*[^=\s][^=]*?\s*=\s*)(?P<value>.*?)(?P<tail>\s*(?:#.*)?)$"),
}
_PLAIN_ENV = re.compile(r"^[^\s'\"#\\$]*$")


def _scalar(value: Any, fmt: str, old: str) -> str:
    if isinstance(value, (dict, list)):
        raise NotSurgical("an inline collection")
    if fmt == "json":
        return json.dumps(value, ensure_ascii=False)
    if fmt == "toml":
        if isinstance(value, bool):
            return "true" if value else "false"
        if value is None:
            raise NotSurgical("TOML has no null")
        return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)
    text = "" if value is None else ("true" if value is True else "false" if value is False else str(value))
    if fmt == "ini":
        return text
    if old.startswith("'") and "'" not in text:
        return f"'{text}'"
    if old.startswith('"') or not _PLAIN_ENV.match(text):
        return json.dumps(text, ensure_ascii=False)
    return text


def replace_values(text: str, fmt: str, edits: Sequence[tuple[str, Any]]) -> str:
    """``text`` with each (pointer, value) swapped in place; NotSurgical where that cannot be done."""
    if fmt == "json":
        spans = _Scanner(text).spans
        found = []
        for pointer, value in edits:
            if pointer not in spans:
                raise NotSurgical(f"{pointer}: not a scalar in the file")
            found.append((*spans[pointer], _scalar(value, fmt, "")))
    else:
        found = _line_spans(text, fmt, edits)
    for start, end, new in sorted(found, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _line_spans(text: str, fmt: str, edits: Sequence[tuple[str, Any]]) -> list[tuple[int, int, str]]:
    locator = format_module(fmt).Locator(text)
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    out = []
    for pointer, value in edits:
        if pointer not in locator.positions:
            raise NotSurgical(f"{pointer}: not in the file")
        number = locator.positions[pointer][0]
        line = lines[number - 1].rstrip("\r\n")
        match = _ASSIGN[fmt].match(line)
        old = match.group("value") if match else ""
        if not match or (fmt != "ini" and old[:1] in "[{") or old.startswith(('"""', "'''")) or (
            old[:1] in "\"'" and (len(old) < 2 or old[-1] != old[0])
        ):
            raise NotSurgical(f"{pointer}: not a one-line value")
        start = starts[number - 1] + match.start("value")
        out.append((start, start + len(old), _scalar(value, fmt, old)))
    return out
