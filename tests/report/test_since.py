"""report/since.py: new and resolved findings against a previous report, and the history of earlier runs."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from trueup.errors import InputError
from trueup.model import Finding, Severity, Summary
from trueup.report import RunInfo
from trueup.report.json_ import make
from trueup.report.since import Since, history, history_points, previous_findings, this_run

OLD = Finding("schema", Severity.HIGH, "m", "Deployment/a/b", "/spec/replicas", "f.yaml", 3, 1, environment="prod")
NEW = Finding("drift.changed", Severity.HIGH, "m", "Deployment/a/b", "/spec/image", "f.yaml", 4, 1, environment="prod")


def _report(path: Path, findings: list[Finding]) -> Path:
    stream = io.StringIO()
    reporter = make(stream, RunInfo("check", ("prod",)))
    summary = Summary()
    for finding in findings:
        summary.add(finding)
        reporter.write(finding)
    reporter.finish(summary)
    path.write_text(stream.getvalue(), encoding="utf-8")
    return path


def test_since_follows_new_and_resolved_findings() -> None:
    since = Since(((OLD.fingerprint, "schema", "prod", "Deployment/a/b", "/spec/replicas"),
                   ("gone", "old.rule", None, "T", "/x")))
    assert (since.see(OLD), since.see(NEW), since.see(NEW)) == (False, True, True)
    assert since.new() == [(NEW.fingerprint, ("drift.changed", "prod", "Deployment/a/b", "/spec/image"))]
    assert since.resolved() == [("gone", ("old.rule", None, "T", "/x"))]


@pytest.mark.parametrize("by_rule, expected", [
    ({"drift.changed": 2, "drift.extra": 1, "schema": 3}, (3, 3)),
    ({"drift.ignored": 5, "drift.not-compared": 1, "input.template": 1, "input.not-regular": 2}, (0, 0)),
    ({"change.added": 1, "change.removed": 1, "change.impact": 4}, (2, 4)),
    ({None: 4, "K8S-X": 1}, (0, 1)),
    ({}, (0, 0)),
], ids=["drift-and-violations", "notes-and-ignored", "changes", "non-string-rules", "empty"])
def test_this_run(by_rule: dict, expected: tuple[int, int]) -> None:
    assert this_run(by_rule) == expected


def test_previous_findings_of_a_json_report(tmp_path: Path) -> None:
    path = _report(tmp_path / "prev.json", [OLD, NEW, OLD])
    assert previous_findings(path) == (
        (OLD.fingerprint, "schema", "prod", "Deployment/a/b", "/spec/replicas"),
        (NEW.fingerprint, "drift.changed", "prod", "Deployment/a/b", "/spec/image"),
    )


def test_previous_findings_refuses_what_is_no_report(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"tool": "other"}))
    with pytest.raises(InputError) as caught:
        previous_findings(path)
    assert caught.value.cause == "not a trueup JSON report (run with --format json)"


def test_history_of_json_reports_in_order_skipping_this_runs(tmp_path: Path) -> None:
    waived = Finding("schema", Severity.HIGH, "w", "t", waived=True)
    first = _report(tmp_path / "2026-11-20T031700Z.json", [OLD, NEW, waived])
    second = _report(tmp_path / "nightly.json", [NEW, NEW])
    current = _report(tmp_path / "now.json", [OLD])
    points, envs = history([first, second, current], skip=[current])
    assert points == (("2026-11-20 03:17", 1, 1), ("nightly", 2, 0))
    assert envs == ({"prod": 1}, {"prod": 2})
    assert history_points([first, second, current], skip=[current]) == points
