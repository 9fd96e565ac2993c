"""Reporters, one module per output format, behind one tiny interface.

A reporter is given each finding as it is produced (``write``) and the summary at
the end (``finish``); nothing else of a run reaches it, so a nightly run over
thousands of targets streams instead of holding every finding.
"""
from __future__ import annotations

import importlib
import os
import re
from dataclasses import dataclass
from typing import IO, Protocol

from ..errors import TrueupError, UsageError
from ..model import Finding, Summary
from ..runmeta import RunMeta

# Each output format's module, imported only when chosen (a text run never loads the HTML reporter);
# each exposes ``make(stream, info) -> Reporter``.
REPORTERS = {"text": "text", "json": "json_", "sarif": "sarif", "junit": "junit", "markdown": "markdown",
             "github": "github", "html": "html"}
FORMATS = tuple(REPORTERS)
# The formats that are a record of the run (read later, elsewhere): they say when and on what it ran.
RECORD_FORMATS = frozenset({"json", "sarif", "junit", "markdown", "html"})


@dataclass(frozen=True)
class RunInfo:
    command: str
    environments: tuple[str, ...] = ()
    color: bool = False
    quiet: bool = False
    verbose: bool = False
    # A previous report's findings, (fingerprint, rule, environment, target, path) each; None: not given.
    previous: tuple | None = None
    # Earlier runs, oldest first, (label, drift, violations) each; the current run comes after them.
    history: tuple = ()
    env_history: tuple = ()  # beside each point of history: its drift per environment ({} when not known)
    run: RunMeta | None = None  # when, which commit, which CI run (formats that keep a record)


# Notes about the run, not problems: an environment nothing was compared for, a template left alone.
NOTE_RULES = frozenset({"drift.not-compared", "input.template", "input.not-regular"})


def not_compared_target(finding: Finding) -> str | None:
    """For a ``drift.not-compared`` note: the target nothing was compared for, or ``""`` when it is
    the whole environment (whose note names the config as its target); None for any other finding."""
    if finding.rule != "drift.not-compared":
        return None
    return "" if finding.target == finding.file else finding.target


_BY_HAND = re.compile(r"\((changed by hand: [^)]*)\)")


def by_hand(finding: Finding) -> str:
    """``changed by hand: kubectl-edit at ...`` where the live object's managedFields say a person's
    kubectl command wrote the drifted field (drift puts it in the message), else ``""``."""
    found = _BY_HAND.search(finding.message)
    return found.group(1) if found else ""


def is_difference(rule: str) -> bool:
    """Drift (live against desired) and preview's changes (base against head) read as diffs."""
    return (rule.startswith("drift.") and rule != "drift.not-compared") or rule in ("change.added", "change.removed", "change.changed")


def sides(rule: str) -> tuple[str, str]:
    """What a difference's two values are called: (``live``, ``desired``) or (``base``, ``head``)."""
    return ("base", "head") if rule.startswith("change.") else ("live", "desired")


def blame_text(finding: Finding) -> str:
    """``set in a1b2c3d by Ana on 2026-11-20 at values/prod.yaml:3``, or "" without blame."""
    blame = finding.blame
    if not blame:
        return ""
    where = f" at {blame['file']}:{blame['line']}" if blame["file"] != finding.file else ""
    return f"set in {blame['commit']} by {blame['author']} on {blame['date']}{where}"


def context(finding: Finding) -> list[str]:
    """Where a finding is, beyond its file: ``at /pointer``, ``in target``, ``(environment)``."""
    parts = []
    if finding.path:
        parts.append(f"at {finding.path}")
    if finding.target != finding.file:
        parts.append(f"in {finding.target}")
    if finding.environment:
        parts.append(f"({finding.environment})")
    return parts


class Reporter(Protocol):
    def write(self, finding: Finding) -> None: ...

    def finish(self, summary: Summary, error: TrueupError | None = None) -> None: ...


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
