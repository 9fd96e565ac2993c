"""load/parsed.py: the bounds a format module reads within, and what its parse returns."""
from __future__ import annotations

from typing import Any

import pytest

from trueup.errors import ParseError
from trueup.load.parsed import DEFAULT_MAX_BYTES, Limits, Parsed, check_depth


@pytest.mark.parametrize("data, limit, refused", [
    ({"a": [[1]]}, 2, True),
    ({"a": [[1]]}, 3, False),
    ({"a": [1, "x"]}, 2, False),
    ([[[[]]]], 3, True),
    ("scalar", 1, False),
], ids=["too-deep", "at-limit", "scalars-do-not-count", "lists", "scalar"])
def test_check_depth(data: Any, limit: int, refused: bool) -> None:
    if refused:
        with pytest.raises(ParseError) as caught:
            check_depth(data, limit, "f")
        assert str(caught.value) == f"f: nesting deeper than {limit} levels"
    else:
        assert check_depth(data, limit, "f") is None


def test_the_default_limits() -> None:
    assert Limits() == Limits(max_bytes=20 * 1024 * 1024, max_depth=100, max_alias_nodes=1_000_000)
    assert DEFAULT_MAX_BYTES == 20_971_520


def test_a_parse_result_starts_without_duplicates_or_yaml11_notes() -> None:
    parsed = Parsed([{"a": 1}, None])
    assert (parsed.documents, parsed.duplicates, parsed.yaml11) == ([{"a": 1}, None], [], {})
