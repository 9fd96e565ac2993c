"""report/text.py: one line per problem, dyff-like drift, one summary line, control characters shown escaped."""
from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trueup.errors import ParseError
from trueup.model import Finding, Severity, Summary
from trueup.report import RunInfo
from trueup.report.text import TextReporter, make


def _run(findings: list[Finding], summary: Summary | None = None, error: ParseError | None = None,
         **info: object) -> str:
    stream = io.StringIO()
    reporter = make(stream, RunInfo("check", ("prod",), **info))
    summary = summary or Summary(files=1, documents=2)
    for finding in findings:
        summary.add(finding)
        reporter.write(finding)
    reporter.finish(summary, error)
    return stream.getvalue()


def test_a_problem_is_one_grep_able_line() -> None:
    finding = Finding("schema", Severity.HIGH, "expected integer, got string", "Deployment/a/b", "/spec/replicas",
                      "k.yaml", 6, 3, desired="3")
    assert _run([finding]).splitlines() == [
        'k.yaml:6:3: high: expected integer, got string [schema] at /spec/replicas in Deployment/a/b (value "3")',
        "failed: 1 finding (1 high) in 1 file; 2 documents in 1 file",
    ]


@pytest.mark.parametrize("finding, line", [
    (Finding("R\x1b[2J", Severity.MEDIUM, "line\nforged: high: x", "t\u202e", "", "f\r.yaml", 1),
     "f\\r.yaml:1: medium: line\\nforged: high: x [R\\x1b[2J] in t\\u202e"),
    (Finding("schema", Severity.MEDIUM, "m", "t", "/a\ud800", "f.yaml", desired="\x00\n"),
     'f.yaml: medium: m [schema] at /a\\ud800 in t (value "\\u0000\\n")'),
    (Finding("schema", Severity.MEDIUM, "m", "t", "", "f.yaml", desired="x" * 80),
     f'f.yaml: medium: m [schema] in t (value "{"x" * 56}...)'),
], ids=["controls-and-bidi", "surrogate-and-value", "long-value"])
def test_hostile_strings_stay_on_one_line(finding: Finding, line: str) -> None:
    assert _run([finding]).splitlines()[0] == line


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(["a", "\n", "\r", "\x1b", "\u2028", "\u202e", "\ud800", "\x85", "\t"]),
               max_size=12))
def test_any_message_is_one_line(message: str) -> None:
    out = _run([Finding("r", Severity.MEDIUM, message, "t", "", "f.yaml", 1)], quiet=True)
    assert out.count("\n") == 1 and out.endswith("\n")
    assert out.startswith("f.yaml:1: medium: ")


def test_drift_reads_like_dyff() -> None:
    findings = [
        Finding("drift.changed", Severity.HIGH, "m", "Deployment/shop/web", "/spec/replicas", "d.yaml", 12, 3,
                desired=3, live=5, environment="prod", live_file="live.yaml", live_line=9),
        Finding("drift.changed", Severity.HIGH, "m", "Deployment/shop/web", "/data/x", "d.yaml", 14, 3,
                desired="a\nb\n", live="a\nc\n", environment="prod", live_file="live.yaml", live_line=10),
        Finding("drift.extra", Severity.HIGH, "m", "Deployment/shop/web", "/spec/paused", "live.yaml", 4, 3,
                live=True, environment="prod", live_file="live.yaml", live_line=4),
        Finding("drift.missing", Severity.HIGH, "object is missing live", "Service/shop/api", "", "svc.yaml", 1, 1,
                environment="prod"),
        Finding("drift.ignored", Severity.INFO, "ignored: reason", "Service/shop/api", "/x", "svc.yaml", 2, 1,
                environment="prod"),
    ]
    assert _run(findings, verbose=True).splitlines() == [
        "Deployment/shop/web (prod): d.yaml vs live live.yaml",
        "  changed /spec/replicas (line 12, live line 9): live 5, desired 3",
        "  changed /data/x (line 14, live line 10):",
        "    @@ -1,2 +1,2 @@",
        "     a",
        "    -c",
        "    +b",
        "  extra   /spec/paused (live line 4): live true",
        "Service/shop/api (prod): svc.yaml",
        "  missing object is missing live (line 1)",
        "  ignored /x (line 2): ignored: reason",
        "failed: 5 findings (4 high, 1 info) in 3 files; 2 documents in 1 file",
    ]


def test_preview_changes_say_base_and_head_and_blame() -> None:
    finding = Finding("change.changed", Severity.INFO, "m", "ConfigMap/a/b", "/data/k", "t.yaml", 5, 3,
                      desired="new", live="old",
                      blame={"commit": "a1b2c3d", "author": "Ana", "date": "2026-11-20", "file": "v.yaml", "line": 3})
    assert _run([finding]).splitlines()[:2] == [
        "ConfigMap/a/b: t.yaml",
        '  changed /data/k (line 5): base "old", head "new" (set in a1b2c3d by Ana on 2026-11-20 at v.yaml:3)',
    ]


