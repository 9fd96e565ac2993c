"""JSON with comments (JSONC): ``//`` and ``/* */`` comments and trailing commas, as
tsconfig.json, VS Code's settings and devcontainer.json allow them.

Comments, trailing commas and a BOM are blanked to spaces (newlines kept), which leaves
plain JSON at the very same offsets. The stdlib decoder then reads the data, and its errors
stand at their true line and column; json_'s scanner finds positions and duplicate keys in
the same blanked text. TypeScript did the same before it had its own JSON parser
(microsoft/TypeScript#5450: comments "replaced by whitespace ... to keep positions in json
parsing error reporting accurate").

Why not a JSON5 library for JSONC (JSONC is a subset of JSON5): both measured here accept what
tsc and VS Code reject in these files (single quotes, unquoted keys, hex numbers, NaN), so a
broken tsconfig.json would pass; the pure-Python ``json5`` package (0.17) also took 12 s to read
a 2 MB file the stdlib reads in 0.02 s (this module: 0.3 s for 2.6 MB of JSONC, blanking
included). Files that are JSON5 by their tool's own contract (``*.json5``, Babel's configs) are
read by pyjson5, a compiled JSON5 library (``json5_.py``).

Blanking stops at the first ``"`` that opens no string closed on its line and at the first
unclosed ``/*``: the text is not JSONC there, the decoder reports the first error at or
before that point, and nothing after it is scanned again and again (no quadratic time on
hostile input).
"""
from __future__ import annotations

import re

from ..errors import ParseError
from .parsed import Limits, Parsed
from .json_ import _Scanner, parse_as
from .positions import LineIndex, TableLocator

_STRING = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'  # unrolled: linear time; a JSON string holds no raw newline
# A run of text and strings (kept, up to _RUN of them in one match: few iterations for a file of
# many strings, and a bounded backtracking stack in the regex engine), a comment (blanked), a lone
# slash (kept, for the decoder to refuse), or where blanking stops.
_RUN = "{1,1000}"
_COMMENT = re.compile(
    r'(?:[^"/]+|' + _STRING + r')' + _RUN + r'|(?P<comment>//[^\r\n]*|/\*[\s\S]*?\*/)|(?P<stop>/\*|")|/'
)
# A comma before a closing bracket; ``after``: it follows ``[``, ``{`` or a comma (``[,]``,
# ``[1,,]``), an error that stays for the decoder to report.
_TRAILING = re.compile(r"(?P<after>[\[{,][ \t\r\n]*)?,(?=[ \t\r\n]*[\]}])")
_OUTSIDE = re.compile(r'(?:[^"]+|' + _STRING + r')' + _RUN)
_STRING_AT = re.compile(_STRING)
_NOT_NEWLINE = re.compile(r"[^\n]")


def blank(text: str) -> tuple[str, int | None]:
    """``text`` with comments, trailing commas and a leading BOM as spaces (same length, same
    newlines), and the offset of an unclosed ``/*`` (None when there is none)."""
    if text.startswith("\ufeff"):
        text = " " + text[1:]
    unclosed = None
    if "/" in text:
        text, unclosed = _blank_comments(text)
    if "," in text:
        text = _blank_commas(text)
    return text, unclosed


def _blank_comments(text: str) -> tuple[str, int | None]:
    out: list[str] = []
    last = 0
    for match in _COMMENT.finditer(text):
        kind = match.lastgroup
        if kind == "comment":
            out.append(text[last:match.start()])
            comment = match.group()
            out.append(_NOT_NEWLINE.sub(" ", comment) if "\n" in comment else " " * len(comment))
            last = match.end()
        elif kind == "stop":
            return "".join(out) + text[last:], match.start() if match.group() == "/*" else None
    return "".join(out) + text[last:], None


def _blank_commas(text: str) -> str:
    """Trailing commas of comment-free text as spaces. Candidates are found by a plain search;
    ``outside``, an offset known to be outside every string, moves forward only, so a comma
    inside a string is passed over and the whole costs one walk over the text."""
    out: list[str] = []
    last = outside = 0
    for match in _TRAILING.finditer(text):
        comma = match.end() - 1
        if comma < outside:
            continue
        while outside < comma and (run := _OUTSIDE.match(text, outside, comma)):
            outside = run.end()
        if outside < comma:  # a string opens at ``outside`` and holds the comma, or never closes
            string = _STRING_AT.match(text, outside)
            if string is None:
                break
            outside = string.end()
            continue
        if match.group("after") is None:
            out.append(text[last:comma])
            out.append(" ")
            last = comma + 1
    return "".join(out) + text[last:]


def parse(text: str, file: str, limits: Limits = Limits()) -> Parsed:
    """``text`` read as JSONC: a file holding only comments is an empty document."""
    plain, unclosed = blank(text)
    try:
        return parse_as(plain, file, limits, "JSONC")
    except ParseError as exc:
        if unclosed is not None and exc.line is not None and (exc.line, exc.column) == LineIndex(text).position(
            unclosed
        ):
            raise ParseError("invalid JSONC: unclosed /* comment", file, exc.line, exc.column) from None
        raise


class Locator(TableLocator):
    """Positions of pointers, found by json_'s scanner in the blanked text (same offsets)."""

    def __init__(self, text: str) -> None:
        super().__init__(_Scanner(blank(text)[0]).positions)
