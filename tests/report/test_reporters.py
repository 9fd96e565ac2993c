"""Reporters against golden files, fed the same fixed findings.

Regenerate after a deliberate change with ``TRUEUP_UPDATE_GOLDEN=1 pytest tests/report``.
"""
from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from trueup.model import NEVER, Finding, Severity, Summary
from trueup.report import RunInfo, make_reporter

GOLDEN = Path(__file__).parent / "golden"

FINDINGS = [
    Finding("schema", Severity.HIGH, "expected integer, got string", "Deployment/shop/api",
            "/spec/replicas", "templates/k8s/api.yaml.j2", 9, 3, desired="3", environment="prod"),
    Finding("input.duplicate-key", Severity.HIGH, "duplicate key 'image': the later value silently replaces the earlier one",
            "compose.yaml", "/services/web/image", "compose.yaml", 7, 5),
    Finding("drift.changed", Severity.MEDIUM, "replicas differs", "Deployment/shop/web",
            "/spec/replicas", "templates/k8s/web.yaml.j2", 12, 3, desired=3, live=5),
    Finding("drift.changed", Severity.HIGH, "app.yaml differs live", "ConfigMap/shop/api-config",
            "/data/app.yaml", "templates/k8s/cm.yaml.j2", 14, 3, desired="cache:\n  ttl: 600\nlog: json\n",
            live="cache:\n  ttl: 300\nlog: json\n", environment="prod", live_file="live/prod/cm.yaml", live_line=6),
    Finding("drift.extra", Severity.HIGH, "sidecar is set live but not in desired state", "ConfigMap/shop/api-config",
            "/metadata/annotations/sidecar", "live/prod/cm.yaml", 4, 5, live="injected", environment="prod",
            live_file="live/prod/cm.yaml", live_line=4),
    Finding("drift.missing", Severity.HIGH, "object is missing live", "Service/shop/api", "",
            "templates/k8s/svc.yaml.j2", 1, 1, environment="prod"),
    Finding("schema.missing", Severity.LOW, "no Kubernetes 1.33 schema for example.com/v1 Widget; not validated",
            "Widget/default/w", "", "crds/widget.yaml", 1, 1, waived=True),
]


def _render(fmt: str, findings: list[Finding], fail_on: int = Severity.HIGH, **info: object) -> tuple[str, Summary]:
    stream = io.StringIO()
    reporter = make_reporter(fmt, stream, RunInfo("check", ("prod",), **info))
    summary = Summary(fail_on=fail_on, files=3, documents=5)
    for finding in findings:
        summary.add(finding)
        reporter.write(finding)
    reporter.finish(summary)
    return stream.getvalue(), summary


def _golden(name: str, text: str) -> str:
    path = GOLDEN / name
    if os.environ.get("TRUEUP_UPDATE_GOLDEN"):
        path.write_text(text)
    return path.read_text()


@pytest.mark.parametrize(
    "name, fmt, findings, kwargs",
    [
        ("findings.txt", "text", FINDINGS, {}),
        ("findings-color.txt", "text", FINDINGS, {"color": True}),
        ("clean.txt", "text", [], {}),
        ("findings.json", "json", FINDINGS, {}),
        ("clean.json", "json", [], {}),
        ("findings.md", "markdown", FINDINGS, {}),
        ("findings-verbose.md", "markdown", FINDINGS, {"verbose": True}),
        ("clean.md", "markdown", [], {}),
        ("findings.github", "github", FINDINGS, {}),
        ("clean.github", "github", [], {}),
    ],
)
def test_reporter_matches_golden(name: str, fmt: str, findings: list[Finding], kwargs: dict) -> None:
    text, _ = _render(fmt, findings, **kwargs)
    assert text == _golden(name, text)


def test_json_report_validates_against_shipped_schema(valid_report) -> None:
    text, summary = _render("json", FINDINGS)
    report = valid_report(text)
    assert report["summary"]["by_rule"] == {
        "drift.changed": 2, "drift.extra": 1, "drift.missing": 1, "input.duplicate-key": 1, "schema": 1, "schema.missing": 1,
    }
    assert report["summary"]["failing"] == 5
    assert summary.exit_code == 1


def test_below_threshold_passes_and_says_so() -> None:
    text, summary = _render("text", [FINDINGS[2], FINDINGS[-1]], fail_on=Severity.HIGH)
    assert summary.exit_code == 0
    assert text.splitlines()[-1] == (
        "passed: 1 finding (1 medium) in 1 file; 5 documents in 3 files; 1 waived; none at or above high"
    )


def test_fail_on_never_and_waived() -> None:
    _, summary = _render("text", FINDINGS, fail_on=NEVER)
    assert summary.exit_code == 0
    _, summary = _render("text", FINDINGS[-1:], fail_on=Severity.INFO)
    assert summary.exit_code == 0


def test_quiet_prints_nothing_on_success() -> None:
    text, _ = _render("text", [], quiet=True)
    assert text == ""


def test_json_stream_is_one_object_with_findings_first() -> None:
    text, _ = _render("json", FINDINGS)
    report = json.loads(text)
    assert list(report) == ["$schema", "tool", "version", "command", "environments", "findings", "summary"]
    assert [f["rule"] for f in report["findings"]] == [f.rule for f in FINDINGS]


def test_quiet_prints_only_findings() -> None:
    """--quiet: the findings' lines and nothing else, no verdict line, whatever the outcome."""
    loud, _ = _render("text", FINDINGS)
    quiet, _ = _render("text", FINDINGS, quiet=True)
    assert loud.splitlines()[-1].startswith("failed: ")
    assert quiet.splitlines() == loud.splitlines()[:-1]
    passing, summary = _render("text", [FINDINGS[2]], quiet=True)
    assert summary.exit_code == 0 and passing.splitlines()[-1].startswith("  changed /spec/replicas")
