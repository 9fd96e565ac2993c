"""A progress line for long runs on a terminal, and nothing anywhere else.

Stages report steps (``step("drift prod", done, total)``); the line is drawn on
standard error only when it is a terminal, not in CI (``CI`` set) and not with
``--quiet``, redrawn at most ten times a second, and wiped before anything else is
printed, so reports and pipes never see it. Module state, like a terminal's: one
run draws one line.
"""
from __future__ import annotations

import os
import time
from typing import IO

WIDTH = 24
_stream: IO[str] | None = None
_last = 0.0
_drawn = 0


def enable(stream: IO[str], quiet: bool) -> None:
    global _stream
    isatty = getattr(stream, "isatty", None)
    _stream = stream if not quiet and not os.environ.get("CI") and isatty is not None and isatty() else None


def step(label: str, done: int, total: int) -> None:
    """``done`` of ``total`` steps of ``label``; drawn when due, and always at the last step."""
    global _last, _drawn
    if _stream is None or total <= 1:
        return
    now = time.monotonic()
    if done < total and now - _last < 0.1:
        return
    _last = now
    filled = WIDTH * done // total
    line = f"{label} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total}"
    _stream.write("\r" + line.ljust(_drawn))
    _stream.flush()
    _drawn = len(line)


def clear() -> None:
    """Wipe the line (before a report is printed, and at the end)."""
    global _drawn
    if _stream is not None and _drawn:
        _stream.write("\r" + " " * _drawn + "\r")
        _stream.flush()
    _drawn = 0