@pytest.mark.parametrize("findings, info, expected", [
    ([], {}, ["ok: 2 documents in 1 file, no findings"]),
    ([Finding("input.template", Severity.INFO, "template", "t.yaml", "", "t.yaml")], {},
     ["t.yaml: info: template [input.template]", "ok: 2 documents in 1 file, no findings; 1 note"]),
    ([Finding("input.template", Severity.INFO, "template", "t.yaml", "", "t.yaml")], {"quiet": True}, []),
    ([Finding("schema", Severity.HIGH, "m", "t", "", "f", 1, 1)], {"quiet": True}, ["f:1:1: high: m [schema] in t"]),
    ([Finding("x", Severity.LOW, "low", "t.yaml", "", "t.yaml", waived=True),
      Finding("x", Severity.LOW, "low2", "t.yaml", "", "t.yaml")], {},
     ["t.yaml: low: low2 [x]",
      "passed: 1 finding (1 low) in 1 file; 2 documents in 1 file; 1 waived; none at or above high"]),
    ([Finding("x", Severity.LOW, "low", "t.yaml", "", "t.yaml", waived=True)], {"verbose": True},
     ["t.yaml: low: low [x] (waived)", "ok: 2 documents in 1 file, no findings (1 waived)"]),
], ids=["clean", "note", "quiet-note", "quiet-finding", "waived-hidden", "waived-verbose"])
def test_summary_lines(findings: list[Finding], info: dict, expected: list[str]) -> None:
    assert _run(findings, **info).splitlines() == expected


def test_colour_only_when_asked() -> None:
    out = _run([Finding("schema", Severity.HIGH, "m", "t", "", "f", 1, 1)], color=True)
    assert out == ("\x1b[1mf:1:1\x1b[0m: \x1b[31mhigh\x1b[0m: m [schema] in t\n"
                   "\x1b[1mfailed: 1 finding (1 high) in 1 file; 2 documents in 1 file\x1b[0m\n")


def test_no_summary_line_after_an_error_or_an_incomplete_run() -> None:
    incomplete = Summary(files=1, documents=1)
    incomplete.incomplete = 1
    assert (_run([], error=ParseError("x", "f")), _run([], summary=incomplete)) == ("", "")


def test_verbose_lists_documents_without_a_schema_and_chart_templates() -> None:
    summary = Summary(files=2, documents=2, validating=True)
    summary.skip("Widget", "Widget/default/w\x1b (w.yaml)")
    summary.templates = {"charts/app": ["charts/app/templates/a\u202e.yaml"]}
    assert _run([], summary=summary, verbose=True).splitlines() == [
        "no schema: Widget/default/w\\x1b (w.yaml)",
        "Helm chart charts/app: 1 template file not read as data",
        "  charts/app/templates/a\\u202e.yaml",
        "ok: 2 documents in 2 files, no findings; 1 validated against a schema, 1 document had no schema "
        "(kinds: Widget); 0 rules run; 1 Helm template file of 1 chart (charts/app) not read as data",
    ]


@pytest.mark.parametrize("verbose", [False, True], ids=["summary", "verbose"])
@pytest.mark.parametrize("kind, chart, shown_kind, shown_chart", [
    ("W\x1b[2J\u202e", "charts/a\x07\u2066", "W\\x1b[2J\\u202e", "charts/a\\x07\\u2066"),
    ("K\nforged: line", "c\r\u2028d", "K\\nforged: line", "c\\r\\u2028d"),
    ("\x9b31m\u200f", "\x00", "\\x9b31m\\u200f", "\\x00"),
], ids=["esc-rlo", "line-ends", "c1-nul"])
def test_summary_escapes_kinds_and_chart_names(verbose: bool, kind: str, chart: str, shown_kind: str,
                                               shown_chart: str) -> None:
    summary = Summary(files=2, documents=2, validating=True)
    summary.skip(kind, "w.yaml")
    summary.templates = {chart: [f"{chart}/templates/a.yaml"]}
    lines = _run([], summary=summary, verbose=verbose).splitlines()
    assert lines[-1] == (
        f"ok: 2 documents in 2 files, no findings; 1 validated against a schema, 1 document had no schema "
        f"(kinds: {shown_kind}); 0 rules run; 1 Helm template file of 1 chart ({shown_chart}) not read as data")
    assert len(lines) == (4 if verbose else 1)


def test_make_returns_the_reporter() -> None:
    assert isinstance(make(io.StringIO(), RunInfo("check")), TextReporter)
