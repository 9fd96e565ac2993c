"""Map each rendered line back to the template line that produced it.

Findings in rendered desired state must point at the file a person edits (GitHub
annotations land on the pull request's template lines). Jinja keeps no such map,
so we align the two texts: literal lines match exactly, in order (a longest common
subsequence of lines, so a repeated line maps to the copy its neighbours agree on);
a line produced by an expression or a loop maps to the template line with the same
YAML key in that stretch, or to the template line just before it.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from pathlib import Path
from typing import Any

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
MAX_PAIRS = 2_000_000  # template/output line pairs with equal text the alignment weighs at most


def _matches(source: list[str], out: list[str]) -> list[tuple[int, int]]:
    """A longest common subsequence of the two line lists, as (source index, output index) pairs:
    every literal line that can map in order onto a template line with its text does. Common
    leading and trailing lines are taken as they are; the middle is aligned by Hunt-Szymanski, in
    time proportional to the pairs of equal lines. Lines so frequent in both that their pairs would
    pass ``MAX_PAIRS`` (blank lines of a huge loop) are left to the key rule."""
    head = 0
    while head < min(len(source), len(out)) and source[head] == out[head]:
        head += 1
    tail = 0
    while tail < min(len(source), len(out)) - head and source[-1 - tail] == out[-1 - tail]:
        tail += 1
    mid_source, mid_out = source[head:len(source) - tail], out[head:len(out) - tail]
    where: dict[str, list[int]] = {}
    for i, line in enumerate(mid_source):
        where.setdefault(line, []).append(i)
    wanted = Counter(line for line in mid_out if line in where)
    budget = MAX_PAIRS
    for line, count in sorted(wanted.items(), key=lambda item: len(where[item[0]]) * item[1]):
        budget -= len(where[line]) * count
        if budget < 0:
            del where[line]
    ends: list[int] = []  # ends[k]: the least source index ending a common subsequence of length k + 1
    links: list[tuple[int, int, Any]] = []  # the pair at ends[k], with the chain before it
    for j, line in enumerate(mid_out):
        for i in reversed(where.get(line, ())):
            k = bisect_left(ends, i)
            if k < len(ends) and ends[k] == i:
                continue  # the same template line already ends one as long, at an earlier output line
            node = (i, j, links[k - 1] if k else None)
            if k == len(ends):
                ends.append(i)
                links.append(node)
            else:
                ends[k], links[k] = i, node
    middle: list[tuple[int, int]] = []
    chain = links[-1] if links else None
    while chain is not None:
        middle.append((chain[0] + head, chain[1] + head))
        chain = chain[2]
    middle.reverse()
    return ([(k, k) for k in range(head)] + middle
            + [(len(source) - tail + k, len(out) - tail + k) for k in range(tail)])


def line_map(template: Path, rendered: str) -> list[int]:
    try:
        source = template.read_text("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    out_lines = rendered.splitlines()
    mapping = [0] * len(out_lines)
    s1 = o1 = 0  # the unmatched stretch since the last match
    for s2, o2 in [*_matches(source, out_lines), (len(source), len(out_lines))]:
        fallback = s1 + 1 if s2 > s1 else max(s1, 1)
        for o in range(o1, o2):
            line = out_lines[o]
            key = _key(line)
            found = None
            if key is not None:
                found = _nearest_key(source, key, _indent(line), max(s2 - 1, s1), s1 - LOOKBACK)
            mapping[o] = found or fallback
        if o2 < len(out_lines):
            mapping[o2] = s2 + 1
        s1, o1 = s2 + 1, o2 + 1
    return [min(max(m, 1), max(len(source), 1)) for m in mapping]
