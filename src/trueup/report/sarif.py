"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

Results stream as they arrive; the rules they use are only known at the end, so
the run object lists ``results`` first and ``tool`` (with ``driver.rules``) after
them: key order means nothing in JSON. Values (desired, live) are left out
altogether, so nothing secret can reach an uploaded report; waived findings are
kept, as suppressed results.
"""
from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import quote

from .. import __version__
from ..errors import TrueupError
from ..model import Finding, Severity, Summary
from ..pins import PUBLISHED
from ..tree import real_path
from .present import RunInfo, context
from .rule_info import describe

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = PUBLISHED
FINGERPRINT_KEY = "trueupFingerprint/v1"
SRCROOT = "%SRCROOT%"

LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
          Severity.LOW: "note", Severity.INFO: "note"}
# GitHub code scanning maps these scores to critical (>= 9.0), high (>= 7.0), medium (>= 4.0) and low.
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                     Severity.LOW: "3.0", Severity.INFO: "0.0"}
OWN_FAMILIES = frozenset({"input", "schema", "drift", "baseline", "config"})
_WAIVER = re.compile(r"\((baselined|suppressed): (.*)\)\s*$", re.DOTALL)
_WINDOWS_ABSOLUTE = re.compile(r"^[A-Za-z]:/")


def _dumps(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent)


def waiver(finding: Finding) -> tuple[str, str]:
    """How a waived finding was waived (``baselined``, ``suppressed`` or ``waived``) and the reason
    given, read back from what the baseline or the inline suppression appended to its message."""
    found = _WAIVER.search(finding.message)
    return (found.group(1), found.group(2)) if found else ("waived", "")


def _pascal(rule_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", rule_id) if part)


class SarifReporter:
    def __init__(self, stream: IO[str], info: RunInfo) -> None:
        self.stream = stream
        self.info = info
        try:
            self.base: Path | None = Path.cwd()
        except OSError:  # the working directory was removed
            self.base = None
        self.rule_index: dict[str, int] = {}
        self.rule_severity: dict[str, Severity] = {}
        self.count = 0
        head = {"$schema": SCHEMA_URI, "version": "2.1.0"}
        self.stream.write(_dumps(head)[:-1] + ', "runs": [{"results": [')

    def _artifact(self, file: str) -> dict[str, str]:
        """A relative URI under %SRCROOT% where possible (what code scanning needs), else a file: URI."""
        path = file.replace("\\", "/")
        if PurePosixPath(path).is_absolute() or _WINDOWS_ABSOLUTE.match(path):
            try:
                tries = [(Path(file), self.base), (real_path(Path(file)), real_path(self.base))] if self.base else []
            except (OSError, ValueError):  # a NUL or a lone surrogate in the name: it names no file
                tries = [(Path(file), self.base)] if self.base else []
            for absolute, base in tries:
                try:
                    path = absolute.relative_to(base).as_posix()
                    break
                except ValueError:
                    continue
            else:
                return {"uri": "file://" + quote(path if path.startswith("/") else "/" + path, safe="/:",
                                                 errors="backslashreplace")}
        # A lone surrogate has no UTF-8 bytes: percent-encoded as its escape, \ud800, as elsewhere.
        return {"uri": quote(path, safe="/", errors="backslashreplace"), "uriBaseId": SRCROOT}

    def _location(self, file: str, line: int | None, column: int | None) -> dict[str, Any]:
        physical: dict[str, Any] = {"artifactLocation": self._artifact(file)}
        if line is not None and line >= 1:
            region = {"startLine": line}
            if column is not None and column >= 1:
                region["startColumn"] = column
            physical["region"] = region
        return {"physicalLocation": physical}

    def _message(self, finding: Finding) -> str:
        return " ".join([finding.message, *context(finding)])

    def write(self, finding: Finding) -> None:
        rule = finding.rule
        index = self.rule_index.setdefault(rule, len(self.rule_index))
        self.rule_severity[rule] = max(finding.severity, self.rule_severity.get(rule, Severity.INFO))
        if finding.file:
            location = self._location(finding.file, finding.line, finding.column)
        else:
            location = {"logicalLocations": [{"fullyQualifiedName": finding.target, "kind": "resource"}]}
        result: dict[str, Any] = {
            "ruleId": rule,
            "ruleIndex": index,
            "level": LEVELS[finding.severity],
            "message": {"text": self._message(finding)},
            "locations": [location],
        }
        if finding.live_file and finding.live_file != finding.file:
            live = self._location(finding.live_file, finding.live_line, None)
            result["relatedLocations"] = [{"id": 1, **live, "message": {"text": "live"}}]
        result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
        if finding.waived:
            how, reason = waiver(finding)
            result["suppressions"] = [{"kind": "inSource" if how == "suppressed" else "external",
                                       "justification": f"{how}: {reason}" if reason else how}]
        result["properties"] = {"target": finding.target, "path": finding.path,
                                "environment": finding.environment, "severity": str(finding.severity)}
        self.stream.write(("," if self.count else "") + "\n    " + _dumps(result))
        self.count += 1

    def _rule(self, rule_id: str) -> dict[str, Any]:
        info = describe(rule_id)
        severity = self.rule_severity[rule_id]
        fix = f"\n\nHow to fix: {info.remediation}" if info.remediation else ""
        markdown_fix = f"\n\n**How to fix:** {info.remediation}" if info.remediation else ""
        tags = ["trueup", info.pack]
        if info.pack not in OWN_FAMILIES:
            tags.append("security")  # policy rules; GitHub reads security-severity only on these
        return {
            "id": rule_id,
            "name": _pascal(rule_id),
            "shortDescription": {"text": info.title},
            "fullDescription": {"text": info.description},
            "help": {"text": f"{info.description}{fix}",
                     "markdown": f"**{info.title}**\n\n{info.description}{markdown_fix}"},
            "defaultConfiguration": {"level": LEVELS[severity]},
            "properties": {"tags": tags, "security-severity": SECURITY_SEVERITY[severity]},
        }

    def finish(self, summary: Summary, error: TrueupError | None = None) -> None:
        exit_code = 2 if error is not None else summary.exit_code
        invocation: dict[str, Any] = {"executionSuccessful": exit_code != 2, "exitCode": exit_code}
        if error is not None:
            notification: dict[str, Any] = {"level": "error", "message": {"text": error.cause}}
            if error.file:
                notification["locations"] = [self._location(error.file, error.line, error.column)]
            invocation["toolExecutionNotifications"] = [notification]
        driver = {
            "name": "trueup",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": INFORMATION_URI,
            "rules": [self._rule(rule_id) for rule_id in self.rule_index],
        }
        tail = {"tool": {"driver": driver}, "invocations": [invocation], "columnKind": "unicodeCodePoints",
                "properties": {"command": self.info.command, "environments": list(self.info.environments)}}
        run = self.info.run
        if run is not None:
            invocation["startTimeUtc"] = run.started
            tail["properties"]["run"] = run.to_json()
            if run.repository:  # SARIF 2.1.0 section 3.14.12, versionControlDetails (3.23)
                details = {"repositoryUri": run.repository, "revisionId": run.commit, "branch": run.branch}
                tail["versionControlProvenance"] = [{k: v for k, v in details.items() if v}]
        body = _dumps(tail, indent=2)[1:-1].replace("\n", "\n  ")
        self.stream.write(("\n  " if self.count else "") + "]," + body + "}]}\n")


def make(stream: IO[str], info: RunInfo) -> SarifReporter:
    return SarifReporter(stream, info)
