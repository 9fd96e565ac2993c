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
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape("["))
                i += 1
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def match(pattern: str, path: str) -> bool:
    """Whether a ``/``-separated relative path matches; ``dir/**`` also matches ``dir`` itself."""
    return compile_glob(pattern).match(path) is not None


def match_any(patterns: list[str] | tuple[str, ...], path: str) -> bool:
    return any(match(p, path) for p in patterns)
