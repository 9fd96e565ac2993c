"""load/positions.py: offsets to 1-based lines and columns, recorded positions, table locators."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.errors import ParseError
from trueup.load.positions import LineIndex, TableLocator, read_positions


@pytest.mark.parametrize("offset, expected", [
    (0, (1, 1)), (1, (1, 2)), (2, (1, 3)), (3, (2, 1)), (5, (2, 3)), (6, (3, 1)), (7, (4, 1)), (8, (4, 2)),
], ids=lambda v: str(v))
def test_line_index_positions(offset: int, expected: tuple[int, int]) -> None:
    assert LineIndex("ab\ncd\n\nx").position(offset) == expected


def test_line_index_of_empty_text_is_line_one() -> None:
    assert LineIndex("").position(0) == (1, 1)


def test_line_index_counts_crlf_as_one_line_break() -> None:
    index = LineIndex("a\r\nb")
    assert (index.position(1), index.position(3)) == ((1, 2), (2, 1))


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet="ab\n\r\t é", max_size=40), data=st.data())
def test_line_index_agrees_with_counting(text: str, data: st.DataObject) -> None:
    offset = data.draw(st.integers(0, len(text)))
    before = text[:offset]
    expected = (before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1)
    assert LineIndex(text).position(offset) == expected


class _Reader:
    def __init__(self, fail: bool) -> None:
        self.positions: dict[str, tuple[int, int]] = {}
        self.fail = fail

    def read(self) -> Any:
        self.positions[""] = (1, 1)
        self.positions["/a"] = (2, 3)
        if self.fail:
            raise ParseError("bad", "f", 3)
        self.positions["/b"] = (4, 1)
        return {}


@pytest.mark.parametrize("fail, expected", [
    (False, {"": (1, 1), "/a": (2, 3), "/b": (4, 1)}),
    (True, {"": (1, 1), "/a": (2, 3)}),
], ids=["whole", "up-to-the-error"])
def test_read_positions(fail: bool, expected: dict[str, tuple[int, int]]) -> None:
    assert read_positions(_Reader(fail)) == expected


def test_read_positions_lets_other_errors_through() -> None:
    class Broken:
        positions: dict[str, tuple[int, int]] = {}

        def read(self) -> Any:
            raise ValueError("not a parse error")

    with pytest.raises(ValueError, match="not a parse error"):
        read_positions(Broken())


TABLE = {"": (1, 1), "/a": (2, 3), "/a/b": (3, 5), "/a/b~1c": (4, 7)}


@pytest.mark.parametrize("pointer, expected", [
    ("/a/b", (3, 5)),
    ("/a", (2, 3)),
    ("", (1, 1)),
    ("/a/b~1c", (4, 7)),
    ("/a/c/d", (2, 3)),
    ("/a/b/0", (3, 5)),
    ("/z", (1, 1)),
], ids=["exact", "parent", "root", "escaped", "nearest-ancestor", "child-of-leaf", "unknown-top"])
def test_table_locator_falls_back_to_nearest_ancestor(pointer: str, expected: tuple[int, int]) -> None:
    assert TableLocator(TABLE).position(0, pointer) == expected


def test_table_locator_without_a_root_entry_says_line_one() -> None:
    assert TableLocator({"/a": (5, 2)}).position(3, "/q/r") == (1, 1)


def test_one_table_and_its_locator_come_from_one_reader() -> None:
    from trueup.load.dotenv import _Reader  # the reader a one-table format hands both helpers
    from trueup.load.positions import ReaderLocator, one_table

    parsed = one_table(_Reader, "A=1\nB=2\nA=3\n", "f.env")
    assert parsed.documents == [{"A": "3", "B": "2"}]
    assert [(d.key, d.line, d.column) for d in parsed.duplicates] == [("A", 3, 1)]
    assert one_table(_Reader, "# nothing\n", "f.env").documents == [None]

    class Locator(ReaderLocator):
        reader = _Reader

    assert Locator("A=1\n\nB=2\n").position(0, "/B") == (3, 1)
    assert Locator("A=1\nB='open\n").position(0, "/A") == (1, 1)  # what was read before the error
