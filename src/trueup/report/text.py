"""Plain text: one self-contained ``file:line:col: severity: message [rule]`` line per finding,
in file order, then one summary line. Colour only on a terminal."""
from __future__ import annotations

import json
from typing import IO

from ..errors import TrueupError
from ..model import Finding, Severity, Summary
from . import RunInfo

_COLORS = {
    Severity.CRITICAL: "\033[1;31m",
    Severity.HIGH: "\033[31m",
    Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m",
    Severity.INFO: "\033[2m",
}
_BOLD, _RESET, _GREEN = "\033[1m", "\033[0m", "\033[32m"


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class TextReporter:
    def __init__(self, stream: IO[str], info: RunInfo) -> None:
        self.stream = stream
        self.info = info
        self.files: set[str] = set()

    def _paint(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.info.color else text

    def write(self, finding: Finding) -> None:
        where = finding.file or finding.target
        self.files.add(where)
        if finding.line is not None:
            where += f":{finding.line}"
            if finding.column is not None:
                where += f":{finding.column}"
        severity = self._paint(str(finding.severity), _COLORS[finding.severity])
        parts = [f"{self._paint(where, _BOLD)}: {severity}: {finding.message} [{finding.rule}]"]
        if finding.path:
            parts.append(f"at {finding.path}")
        if finding.target != finding.file:
            parts.append(f"in {finding.target}")
        if finding.environment:
            parts.append(f"({finding.environment})")
        if finding.live is not None:
            parts.append(f"desired {_short(finding.desired)}, live {_short(finding.live)}")
        elif finding.desired is not None:
            parts.append(f"(value {_short(finding.desired)})")
        if finding.live_file and finding.live_file != finding.file:
            parts.append(f"live {finding.live_file}:{finding.live_line}" if finding.live_line else f"live {finding.live_file}")
        if finding.waived:
            parts.append("(waived)")
        print(" ".join(parts), file=self.stream)

    def finish(self, summary: Summary, error: TrueupError | None = None) -> None:
        if error is not None or summary.incomplete:
            return
        if self.info.quiet and not summary.total:
            return
        checked = f"{_count(summary.documents, 'document')} in {_count(summary.files, 'file')}"
        if not summary.total:
            print(self._paint(f"ok: {checked}, no findings", _GREEN), file=self.stream)
            return
        counts = ", ".join(
            f"{summary.by_severity[str(s)]} {s}" for s in reversed(Severity) if summary.by_severity.get(str(s))
        )
        verdict = "failed" if summary.exit_code else "passed"
        line = f"{verdict}: {_count(summary.total, 'finding')} ({counts}) in {_count(len(self.files), 'file')}; {checked}"
        if summary.exit_code == 0:
            line += f"; none at or above {summary.fail_label}"
        print(self._paint(line, _BOLD), file=self.stream)


def make(stream: IO[str], info: RunInfo) -> TextReporter:
    return TextReporter(stream, info)
