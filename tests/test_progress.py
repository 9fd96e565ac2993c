"""The progress line (trueup.progress): drawn only on a terminal, throttled, wiped before output."""
from __future__ import annotations

import io
from typing import Iterator

import pytest

from trueup import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    """A controlled monotonic clock, and the module's state reset before and after."""
    fake = Clock()
    monkeypatch.setattr(progress.time, "monotonic", fake)
    monkeypatch.setattr(progress, "_last", 0.0)
    monkeypatch.setattr(progress, "_drawn", 0)
    monkeypatch.setattr(progress, "_stream", None)
    yield fake
    progress._stream = None
    progress._drawn = 0


def test_a_terminal_gets_the_bar(clock: Clock) -> None:
    term = Terminal()
    progress.enable(term, quiet=False)
    progress.step("drift prod", 1, 4)
    assert term.getvalue() == "\rdrift prod [######..................] 1/4"
    clock.now += 1
    progress.step("drift prod", 4, 4)
    assert term.getvalue().endswith("\rdrift prod [########################] 4/4")


def test_clear_wipes_exactly_the_drawn_width(clock: Clock) -> None:
    term = Terminal()
    progress.enable(term, quiet=False)
    progress.step("render", 1, 3)
    line = "render [########................] 1/3"
    progress.clear()
    assert term.getvalue() == "\r" + line + "\r" + " " * len(line) + "\r"
    progress.clear()  # nothing drawn since: nothing written
    assert term.getvalue().count("\r") == 3


def test_a_shorter_line_pads_over_the_longer_one(clock: Clock) -> None:
    term = Terminal()
    progress.enable(term, quiet=False)
    progress.step("a long label", 1, 2)
    clock.now += 1
    progress.step("x", 2, 2)
    first = "a long label [############............] 1/2"
    second = "x [########################] 2/2"
    assert term.getvalue() == "\r" + first + "\r" + second.ljust(len(first))


def test_redraws_are_throttled_but_the_last_step_always_draws(clock: Clock) -> None:
    term = Terminal()
    progress.enable(term, quiet=False)
    progress.step("s", 1, 10)
    clock.now += 0.05
    progress.step("s", 2, 10)   # too soon: skipped
    progress.step("s", 10, 10)  # the last step: drawn anyway
    assert [part.split("] ")[1].strip() for part in term.getvalue().split("\r")[1:]] == ["1/10", "10/10"]
    clock.now += 0.2
    progress.step("s", 3, 10)
    assert term.getvalue().rstrip().endswith("] 3/10")


@pytest.mark.parametrize("total", [0, 1], ids=["no-steps", "one-step"])
def test_runs_of_one_step_draw_nothing(clock: Clock, total: int) -> None:
    term = Terminal()
    progress.enable(term, quiet=False)
    progress.step("x", 1, total)
    progress.clear()
    assert term.getvalue() == ""


@pytest.mark.parametrize("stream, quiet, ci", [
    (Terminal(), True, None),
    (Terminal(), False, "true"),
    (io.StringIO(), False, None),
    (object(), False, None),
], ids=["quiet", "ci", "not-a-terminal", "no-isatty"])
def test_no_line_unless_an_interactive_terminal(clock: Clock, monkeypatch: pytest.MonkeyPatch, stream: object,
                                                quiet: bool, ci: str | None) -> None:
    if ci is not None:
        monkeypatch.setenv("CI", ci)
    progress.enable(stream, quiet)  # type: ignore[arg-type]
    assert progress._stream is None  # module state: enable has no other observable result without a stream
    progress.step("x", 1, 3)
    progress.clear()
    if isinstance(stream, io.StringIO):
        assert stream.getvalue() == ""
