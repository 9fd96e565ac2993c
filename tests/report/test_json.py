"""report/json_.py: the streamed JSON report, with new and resolved findings, history and a run's error."""
from __future__ import annotations

import io
import json
from typing import Any, Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trueup import __version__
from trueup.errors import ParseError
from trueup.model import Finding, Severity, Summary
from trueup.report import RunInfo, make_reporter
from trueup.report.json_ import SCHEMA_ID, JsonReporter, make

FIRST = Finding("schema", Severity.HIGH, "m", "t", "/a", "f.yaml", 1, 2, desired="x")
SECOND = Finding("x", Severity.LOW, "n", "t")


def _run(findings: list[Finding], info: RunInfo, error: ParseError | None = None) -> str:
    stream = io.StringIO()
    reporter = make(stream, info)
    summary = Summary()
    for finding in findings:
        summary.add(finding)
        reporter.write(finding)
    reporter.finish(summary, error)
    return stream.getvalue()


def test_a_clean_report_exactly() -> None:
    assert _run([], RunInfo("check")) == (
        f'{{"$schema": "{SCHEMA_ID}", "tool": "trueup", "version": "{__version__}", "command": "check", '
        '"environments": [], "findings": [], "summary": {"total": 0, "files": 0, "documents": 0, "by_severity": '
        '{"info": 0, "low": 0, "medium": 0, "high": 0, "critical": 0}, "by_rule": {}, "fail_on": "high", '
        '"failing": 0, "waived": 0, "skipped": 0, "skipped_kinds": {}, "exit_code": 0}}\n')


def test_findings_stream_one_a_line() -> None:
    lines = _run([FIRST, SECOND], RunInfo("validate", ("dev",))).splitlines()
    assert lines[0].endswith('"environments": ["dev"], "findings": [')
    assert json.loads(lines[1].rstrip(",")) == FIRST.to_json()
    assert json.loads(lines[2]) == SECOND.to_json()
    assert lines[3].startswith('], "summary": {"total": 2,')


def test_new_resolved_history_and_error() -> None:
    previous = ((FIRST.fingerprint, "schema", None, "t", "/a"), ("gone", "old", "prod", "T", "/b"))
    info = RunInfo("validate", ("dev",), previous=previous, history=(("r1", 2, 3),))
    report = json.loads(_run([FIRST, SECOND], info, ParseError("bad", "g.yaml", 2, 3)))
    assert [f["new"] for f in report["findings"]] == [False, True]
    assert report["resolved"] == [{"fingerprint": "gone", "rule": "old", "environment": "prod", "target": "T",
                                   "path": "/b"}]
    assert report["history"] == [{"label": "r1", "drift": 2, "violations": 3}]
    assert report["error"] == {"message": "bad", "file": "g.yaml", "line": 2, "column": 3}
    assert report["summary"]["exit_code"] == 2


def test_without_previous_there_is_no_new_flag(valid_report: Callable[[str], dict[str, Any]]) -> None:
    report = valid_report(_run([FIRST], RunInfo("check", ("prod",))))
    assert "new" not in report["findings"][0]
    assert "resolved" not in report and "history" not in report and "error" not in report


def test_make_returns_the_reporter() -> None:
    assert isinstance(make(io.StringIO(), RunInfo("check")), JsonReporter)


HOSTILE = st.text(alphabet=st.characters(codec=None, exclude_categories=("Cs",)) | st.sampled_from(
    ["\ud800", "\udfff", "\x1b", "\n", "\u202e", '"', "\\", ":", "%"]), max_size=20)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=HOSTILE, target=HOSTILE, value=HOSTILE)
def test_hostile_strings_read_back_exactly(message: str, target: str, value: str) -> None:
    stream = io.StringIO()
    reporter = make_reporter("json", stream, RunInfo("check"))
    finding = Finding("schema", Severity.HIGH, message, target, "/a", "f.yaml", 1, 1, desired=value)
    summary = Summary()
    summary.add(finding)
    reporter.write(finding)
    reporter.finish(summary)
    stream.getvalue().encode("utf-8")
    [read] = json.loads(stream.getvalue())["findings"]
    assert (read["message"], read["target"], read["desired"]) == (message, target, value)
