"""Inline suppressions: ``# trueup: ignore[RULE-ID] reason`` on the finding's line or the line above.

Several ids may be listed (``ignore[K8S-CPU-LIMIT, K8S-SECCOMP]``). A suppressed
finding is still reported, marked waived, with the reason; it never fails a run.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Iterator

from ..model import Finding

_MARK = re.compile(r"#\s*trueup:\s*ignore\[([^\]]+)\]\s*(.*)$")


class Suppressions:
    """Reads each file with findings once, keeping only its suppression comments (by line), so a
    run over many files holds no file's text."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._marks: dict[str, dict[int, tuple[set[str], str]] | None] = {}

    def _file(self, name: str) -> dict[int, tuple[set[str], str]] | None:
        if name not in self._marks:
            marks = None
            for candidate in (self.root / name, Path(name)):
                try:
                    text = candidate.read_text("utf-8-sig")
                except (OSError, UnicodeDecodeError):
                    continue
                marks = {}
                if "trueup:" in text:
                    for number, line in enumerate(text.splitlines(), 1):
                        match = _MARK.search(line)
                        if match:
                            rules = {r.strip() for r in match.group(1).split(",")}
                            marks[number] = (rules, match.group(2).strip() or "no reason given")
                break
            self._marks[name] = marks or None  # most files have no marks: no empty dict kept for each
        return self._marks[name]

    def reason(self, finding: Finding) -> str | None:
        """The reason given for suppressing this finding, or None if it is not suppressed."""
        if not finding.file or not finding.line:
            return None
        marks = self._file(finding.file)
        if not marks:
            return None
        for number in (finding.line, finding.line - 1):
            if number in marks and finding.rule in marks[number][0]:
                return marks[number][1]
        return None

    def apply(self, findings: Iterable[Finding]) -> Iterator[Finding]:
        for finding in findings:
            reason = self.reason(finding)
            if reason is not None:
                finding.waived = True
                finding.message += f" (suppressed: {reason})"
            yield finding
