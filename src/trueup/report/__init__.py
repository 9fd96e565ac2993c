"""Reporters, one module per output format, behind one tiny interface.

A reporter is given each finding as it is produced (``write``) and the summary at
the end (``finish``); nothing else of a run reaches it, so a nightly run over
thousands of targets streams instead of holding every finding.
"""
from __future__ import annotations

import importlib
import os
from typing import IO

from ..errors import TrueupError, UsageError
from ..model import Finding, Summary
from .present import (  # re-exported: what every format shares, as callers know it
    NOTE_RULES, Reporter, RunInfo, blame_text, by_hand, context, is_difference, not_compared_target, sides,
)

__all__ = ["FORMATS", "NOTE_RULES", "RECORD_FORMATS", "REPORTERS", "Reporter", "RunInfo", "Tee", "blame_text",
           "by_hand", "context", "in_github_actions", "is_difference", "make_reporter", "not_compared_target", "sides"]

# Each output format's module, imported only when chosen (a text run never loads the HTML reporter);
# each exposes ``make(stream, info) -> Reporter``.
REPORTERS = {"text": "text", "json": "json_", "sarif": "sarif", "junit": "junit", "markdown": "markdown",
             "github": "github", "html": "html"}
FORMATS = tuple(REPORTERS)
# The formats that are a record of the run (read later, elsewhere): they say when and on what it ran.
RECORD_FORMATS = frozenset({"json", "sarif", "junit", "markdown", "html"})


class Tee:
    """One run, several reporters: each gets every finding and the summary."""

    def __init__(self, *reporters: Reporter) -> None:
        self.reporters = reporters

    def write(self, finding: Finding) -> None:
        for reporter in self.reporters:
            reporter.write(finding)

    def finish(self, summary: Summary, error: TrueupError | None = None) -> None:
        for reporter in self.reporters:
            reporter.finish(summary, error)


def make_reporter(fmt: str, stream: IO[str], info: RunInfo) -> Reporter:
    if fmt not in REPORTERS:
        raise UsageError(f"unknown format {fmt!r} (one of: {', '.join(FORMATS)})")
    module = importlib.import_module(f".{REPORTERS[fmt]}", __name__)
    from ._safe import safe_stream  # lone surrogates (which loaders accept) escaped, never UnicodeEncodeError
    return module.make(safe_stream(stream), info)


def in_github_actions(fmt: str, info: RunInfo, stream: IO[str], to_stdout: bool,
                      reporter: Reporter) -> tuple[Reporter, IO[str] | None]:
    """In GitHub Actions (``GITHUB_ACTIONS=true``) the default report (text on standard output)
    also becomes annotations (workflow commands, which the log does not show) and appends its
    Markdown form to the job summary (``GITHUB_STEP_SUMMARY``). A report asked for in a format
    or a file is left alone: the action and workflows convert JSON reports themselves. Returns
    the reporter to use and the summary file to close."""
    if os.environ.get("GITHUB_ACTIONS") != "true" or fmt != "text" or not to_stdout:
        return reporter, None
    annotations = make_reporter("github", stream, info)
    extra = [annotations]
    handle = None
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        try:
            handle = open(path, "a", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write the job summary: {exc.strerror}", path) from None
        summary = make_reporter("markdown", handle, info)
        summary.annotations = annotations  # type: ignore[attr-defined]  (says how many GitHub did not show)
        extra.append(summary)
    # The annotations (written at the end, most severe first) go out before the text's summary line.
    return Tee(annotations, reporter, *extra[1:]), handle
