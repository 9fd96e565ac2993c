"""JSON5: files that are JSON5 by their tool's own contract (``renovate.json5`` and any ``*.json5``,
Babel's ``.babelrc``, ``.babelrc.json`` and ``babel.config.json``), read by pyjson5.

pyjson5 is a compiled JSON5 reader, as fast as the stdlib's json; the pure-Python ``json5``
package took 12 s on a 2 MB file. Its errors give a character offset ("near N"), turned here
into a line and column. Positions and duplicate keys come from JSONC's blanking and json_'s
scanner, which read the JSON subset of JSON5 (double-quoted keys): a value under an unquoted or
single-quoted key has no line in a finding.
"""
from __future__ import annotations

import re

from ..errors import ParseError
from .parsed import Limits, Parsed, check_depth
from .json_ import _Scanner
from .jsonc import Locator as Locator  # noqa: F401  (positions: the JSONC locator)
from .jsonc import blank
from .positions import LineIndex

_NEAR = re.compile(r"\bnear (\d+)")


def _readable(message: str) -> str:
    """pyjson5's wording with characters shown as characters: ``U+005d`` as ``']'``, ``b'comma'`` as ``','``."""
    message = re.sub(r"U\+([0-9a-fA-F]{4,6})", lambda m: repr(chr(int(m.group(1), 16))), message)
    message = message.replace("b'comma'", "','").replace("b'colon'", "':'")
    return re.sub(r"\s+,", ",", re.sub(r"\s{2,}", " ", message)).strip().rstrip(",")


def parse(text: str, file: str, limits: Limits = Limits()) -> Parsed:
    import pyjson5

    plain, _ = blank(text)
    if not plain.strip():
        return Parsed([None])
    try:
        data = pyjson5.loads(text)
    except RecursionError:
        raise ParseError("nesting too deep to parse", file) from None
    except pyjson5.Json5Exception as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        near = _NEAR.search(message)
        line = column = None
        if near is not None:
            # pyjson5 counts the offending character as read: it stands one before "near N".
            line, column = LineIndex(text).position(max(0, min(int(near.group(1)) - 1, len(text))))
        cause = _readable(_NEAR.sub("", message))
        raise ParseError(f"invalid JSON5: {cause}", file, line, column) from None
    if text.count("{") + text.count("[") > limits.max_depth:
        check_depth(data, limits.max_depth, file)
    return Parsed([data], _Scanner(plain).duplicates)
