"""Strings from pull requests (file and object names, messages, values) made safe to write.

Loaders accept lone surrogates (``"\\ud800"`` in JSON or YAML), which no UTF-8 stream can
encode: every reporter's stream escapes them as the six characters ``\\ud800``, which is also
how JSON spells the same string, so JSON and SARIF reports read back exactly. Text output
also escapes control characters (a name holding ``ESC[2J`` or a newline must not repaint the
terminal or forge a line) and the bidirectional overrides that reorder what a reader sees.
"""
from __future__ import annotations

import re
from typing import IO, Any

from ..mask import redact_known

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 (tab kept) and C1 controls, DEL, line and paragraph separators, bidi marks, embeddings,
# overrides and isolates, surrogates.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r"}
# The same but line feeds, for text that keeps its lines (an HTML value, a diff block).
_UNREADABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(char: str) -> str:
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def no_surrogates(text: str) -> str:
    """``\\ud800`` (six characters) for each lone surrogate; other text unchanged."""
    return _SURROGATE.sub(lambda m: _escape(m.group()), text)


def readable(text: str) -> str:
    """Text whose lines are kept, every other control and bidi character escaped as :func:`printable`
    escapes it: what a reader sees is what the text holds (an HTML page, a pull-request comment, a
    workflow annotation, a JUnit message)."""
    return _UNREADABLE.sub(lambda m: _escape(m.group()), text)


def printable(text: Any) -> Any:
    """One line of plain text: control characters, bidi controls and surrogates escaped
    (``\\n``, ``\\x1b``, ``\\u202e``, ``\\ud800``); tabs and other text unchanged. Not a str: as is."""
    return _UNPRINTABLE.sub(lambda m: _escape(m.group()), text) if isinstance(text, str) else text


class SafeStream:
    """A text stream that never raises ``UnicodeEncodeError`` for a lone surrogate."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(redact_known(no_surrogates(text)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def safe_stream(stream: IO[str]) -> IO[str]:
    return stream if isinstance(stream, SafeStream) else SafeStream(stream)  # type: ignore[return-value]
