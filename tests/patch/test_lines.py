"""patch.lines: the line helpers every text editor shares keep each line's own ending."""
from __future__ import annotations

import pytest

from trueup.patch.lines import body, drop, insert, line_ending, newline, read, scalar_text, split_lines
from trueup.patch.ops import NotSurgical


def test_lines_split_at_newlines_only_and_keep_their_endings() -> None:
    text = "a=1\r\nb=2\x0bstill b\nc=3"
    assert split_lines(text) == ["a=1\r\n", "b=2\x0bstill b\n", "c=3"]
    assert "".join(split_lines(text)) == text
    assert [body(line) for line in split_lines(text)] == ["a=1", "b=2\x0bstill b", "c=3"]
    assert split_lines("") == [] and split_lines("x\n") == ["x\n"]


def test_a_missing_final_newline_stays_missing() -> None:
    lines = split_lines("a=1\nb=2")
    assert drop(lines, {1}) == "a=1"
    assert drop(lines, {0}) == "b=2"
    assert insert(lines, 1, ["c=3"], "\n") == "a=1\nb=2\nc=3\n"
    assert insert(lines, -1, ["z=0"], "\n") == "z=0\na=1\nb=2"


def test_line_endings_follow_the_file() -> None:
    lines = split_lines("a=1\r\nb=2\n")
    assert (line_ending(lines, 0, "\n"), line_ending(lines, 1, "\r\n"), line_ending(lines, 5, "\r\n")) == ("\r\n", "\n", "\r\n")
    assert (newline("a\r\nb\n"), newline("a\nb\n")) == ("\r\n", "\n")


def test_scalars_read_back_as_their_loader_reads_them() -> None:
    assert [scalar_text(v) for v in ("x", True, False, 3, 1.5)] == ["x", "true", "false", "3", "1.5"]
    assert read("a: 1\n", "yaml", "unreadable") == {"a": 1}
    assert read("", "toml", "unreadable") == {}
    with pytest.raises(NotSurgical, match="unreadable"):
        read("a = [", "toml", "unreadable")
