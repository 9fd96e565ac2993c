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
        window = range(max(s1 - 1, 0), s2) if s2 > s1 else range(max(s1 - 1, 0), s1)
        keyed = {}
        for i in window:
            key = _key(source[i])
            if key is not None and "{" not in key:
                keyed.setdefault(key, i + 1)
        fallback = s1 + 1 if s2 > s1 else max(s1, 1)
        for o in range(o1, o2):
            key = _key(out_lines[o])
            mapping[o] = keyed.get(key, fallback) if key else fallback
    return [min(max(m, 1), max(len(source), 1)) for m in mapping]
