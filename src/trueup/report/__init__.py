"""Reporters, one module per output format, behind one tiny interface.

A reporter is given each finding as it is produced (``write``) and the summary at
the end (``finish``); nothing else of a run reaches it, so a nightly run over
thousands of targets streams instead of holding every finding.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import IO, Protocol

from ..errors import TrueupError
from ..model import Finding, Summary

FORMATS = ("text", "json")


@dataclass(frozen=True)
class RunInfo:
    command: str
    environments: tuple[str, ...] = ()
    color: bool = False
    quiet: bool = False
    verbose: bool = False


class Reporter(Protocol):
    def write(self, finding: Finding) -> None: ...

    def finish(self, summary: Summary, error: TrueupError | None = None) -> None: ...


def make_reporter(fmt: str, stream: IO[str], info: RunInfo) -> Reporter:
    module = importlib.import_module(f".{'json_' if fmt == 'json' else fmt}", __name__)
    return module.make(stream, info)
