"""Texts one of which every match of a regular expression contains: a cheap ``in`` test that rules
out most strings before the regex runs.

The secrets pack forbids strings matching patterns such as ``[a-zA-Z][a-zA-Z0-9+.-]*://...`` and
``-----BEGIN [A-Z ]*PRIVATE KEY-----``; searched over every string of every document, a pattern that
may start anywhere costs a regex attempt at each character. Each such pattern needs some literal
text (``://``, ``-----BEGIN ``): a string holding none of its pattern's literals cannot match, and
``str.__contains__`` finds that far faster than the regex engine. Rules are data, so the literals are
read from the parsed pattern (Python's own regex parser), never listed by hand; where a pattern has
no such literal, or its parse is not understood, the answer is None and the regex runs on everything.
"""
from __future__ import annotations

from typing import Any, Sequence

try:
    from re import _parser as _sre  # type: ignore[attr-defined]  # Python 3.11+
    from re import _constants as _codes  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _codes  # type: ignore[no-redef]
    import sre_parse as _sre  # type: ignore[no-redef]

Needs = tuple[str, ...]  # at least one of these is in every match


def required_literals(patterns: Sequence[str]) -> Needs | None:
    """Literals one of which is in every string any of ``patterns`` finds a match in; None when
    some pattern needs none (or cannot be read)."""
    out: list[str] = []
    for pattern in patterns:
        try:
            parsed = _sre.parse(pattern)
        except Exception:  # noqa: BLE001 - any pattern Python cannot parse: no shortcut
            return None
        if parsed.state.flags & (_codes.SRE_FLAG_IGNORECASE | _codes.SRE_FLAG_VERBOSE):
            return None
        try:
            needs = _sequence(list(parsed))
        except (TypeError, ValueError):  # a parse shape this reader does not know
            return None
        if needs is None:
            return None
        out.extend(needs)
    return tuple(dict.fromkeys(out))


def _sequence(items: list[Any]) -> Needs | None:
    """The best requirement among a sequence's parts: each run of literal characters, and each
    part that must match once (a group, a branch, a repeat of at least one)."""
    candidates: list[Needs] = []
    run = ""
    for op, arg in items:
        if op is _codes.LITERAL:
            run += chr(arg)
            continue
        if op is _codes.BRANCH:
            leads = [_leading_run(alternative) for alternative in arg[1]]
            if run and all(leads):
                candidates.append(tuple(run + lead for lead in leads))
        if run:
            candidates.append((run,))
            run = ""
        inner = _part(op, arg)
        if inner is not None:
            candidates.append(inner)
    if run:
        candidates.append((run,))
    if not candidates:
        return None
    return max(candidates, key=lambda needs: (min(len(text) for text in needs), -len(needs)))


def _part(op: Any, arg: Any) -> Needs | None:
    if op is _codes.SUBPATTERN:
        add_flags, del_flags, body = arg[1], arg[2], arg[3]
        if add_flags & (_codes.SRE_FLAG_IGNORECASE | _codes.SRE_FLAG_VERBOSE) or del_flags:
            return None
        return _sequence(list(body))
    if op is _codes.BRANCH:
        out: list[str] = []
        for alternative in arg[1]:
            needs = _sequence(list(alternative))
            if needs is None:
                return None
            out.extend(needs)
        return tuple(dict.fromkeys(out))
    if op in (_codes.MAX_REPEAT, _codes.MIN_REPEAT, getattr(_codes, "POSSESSIVE_REPEAT", None)) and arg[0] >= 1:
        return _sequence(list(arg[2]))
    return None


def _leading_run(items: Any) -> str:
    run = ""
    for op, arg in items:
        if op is not _codes.LITERAL:
            break
        run += chr(arg)
    return run


def may_match(needs: Needs | None, text: str) -> bool:
    """False only when ``text`` holds none of ``needs`` (so no pattern they came from matches it)."""
    return needs is None or any(literal in text for literal in needs)
