"""report/_safe.py: lone surrogates and control characters escaped, and the stream that never fails on them."""
from __future__ import annotations

import io
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup import mask
from trueup.report._safe import SafeStream, no_surrogates, printable, safe_stream


@pytest.mark.parametrize("text, expected", [
    ("a\ud800b", "a\\ud800b"),
    ("\udfff", "\\udfff"),
    ("line\nbreak\x1b[2J\u202e", "line\nbreak\x1b[2J\u202e"),
    ("plain", "plain"),
], ids=["high", "low", "controls-kept", "plain"])
def test_no_surrogates(text: str, expected: str) -> None:
    assert no_surrogates(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("a\nb", "a\\nb"),
    ("cr\rhere", "cr\\rhere"),
    ("\x1b[2J", "\\x1b[2J"),
    ("\x00nul", "\\x00nul"),
    ("tab\there", "tab\there"),
    ("\x7f\x85", "\\x7f\\x85"),
    ("\u202eevil\u2066", "\\u202eevil\\u2066"),
    ("\u200e\u200f", "\\u200e\\u200f"),
    ("\u2028\u2029", "\\u2028\\u2029"),
    ("\ud800", "\\ud800"),
    ("é ü 漢 😀 ::x 100%", "é ü 漢 😀 ::x 100%"),
], ids=["newline", "carriage-return", "escape", "nul", "tab-kept", "del-c1", "bidi-override-isolate", "marks",
        "line-separators", "surrogate", "printable-unchanged"])
def test_printable(text: str, expected: str) -> None:
    assert printable(text) == expected


@pytest.mark.parametrize("value", [5, None, ["a\n"], {"k": "\x1b"}], ids=["int", "none", "list", "dict"])
def test_printable_leaves_what_is_not_a_string(value: object) -> None:
    assert printable(value) is value


_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=30))
def test_printable_output_is_one_line_of_visible_text(text: str) -> None:
    shown = printable(text)
    assert _UNPRINTABLE.search(shown) is None
    assert printable(shown) == shown
    if _UNPRINTABLE.search(text) is None:
        assert shown == text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_no_surrogates_output_reads_back_as_json(text: str) -> None:
    """Escaped surrogates are JSON's spelling: a JSON string written through it reads back exactly."""
    encoded = no_surrogates(json.dumps(text, ensure_ascii=False))
    encoded.encode("utf-8")
    assert json.loads(encoded) == text


def test_safe_stream_writes_surrogates_escaped_and_passes_the_rest_through() -> None:
    raw = io.StringIO()
    stream = safe_stream(raw)
    assert isinstance(stream, SafeStream)
    assert safe_stream(stream) is stream
    stream.write("a\ud800\n")
    assert (raw.getvalue(), stream.getvalue(), stream.closed) == ("a\\ud800\n", "a\\ud800\n", False)


def test_safe_stream_never_raises_on_an_encoding_stream() -> None:
    buffer = io.BytesIO()
    raw = io.TextIOWrapper(buffer, encoding="utf-8")
    SafeStream(raw).write("x\udc80y")
    raw.flush()
    assert buffer.getvalue() == b"x\\udc80y"


def test_safe_stream_masks_registered_secrets() -> None:
    mask.add_known_secrets(["Hunter2-Sekret-Value"])
    try:
        raw = io.StringIO()
        SafeStream(raw).write("token=Hunter2-Sekret-Value;")
        assert raw.getvalue() == f"token={mask.MASK};"
    finally:
        mask.forget_known_secrets()
