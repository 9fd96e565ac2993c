"""Path globs as users write them in trueup.yaml: ``*`` within a segment, ``**`` across segments."""
from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=512)
def compile_glob(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    pattern = pattern.lstrip("/") if not pattern.startswith("./") else pattern[2:]
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif out and out[-1] == "/" and i + 2 == len(pattern) and pattern.startswith("**", i):
            # A trailing ``/**``: everything below ``dir``, and ``dir`` itself (``exclude: [legacy/**]``
            # leaves out the directory, not only what it holds).
            out[-1] = "(?:/.*)?"
            i += 2
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and (bracket := _bracket(pattern, i)) is not None:
            out.append(bracket[0])
            i = bracket[1]
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def _bracket(pattern: str, start: int) -> tuple[str, int] | None:
    """The class that opens at ``pattern[start]`` (a ``[``) as a regex, and the index after its ``]``;
    None when it has no closing ``]``, and then the ``[`` is a literal character.

    The class is read as git's wildmatch reads it (wildmatch.c, ``case '['``): ``!`` or ``^`` first
    negates it; the first member is taken whatever it is, so a ``]`` right after ``[`` or ``[!`` is a
    member (``[]]`` matches ``]``) and ``a[]b`` and ``[!]`` have no closing ``]``; ``\\`` takes the next
    character literally; ``x-y`` is a range, and a reversed one matches nothing; a class never matches
    ``/``. Where the ``]`` is missing git's pattern matches nothing at all (WM_ABORT_ALL, silently:
    ``a[]b`` in a .gitignore ignores no file); here the ``[`` is a literal instead, as ``fnmatch``
    and shells have it, so ``--exclude 'a[]b'`` excludes the file named ``a[]b`` rather than nothing."""
    i = start + 1
    negated = i < len(pattern) and pattern[i] in "!^"
    i += negated
    members: list[str] = []
    first = True
    while i < len(pattern) and (first or pattern[i] != "]"):
        first = False
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            i += 1
            char = pattern[i]
        if i + 2 < len(pattern) and pattern[i + 1] == "-" and pattern[i + 2] != "]":
            end = pattern[i + 2]
            if end == "\\" and i + 3 < len(pattern):
                i += 1
                end = pattern[i + 2]
            if char <= end:  # a reversed range matches nothing (git: ``t_ch <= p_ch && t_ch >= prev_ch``)
                members.append(f"{re.escape(char)}-{re.escape(end)}")
            i += 3
            continue
        members.append(re.escape(char))
        i += 1
    if i >= len(pattern):
        return None
    body = "".join(members)
    if negated:
        return (f"[^/{body}]", i + 1)
    return (f"(?!/)[{body}]" if body else "(?!)", i + 1)


def match(pattern: str, path: str) -> bool:
    """Whether a ``/``-separated relative path matches; ``dir/**`` also matches ``dir`` itself."""
    return compile_glob(pattern).match(path) is not None


def match_any(patterns: list[str] | tuple[str, ...], path: str) -> bool:
    return any(match(p, path) for p in patterns)
