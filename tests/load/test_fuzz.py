"""Every loader, fed arbitrary text, reads it or refuses it with a ParseError: never another exception."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trueup.errors import ParseError
from trueup.load import Limits, load_text

FORMATS = ["yaml", "json", "jsonc", "json5", "toml", "ini", "dotenv"]
# Text that looks like each format's syntax, to reach past the first character.
PIECES = st.sampled_from([
    "a", ": ", "- ", "{", "}", "[", "]", ",", '"', "'", "=", "\n", "  ", "#", "//", "/*", "*/", "---", "&x", "*x",
    "<<", "!!", "\\", "\\u", "d800", "1e999", "0x", "[s]", "x = 1", "export ", "${", "}", "\t", "\x00", "\ud800",
    "9" * 50, "é", "\u202e",
])
TEXT = st.one_of(st.text(max_size=200), st.lists(PIECES, max_size=60).map("".join))


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_a_loader_reads_or_refuses_with_one_error(fmt: str, text: str) -> None:
    try:
        loaded = load_text(text, file="f", name="f", fmt=fmt, limits=Limits(max_depth=20))
    except ParseError as exc:
        assert exc.cause and "\n" not in exc.cause.strip()
        return
    for doc in loaded.documents:
        doc.locate("")  # finding a line never raises either
