"""Map each rendered line back to the template line that produced it.

Findings in rendered desired state must point at the file a person edits (GitHub
annotations land on the pull request's template lines). Jinja keeps no such map,
so we align the two texts: literal lines match exactly; a line produced by an
expression or a loop maps to the template line with the same YAML key in that
stretch, or to the template line just before it.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

_KEY = re.compile(r"^\s*(?:-\s+)?([^\s:#{][^:#]*?)\s*:(?:\s|$)")


def _key(line: str) -> str | None:
    match = _KEY.match(line)
    return match.group(1) if match else None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _nearest_key(source: list[str], key: str, indent: int, start: int, stop: int) -> int | None:
    """1-based line of the nearest template line at or before ``start`` with the same key."""
    fallback = None
    for i in range(min(start, len(source) - 1), max(stop, 0) - 1, -1):
        if _key(source[i]) == key:
            if _indent(source[i]) == indent:
                return i + 1
            fallback = fallback or i + 1
    return fallback


LOOKBACK = 80


def line_map(template: Path, rendered: str) -> list[int]:
    try:
        source = template.read_text("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    out_lines = rendered.splitlines()
    mapping = [0] * len(out_lines)
    matcher = difflib.SequenceMatcher(None, source, out_lines, autojunk=False)
    for tag, s1, s2, o1, o2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(o2 - o1):
                mapping[o1 + k] = s1 + k + 1
            continue
        if tag == "delete":
            continue
        fallback = s1 + 1 if s2 > s1 else max(s1, 1)
        for o in range(o1, o2):
            line = out_lines[o]
            key = _key(line)
            found = None
            if key is not None:
                found = _nearest_key(source, key, _indent(line), max(s2 - 1, s1), s1 - LOOKBACK)
            mapping[o] = found or fallback
    return [min(max(m, 1), max(len(source), 1)) for m in mapping]
