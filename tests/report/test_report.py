"""report/__init__.py: the reporter registry, Tee, GitHub Actions wiring, and the helpers every format shares."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from trueup.errors import UsageError
from trueup.model import Finding, Severity, Summary
from trueup.report import (
    FORMATS,
    NOTE_RULES,
    RECORD_FORMATS,
    RunInfo,
    Tee,
    blame_text,
    by_hand,
    context,
    in_github_actions,
    is_difference,
    make_reporter,
    not_compared_target,
    sides,
)
from trueup.report.github import GithubReporter
from trueup.report.text import TextReporter

BLAME = {"commit": "a1b2c3d", "author": "Ana", "date": "2026-11-20", "file": "values/prod.yaml", "line": 3}


def test_formats() -> None:
    assert FORMATS == ("text", "json", "sarif", "junit", "markdown", "github", "html")
    assert RECORD_FORMATS == {"json", "sarif", "junit", "markdown", "html"}
    assert NOTE_RULES == {"drift.not-compared", "input.template", "input.not-regular"}


@pytest.mark.parametrize("finding, expected", [
    (Finding("drift.not-compared", Severity.INFO, "m", "trueup.yaml", file="trueup.yaml"), ""),
    (Finding("drift.not-compared", Severity.INFO, "m", "Deployment/a/b", file="trueup.yaml"), "Deployment/a/b"),
    (Finding("drift.changed", Severity.HIGH, "m", "t", file="f"), None),
], ids=["whole-environment", "one-target", "other-rule"])
def test_not_compared_target(finding: Finding, expected: str | None) -> None:
    assert not_compared_target(finding) == expected


@pytest.mark.parametrize("message, expected", [
    ("replicas differs (changed by hand: kubectl-edit at 2026-01-01)", "changed by hand: kubectl-edit at 2026-01-01"),
    ("replicas differs", ""),
    ("(changed by hand: a) and (changed by hand: b)", "changed by hand: a"),
], ids=["found", "absent", "first"])
def test_by_hand(message: str, expected: str) -> None:
    assert by_hand(Finding("drift.changed", Severity.HIGH, message, "t")) == expected


@pytest.mark.parametrize("rule, difference, named", [
    ("drift.changed", True, ("live", "desired")),
    ("drift.extra", True, ("live", "desired")),
    ("drift.not-compared", False, ("live", "desired")),
    ("change.added", True, ("base", "head")),
    ("change.removed", True, ("base", "head")),
    ("change.changed", True, ("base", "head")),
    ("change.impact", False, ("base", "head")),
    ("schema", False, ("live", "desired")),
], ids=lambda v: str(v))
def test_is_difference_and_sides(rule: str, difference: bool, named: tuple[str, str]) -> None:
    assert (is_difference(rule), sides(rule)) == (difference, named)


@pytest.mark.parametrize("file, blame, expected", [
    ("templates/a.j2", BLAME, "set in a1b2c3d by Ana on 2026-11-20 at values/prod.yaml:3"),
    ("values/prod.yaml", BLAME, "set in a1b2c3d by Ana on 2026-11-20"),
    ("templates/a.j2", None, ""),
], ids=["other-file", "same-file", "none"])
def test_blame_text(file: str, blame: dict | None, expected: str) -> None:
    assert blame_text(Finding("drift.changed", Severity.HIGH, "m", "t", "/a", file, blame=blame)) == expected


@pytest.mark.parametrize("finding, expected", [
    (Finding("r", Severity.LOW, "m", "Deployment/a/b", "/spec", "f.yaml", environment="prod"),
     ["at /spec", "in Deployment/a/b", "(prod)"]),
    (Finding("r", Severity.LOW, "m", "f.yaml", "", "f.yaml"), []),
    (Finding("r", Severity.LOW, "m", "compose.yaml", "/services", None), ["at /services", "in compose.yaml"]),
], ids=["all", "none", "no-file"])
def test_context(finding: Finding, expected: list[str]) -> None:
    assert context(finding) == expected


def test_make_reporter_refuses_an_unknown_format() -> None:
    with pytest.raises(UsageError) as caught:
        make_reporter("yaml", io.StringIO(), RunInfo("check"))
    assert caught.value.cause == "unknown format 'yaml' (one of: text, json, sarif, junit, markdown, github, html)"


def test_make_reporter_writes_through_a_safe_stream() -> None:
    raw = io.StringIO()
    reporter = make_reporter("github", raw, RunInfo("check"))
    reporter.write(Finding("r", Severity.HIGH, "bad \ud800 name", "t"))
    reporter.finish(Summary())
    assert raw.getvalue() == "::error title=r::bad \\ud800 name in t\n"


class _Recorder:
    def __init__(self) -> None:
        self.seen: list[object] = []

    def write(self, finding: Finding) -> None:
        self.seen.append(finding.message)

    def finish(self, summary: Summary, error: object = None) -> None:
        self.seen.append(("finish", summary.total, error))


def test_tee_gives_every_reporter_everything() -> None:
    first, second = _Recorder(), _Recorder()
    tee = Tee(first, second)
    summary = Summary()
    summary.add(Finding("r", Severity.LOW, "one", "t"))
    tee.write(Finding("r", Severity.LOW, "one", "t"))
    tee.finish(summary, None)
    assert first.seen == second.seen == ["one", ("finish", 1, None)]


@pytest.mark.parametrize("env, fmt, to_stdout", [
    ({}, "text", True),
    ({"GITHUB_ACTIONS": "true"}, "json", True),
    ({"GITHUB_ACTIONS": "true"}, "text", False),
    ({"GITHUB_ACTIONS": "false"}, "text", True),
], ids=["not-in-actions", "other-format", "to-a-file", "actions-false"])
def test_in_github_actions_leaves_other_reports_alone(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                                      fmt: str, to_stdout: bool) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    reporter = TextReporter(io.StringIO(), RunInfo("check"))
    assert in_github_actions(fmt, RunInfo("check"), io.StringIO(), to_stdout, reporter) == (reporter, None)


def test_in_github_actions_adds_annotations_and_the_job_summary(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    summary_file = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    stream = io.StringIO()
    text = make_reporter("text", stream, RunInfo("check"))
    reporter, handle = in_github_actions("text", RunInfo("check"), stream, True, text)
    assert isinstance(reporter, Tee) and handle is not None
    assert isinstance(reporter.reporters[0], GithubReporter) and reporter.reporters[1] is text
    finding = Finding("schema", Severity.HIGH, "bad", "t", "", "f.yaml", 2, 1)
    summary = Summary(files=1, documents=1)
    summary.add(finding)
    reporter.write(finding)
    reporter.finish(summary)
    handle.close()
    assert stream.getvalue().splitlines() == [  # the text streams; annotations go out before its summary line
        "f.yaml:2:1: high: bad [schema] in t",
        "::error file=f.yaml,line=2,col=1,title=schema::bad in t",
        "failed: 1 finding (1 high) in 1 file; 1 document in 1 file",
    ]
    assert "bad" in summary_file.read_text(encoding="utf-8")


def test_in_github_actions_without_a_summary_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    text = TextReporter(io.StringIO(), RunInfo("check"))
    reporter, handle = in_github_actions("text", RunInfo("check"), io.StringIO(), True, text)
    assert handle is None and isinstance(reporter, Tee) and len(reporter.reporters) == 2


def test_an_unwritable_job_summary_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing" / "summary.md"))
    with pytest.raises(UsageError) as caught:
        in_github_actions("text", RunInfo("check"), io.StringIO(), True, TextReporter(io.StringIO(), RunInfo("check")))
    assert (caught.value.cause, caught.value.file) == (
        "cannot write the job summary: No such file or directory", str(tmp_path / "missing" / "summary.md"))
