"""GitHub Actions workflow commands: each finding an annotation on its file and line.

``::error file=templates/api.yaml.j2,line=12,col=5,title=K8S-NO-LATEST-TAG::message``;
critical and high are errors, medium warnings, low and info notices. GitHub shows
them on the pull request's changed lines and does not print them in the log, so a
clean run prints nothing. Values are escaped as the runner expects (``%``, CR, LF;
in properties also ``:`` and ``,``).
"""
from __future__ import annotations

import difflib
import json
from collections import Counter
from typing import IO

from ..errors import TrueupError
from ._safe import readable
from ..model import Finding, Severity, Summary
from .present import RunInfo, blame_text, is_difference, sides

LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
          Severity.LOW: "notice", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """As the runner reads workflow commands (``%``, CR, LF), after every other control and bidi
    character is made visible (``\\x1b``, ``\\u202e``): an annotation shows what the text holds."""
    kept = "\r".join(readable(part) for part in text.split("\r"))  # CR and LF: the runner's own escapes
    return kept.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _value(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 200 else text[:197] + "..."


def message(finding: Finding) -> str:
    parts = [finding.message]
    if finding.path:
        parts.append(f"at {finding.path}")
    parts.append(f"in {finding.target}" + (f" ({finding.environment})" if finding.environment else ""))
    multi = [v for v in (finding.live, finding.desired) if isinstance(v, str) and "\n" in v.strip("\n")]
    old, new = sides(finding.rule)
    kind = finding.rule.split(".", 1)[1] if is_difference(finding.rule) else None
    if kind == "changed" and multi:
        rows = difflib.unified_diff(str(finding.live or "").splitlines(), str(finding.desired or "").splitlines(),
                                    lineterm="", n=0)
        changed = [r for r in list(rows)[2:] if not r.startswith("@@")]
        return " ".join(parts) + f" (- {old}, + {new}):\n" + "\n".join(changed[:20])
    if kind == "changed":
        parts.append(f"- {old} {_value(finding.live)}, {new} {_value(finding.desired)}")
    if blame_text(finding):
        parts.append(f"({blame_text(finding)})")
    elif kind in ("missing", "added") and finding.path:
        parts.append(f"- {new} {_value(finding.desired)}")
    elif kind in ("extra", "removed") and finding.path:
        parts.append(f"- {old} {_value(finding.live)}")
    return " ".join(parts)


# GitHub shows at most this many annotations of each kind (error, warning, notice) per step and
# drops the rest (docs.github.com, "Workflow commands for GitHub Actions": annotation limits), so
# they are written most severe first, and how many were not shown is counted.
SHOWN_PER_LEVEL = 10


class GithubReporter:
    def __init__(self, stream: IO[str], info: RunInfo) -> None:
        self.stream = stream
        self.info = info
        self.pending: list[tuple[int, int, str, str]] = []  # (-severity, order, level, line)

    def write(self, finding: Finding) -> None:
        if finding.waived and not self.info.verbose:
            return
        props = []
        if finding.file:
            props.append(f"file={escape_property(finding.file)}")
            if finding.line is not None:
                props.append(f"line={finding.line}")
                if finding.column is not None:
                    props.append(f"col={finding.column}")
        props.append(f"title={escape_property(finding.rule)}")
        level = "notice" if finding.waived else LEVELS[finding.severity]
        rank = -1 if finding.waived else -int(finding.severity)
        self.pending.append((rank, len(self.pending), level, f"::{level} {','.join(props)}::{escape_data(message(finding))}\n"))

    def hidden(self) -> dict[str, int]:
        """Annotations of each kind beyond what GitHub shows for a step."""
        counts = Counter(level for _, _, level, _ in self.pending)
        return {level: n - SHOWN_PER_LEVEL for level, n in counts.items() if n > SHOWN_PER_LEVEL}

    def finish(self, summary: Summary, error: TrueupError | None = None) -> None:
        for _, _, _, line in sorted(self.pending):
            self.stream.write(line)
        if error is not None:
            where = f"file={escape_property(error.file)}," if error.file else ""
            line = f"line={error.line}," if error.file and error.line else ""
            self.stream.write(f"::error {where}{line}title=trueup::{escape_data(error.cause)}\n")


def make(stream: IO[str], info: RunInfo) -> GithubReporter:
    return GithubReporter(stream, info)
