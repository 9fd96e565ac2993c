"""Pointer globs (trueup.policy.select): a concrete list step is an RFC 6901 array index or nothing."""
from __future__ import annotations

import pytest

from trueup.policy.select import select


@pytest.mark.parametrize("pattern, found", [
    ("/args/1", [("/args/1", "b")]),
    ("/args/01", []),   # no leading zero (RFC 6901)
    ("/args/²", []),    # str.isdigit() is true for it; int() refuses it
    ("/args/٣", []),
    ("/args/-1", []),
    ("/args/*", [("/args/0", "a"), ("/args/1", "b")]),
], ids=repr)
def test_a_list_step_is_an_array_index(pattern: str, found: list[tuple[str, str]]) -> None:
    assert list(select({"args": ["a", "b"]}, pattern)) == found
