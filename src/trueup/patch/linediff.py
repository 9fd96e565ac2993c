"""Unified diffs in time that grows with the file, not with the square of its changes.

``difflib`` finds the longest matching block, then recurses on each side of it; when a file has
thousands of small changes between unchanged lines (2,500 env values in one Deployment), every
level scans most of the file again and the diff costs seconds to minutes. Here lines that occur
exactly once on each side anchor the match (the idea of patience diff: Bram Cohen, as git's
``--patience`` uses it): the longest increasing run of such pairs is found with patience sorting
in O(k log k), and only the stretches between anchors are diffed further. A stretch with no
anchor goes to ``difflib`` when it is small, and is otherwise one replacement, which ``git apply``
takes as well as any other; time stays bounded.

The hunks are those of ``diff -u`` (three lines of context, ``@@ -l,n +l,n @@`` headers in the form
GNU diff and git accept).
"""
from __future__ import annotations

import bisect
import difflib
from typing import Iterator, Sequence

Block = tuple[int, int, int]  # a[i:i+n] == b[j:j+n]
_SMALL = 250_000  # largest (lines of a) x (lines of b) of a stretch without anchors given to difflib


def matching_blocks(a: Sequence[str], b: Sequence[str]) -> list[Block]:
    blocks: list[Block] = []
    _match(a, b, 0, len(a), 0, len(b), blocks)
    merged: list[Block] = []
    for i, j, n in blocks:
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + n)
        elif n:
            merged.append((i, j, n))
    return merged


def _match(a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int, out: list[Block]) -> None:
    """Append the blocks of a[alo:ahi] against b[blo:bhi], in order. Depth-first, left to right, on
    an explicit stack (no recursion limit): a stretch is matched, or split at its anchors."""
    work: list[object] = [("range", alo, ahi, blo, bhi)]
    while work:
        item = work.pop()
        if item[0] == "block":
            out.append(item[1])  # type: ignore[index]
            continue
        _, alo, ahi, blo, bhi = item  # type: ignore[misc]
        prefix = 0
        while alo + prefix < ahi and blo + prefix < bhi and a[alo + prefix] == b[blo + prefix]:
            prefix += 1
        suffix = 0
        while ahi - suffix > alo + prefix and bhi - suffix > blo + prefix and a[ahi - suffix - 1] == b[bhi - suffix - 1]:
            suffix += 1
        later: list[object] = []
        if suffix:
            later.append(("block", (ahi - suffix, bhi - suffix, suffix)))
        inner = (alo + prefix, ahi - suffix, blo + prefix, bhi - suffix)
        anchors = _anchors(a, b, *inner) if inner[0] < inner[1] and inner[2] < inner[3] else []
        if anchors:
            pieces: list[object] = []
            i0, j0 = inner[0], inner[2]
            for i, j in anchors:
                pieces.append(("range", i0, i, j0, j))
                pieces.append(("block", (i, j, 1)))
                i0, j0 = i + 1, j + 1
            pieces.append(("range", i0, inner[1], j0, inner[3]))
            later = pieces + later
        elif inner[0] < inner[1] and inner[2] < inner[3] and (inner[1] - inner[0]) * (inner[3] - inner[2]) <= _SMALL:
            matcher = difflib.SequenceMatcher(None, a[inner[0]:inner[1]], b[inner[2]:inner[3]], autojunk=False)
            later = [("block", (inner[0] + i, inner[2] + j, n)) for i, j, n in matcher.get_matching_blocks() if n] + later
        if prefix:
            later.insert(0, ("block", (alo, blo, prefix)))
        work.extend(reversed(later))


def _anchors(a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int) -> list[tuple[int, int]]:
    """The longest run of (i, j), increasing in both, of lines that occur once in each stretch."""
    seen_a: dict[str, int] = {}
    for i in range(alo, ahi):
        seen_a[a[i]] = -1 if a[i] in seen_a else i
    seen_b: dict[str, int] = {}
    for j in range(blo, bhi):
        line = b[j]
        if seen_a.get(line, -1) >= 0:
            seen_b[line] = -1 if line in seen_b else j
    pairs = sorted((seen_a[line], j) for line, j in seen_b.items() if j >= 0)
    if not pairs:
        return []
    # Patience sorting: tails[k] is the smallest j ending an increasing run of length k + 1.
    tails: list[int] = []
    tail_at: list[int] = []
    back: list[int] = []
    for index, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tails, j)
        back.append(tail_at[k - 1] if k else -1)
        if k == len(tails):
            tails.append(j)
            tail_at.append(index)
        else:
            tails[k] = j
            tail_at[k] = index
    run, at = [], tail_at[-1]
    while at >= 0:
        run.append(pairs[at])
        at = back[at]
    return run[::-1]


def _opcodes(a: Sequence[str], b: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    codes = []
    i = j = 0
    for ai, bj, n in [*matching_blocks(a, b), (len(a), len(b), 0)]:
        if i < ai or j < bj:
            codes.append(("replace" if i < ai and j < bj else "delete" if i < ai else "insert", i, ai, j, bj))
        if n:
            codes.append(("equal", ai, ai + n, bj, bj + n))
        i, j = ai + n, bj + n
    return codes


def _groups(codes: list[tuple[str, int, int, int, int]], context: int) -> Iterator[list[tuple[str, int, int, int, int]]]:
    """The opcodes in hunks: each change with ``context`` equal lines around it, nearby ones joined."""
    if not codes or all(code[0] == "equal" for code in codes):
        return
    if codes[0][0] == "equal":
        _, i1, i2, j1, j2 = codes[0]
        codes[0] = ("equal", max(i1, i2 - context), i2, max(j1, j2 - context), j2)
    if codes[-1][0] == "equal":
        _, i1, i2, j1, j2 = codes[-1]
        codes[-1] = ("equal", i1, min(i2, i1 + context), j1, min(j2, j1 + context))
    group: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > 2 * context:
            group.append((tag, i1, i1 + context, j1, j1 + context))
            yield group
            group = []
            i1, j1 = i2 - context, j2 - context
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        yield group


def _range(start: int, stop: int) -> str:
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def unified(a: Sequence[str], b: Sequence[str], fromfile: str, tofile: str, context: int = 3) -> Iterator[str]:
    """The lines of a unified diff of ``a`` against ``b`` (lines keep their own endings)."""
    started = False
    for group in _groups(_opcodes(a, b), context):
        if not started:
            yield f"--- {fromfile}\n"
            yield f"+++ {tofile}\n"
            started = True
        yield f"@@ -{_range(group[0][1], group[-1][2])} +{_range(group[0][3], group[-1][4])} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from (" " + line for line in a[i1:i2])
                continue
            yield from ("-" + line for line in a[i1:i2])
            yield from ("+" + line for line in b[j1:j2])
