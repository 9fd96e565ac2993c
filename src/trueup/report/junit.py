"""JUnit XML, the test report that Jenkins, GitLab, Azure DevOps and most CI systems show.

One ``<testsuite>`` per environment ("trueup" for findings without one), one
``<testcase classname="TARGET" name="RULE">`` per target and rule, holding every
finding of that pair as ``file:line:col: severity: message at pointer`` lines.
A test case is red exactly when it would make trueup fail: ``<error>`` for input that
could not be read (exit 2), ``<failure>`` for findings at or above ``--fail-on``;
one with only waived findings is ``<skipped>``, and one whose findings are all below
the threshold passes, listing them in ``<system-out>``. A run without findings is a
single passing test case named "trueup", so CI shows a green test rather than none.
XML needs the counts up front, so the (small) per-finding lines are held until ``finish``.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import IO

from ..errors import TrueupError
from ._safe import readable
from ..model import UNREAD_RULES, Finding, Severity, Summary
from .present import RunInfo
from .sarif import waiver

DEFAULT_SUITE = "trueup"
# Characters XML 1.0 cannot carry at all, not even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """Escaped as text output escapes them: ``\\x01``, a lone surrogate ``\\ud800``."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                        readable(text))


@dataclass(frozen=True)
class _Entry:
    line: str
    message: str
    severity: Severity
    waived: bool
    incomplete: bool


def _line(finding: Finding) -> str:
    where = finding.file or finding.target
    if finding.line is not None:
        where += f":{finding.line}"
        if finding.column is not None:
            where += f":{finding.column}"
    text = f"{where}: {finding.severity}: {finding.message}"
    if finding.path:
        text += f" at {finding.path}"
    return text + (" (waived)" if finding.waived else "")


class JunitReporter:
    def __init__(self, stream: IO[str], info: RunInfo) -> None:
        self.stream = stream
        self.info = info
        self.suites: dict[str, dict[tuple[str, str], list[_Entry]]] = {}

    def write(self, finding: Finding) -> None:
        how, reason = waiver(finding) if finding.waived else ("", "")
        entry = _Entry(_line(finding), f"{how}: {reason}" if reason else finding.message, finding.severity,
                       finding.waived, finding.rule in UNREAD_RULES)
        cases = self.suites.setdefault(finding.environment or DEFAULT_SUITE, {})
        cases.setdefault((finding.target, finding.rule), []).append(entry)

    def _case(self, suite: ET.Element, target: str, rule: str, entries: list[_Entry], fail_on: int) -> str:
        """Add one test case; returns its outcome: errors, failures, skipped or passed."""
        case = ET.SubElement(suite, "testcase", classname=_xml(target), name=_xml(rule), time="0")
        text = _xml("\n".join(e.line for e in entries))
        active = [e for e in entries if not e.waived]
        first = (active or entries)[0].message
        message = _xml(first if len(entries) == 1 else f"{len(entries)} findings; first: {first}")
        if any(e.incomplete for e in entries):
            ET.SubElement(case, "error", message=message, type=rule).text = text
            return "errors"
        if any(e.severity >= fail_on for e in active):
            ET.SubElement(case, "failure", message=message, type=rule).text = text
            return "failures"
        if not active:
            ET.SubElement(case, "skipped", message=_xml(f"waived: {first}")).text = text
            return "skipped"
        if rule == "drift.not-compared":  # nothing was compared: not a pass
            ET.SubElement(case, "skipped", message=_xml(f"not compared: {first}")).text = text
            return "skipped"
        ET.SubElement(case, "system-out").text = text
        return "passed"

    def finish(self, summary: Summary, error: TrueupError | None = None) -> None:
        suites = dict(self.suites)
        if not suites or error is not None:
            suites.setdefault(DEFAULT_SUITE, {})
        root = ET.Element("testsuites", name="trueup")
        totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
        for name, cases in suites.items():
            suite = ET.SubElement(root, "testsuite", name=_xml(name))
            counts = dict.fromkeys(totals, 0)
            for (target, rule), entries in cases.items():
                outcome = self._case(suite, target, rule, entries, summary.fail_on)
                counts["tests"] += 1
                if outcome != "passed":
                    counts[outcome] += 1
            if name == DEFAULT_SUITE and error is not None:
                case = ET.SubElement(suite, "testcase", classname="trueup", name="trueup", time="0")
                ET.SubElement(case, "error", message=_xml(error.cause), type="trueup.error").text = _xml(str(error))
                counts["tests"] += 1
                counts["errors"] += 1
            elif not self.suites:
                ET.SubElement(suite, "testcase", classname="trueup", name="trueup", time="0")
                counts["tests"] += 1
            suite.attrib.update({k: str(v) for k, v in counts.items()}, time="0")
            for key in totals:
                totals[key] += counts[key]
        root.attrib.update({k: str(v) for k, v in totals.items()}, time="0")
        run = self.info.run
        if run is not None:  # the JUnit XML schema's testsuite timestamp (no zone: the time is UTC)
            for suite in root.iter("testsuite"):
                suite.set("timestamp", run.started.rstrip("Z"))
                properties = ET.Element("properties")
                for key, value in run.to_json().items():
                    if value:
                        ET.SubElement(properties, "property", name=f"trueup.{key}", value=_xml(str(value)))
                suite.insert(0, properties)
        ET.indent(root)
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")


def make(stream: IO[str], info: RunInfo) -> JunitReporter:
    return JunitReporter(stream, info)
