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
    def __init__(self, root: Path) -> None:
        self.root = root
        self._lines: dict[str, list[str] | None] = {}

    def _file(self, name: str) -> list[str] | None:
        if name not in self._lines:
            lines = None
            for candidate in (self.root / name, Path(name)):
                try:
                    lines = candidate.read_text("utf-8-sig").splitlines()
                    break
                except (OSError, UnicodeDecodeError):
                    continue
            self._lines[name] = lines
        return self._lines[name]

    def reason(self, finding: Finding) -> str | None:
        """The reason given for suppressing this finding, or None if it is not suppressed."""
        if not finding.file or not finding.line:
            return None
        lines = self._file(finding.file)
        if not lines:
            return None
        for number in (finding.line, finding.line - 1):
            if 1 <= number <= len(lines):
                match = _MARK.search(lines[number - 1])
                if match and finding.rule in {r.strip() for r in match.group(1).split(",")}:
                    return match.group(2).strip() or "no reason given"
        return None

    def apply(self, findings: Iterable[Finding]) -> Iterator[Finding]:
        for finding in findings:
            reason = self.reason(finding)
            if reason is not None:
                finding.waived = True
                finding.message += f" (suppressed: {reason})"
            yield finding
