"""Plain text, colour only on a terminal.

Problems in files (schema, parse, policy) are one self-contained line each,
``file:line:col: severity: message [rule]``, the form editors and pre-commit users
grep. Drift reads like dyff: a header per object, then one row per difference
(``live X, desired Y``), multi-line strings as a line diff (``-`` live, ``+`` desired).
One summary line ends the report.
"""
from __future__ import annotations

import dataclasses
import json
from typing import IO

from ..errors import TrueupError
from ..model import Finding, Severity, Summary
from .present import RunInfo, blame_text, by_hand, context, is_difference, sides
from ._safe import printable

_COLORS = {
    Severity.CRITICAL: "\033[1;31m",
    Severity.HIGH: "\033[31m",
    Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m",
    Severity.INFO: "\033[2m",
}
_BOLD, _RESET, _GREEN, _RED = "\033[1m", "\033[0m", "\033[32m", "\033[31m"


def _short(value: object) -> str:
    text = printable(json.dumps(value, ensure_ascii=False, default=str))
    return text if len(text) <= 60 else text[:57] + "..."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _multiline(value: object) -> bool:
    return isinstance(value, str) and "\n" in value.strip("\n")


def _printable(finding: Finding) -> Finding:
    """Names and messages on one line each, control characters escaped (values: where printed)."""
    names = {name: printable(getattr(finding, name))
             for name in ("rule", "message", "target", "path", "file", "environment", "live_file")}
    if finding.blame:
        names["blame"] = {key: printable(value) for key, value in finding.blame.items()}
    return dataclasses.replace(finding, **names)


class TextReporter:
    def __init__(self, stream: IO[str], info: RunInfo) -> None:
        self.stream = stream
        self.info = info
        self.files: set[str] = set()
        self.object: tuple[str, str | None] | None = None

    def _paint(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.info.color else text

    def _print(self, text: str) -> None:
        print(text, file=self.stream)

    def write(self, finding: Finding) -> None:
        if finding.waived and not self.info.verbose:
            return
        if self.info.quiet and finding.severity == Severity.INFO and not self.info.verbose:
            return  # notes (a template left alone, an environment not compared): a clean hook prints nothing
        finding = _printable(finding)
        self.files.add(finding.file or finding.target)
        if is_difference(finding.rule):
            self._drift(finding)
        else:
            self.object = None
            self._line(finding)

    def _line(self, finding: Finding) -> None:
        where = finding.file or finding.target
        if finding.line is not None:
            where += f":{finding.line}"
            if finding.column is not None:
                where += f":{finding.column}"
        severity = self._paint(str(finding.severity), _COLORS[finding.severity])
        parts = [f"{self._paint(where, _BOLD)}: {severity}: {finding.message} [{finding.rule}]", *context(finding)]
        if finding.desired is not None:
            parts.append(f"(value {_short(finding.desired)})")
        if finding.waived:
            parts.append("(waived)")
        self._print(" ".join(parts))

    def _drift(self, finding: Finding) -> None:
        """Drift (live against desired), or a change (base against head, from ``preview``)."""
        old, new = sides(finding.rule)
        only_old = finding.rule in ("drift.extra", "change.removed")
        desired_file = finding.file if not only_old else None
        key = (finding.target, finding.environment)
        if key != self.object or finding.path == "":
            self.object = key
            env = f" ({finding.environment})" if finding.environment else ""
            other = finding.live_file if finding.live_file != desired_file else None
            files = " vs ".join(f for f in (desired_file, other and f"{old} {other}") if f)
            self._print(self._paint(f"{finding.target}{env}", _BOLD) + (f": {files}" if files else ""))
        kind = finding.rule.split(".", 1)[1]
        where = []
        if finding.line is not None and not only_old:
            where.append(f"line {finding.line}")
        if finding.live_line is not None:
            where.append(f"{old} line {finding.live_line}")
        place = f" ({', '.join(where)})" if where else ""
        blamed = "; ".join(n for n in (by_hand(finding), blame_text(finding)) if n)
        label = f"  {kind:<8}{finding.path or finding.message}{place}"
        if finding.waived:
            label += " (waived)"
        if kind == "ignored":
            self._print(self._paint(f"{label}: {finding.message}", _COLORS[Severity.INFO]))
        elif _multiline(finding.desired) or _multiline(finding.live):
            self._print(label + (f" ({blamed})" if blamed else "") + ":")
            self._lines(str(finding.live or ""), str(finding.desired or ""))
        elif kind == "changed":
            note = f" ({blamed})" if blamed else ""
            self._print(f"{label}: {old} {_short(finding.live)}, {new} {_short(finding.desired)}{note}")
        elif kind in ("missing", "added"):
            note = f" ({blamed})" if blamed else ""
            self._print(label if finding.path == "" else f"{label}: {new} {_short(finding.desired)}{note}")
        else:
            note = f" ({blamed})" if blamed else ""
            self._print(label if finding.path == "" else f"{label}: {old} {_short(finding.live)}{note}")

    def _lines(self, live: str, desired: str) -> None:
        import difflib  # drift of multi-line values only: a validate run never needs it

        diff = difflib.unified_diff(live.splitlines(), desired.splitlines(), lineterm="", n=1)
        for row in list(diff)[2:]:
            row = printable(row)
            if row.startswith("-"):
                row = self._paint(row, _RED)
            elif row.startswith("+"):
                row = self._paint(row, _GREEN)
            self._print(f"    {row}")

    def finish(self, summary: Summary, error: TrueupError | None = None) -> None:
        if error is not None or summary.incomplete:
            return
        if self.info.quiet:  # findings only: the verdict line is what --quiet leaves out
            return
        checked = f"{_count(summary.documents, 'document')} in {_count(summary.files, 'file')}"
        details = printable(summary.checked_text())  # kinds and chart names come from the files
        if self.info.verbose:
            for kind, where in summary.unvalidated_documents:
                self._print(self._paint(f"no schema: {printable(where)}", _COLORS[Severity.INFO]))
            for chart, files in summary.templates.items():
                self._print(self._paint(f"Helm chart {printable(chart)}: {_count(len(files), 'template file')} not read as data",
                                        _COLORS[Severity.INFO]))
                for name in files:
                    self._print(self._paint(f"  {printable(name)}", _COLORS[Severity.INFO]))
        notes = summary.active_by_severity.get(str(Severity.INFO), 0)
        if summary.total == summary.waived + notes:
            waived = f" ({summary.waived} waived)" if summary.waived else ""
            noted = f"; {_count(notes, 'note')}" if notes else ""
            self._print(self._paint(f"ok: {checked}, no findings{waived}{noted}" + (f"; {details}" if details else ""),
                                    _GREEN))
            return
        active = summary.active_by_severity
        counts = ", ".join(f"{active[str(s)]} {s}" for s in reversed(Severity) if active.get(str(s)))
        verdict = "failed" if summary.exit_code else "passed"
        shown = summary.total - summary.waived
        line = f"{verdict}: {_count(shown, 'finding')} ({counts}) in {_count(len(self.files), 'file')}; {checked}"
        if summary.waived:
            line += f"; {summary.waived} waived"
        if summary.exit_code == 0:
            line += f"; none at or above {summary.fail_label}"
        if details:
            line += f"; {details}"
        self._print(self._paint(line, _BOLD))


def make(stream: IO[str], info: RunInfo) -> TextReporter:
    return TextReporter(stream, info)
