"""report/github.py: workflow-command annotations, escaped as the runner documents, most severe first."""
from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.errors import ParseError, TrueupError
from trueup.model import Finding, Severity, Summary
from trueup.report import RunInfo
from trueup.report.github import (
    LEVELS,
    SHOWN_PER_LEVEL,
    GithubReporter,
    escape_data,
    escape_property,
    make,
    message,
)


def _unescape(text: str) -> str:
    """The runner's unescaping (actions/runner ``ActionCommand.Unescape``): %0D, %0A, %3A, %2C, then %25."""
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


@pytest.mark.parametrize("text, data, prop", [
    ("100%", "100%25", "100%25"),
    ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
    ("::error::forged", "::error::forged", "%3A%3Aerror%3A%3Aforged"),
    ("x,y:z", "x,y:z", "x%2Cy%3Az"),
    ("%0A", "%250A", "%250A"),
    ("plain", "plain", "plain"),
], ids=["percent", "newlines", "double-colon", "comma-colon", "escaped-looking", "plain"])
def test_escaping(text: str, data: str, prop: str) -> None:
    assert (escape_data(text), escape_property(text)) == (data, prop)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab%:,\r\n0ADC25", max_size=30))
def test_escaping_round_trips_and_keeps_one_line(text: str) -> None:
    data, prop = escape_data(text), escape_property(text)
    assert "\n" not in data and "\r" not in data
    assert not set(":,\r\n") & set(prop)
    assert (_unescape(data), _unescape(prop)) == (text, text)


@pytest.mark.parametrize("finding, expected", [
    (Finding("schema", Severity.HIGH, "expected integer", "Deployment/a/b", "/spec/replicas", environment="prod"),
     "expected integer at /spec/replicas in Deployment/a/b (prod)"),
    (Finding("drift.changed", Severity.HIGH, "m (changed by hand: kubectl-edit)", "t", "/a", desired=3, live=5),
     "m (changed by hand: kubectl-edit) at /a in t - live 5, desired 3"),
    (Finding("drift.changed", Severity.HIGH, "m", "t", "/a", live="a\nb\n", desired="a\nc\n"),
     "m at /a in t (- live, + desired):\n-b\n+c"),
    (Finding("drift.missing", Severity.HIGH, "m", "t", "/a", desired={"k": 1}), 'm at /a in t - desired {"k": 1}'),
    (Finding("drift.missing", Severity.HIGH, "object is missing live", "t", ""), "object is missing live in t"),
    (Finding("drift.extra", Severity.HIGH, "m", "t", "/a", live="x" * 300), f'm at /a in t - live "{"x" * 196}...'),
    (Finding("change.removed", Severity.INFO, "m", "t", "/a", live=1, environment="e"), "m at /a in t (e) - base 1"),
    (Finding("change.changed", Severity.INFO, "m", "t", "/a", live=1, desired=2), "m at /a in t - base 1, head 2"),
    (Finding("drift.not-compared", Severity.INFO, "nothing compared", "trueup.yaml"), "nothing compared in trueup.yaml"),
], ids=["schema", "changed", "multi-line", "missing", "missing-object", "long-value", "change-removed",
        "change-changed", "not-compared"])
def test_message(finding: Finding, expected: str) -> None:
    assert message(finding) == expected


def test_message_names_the_blamed_commit() -> None:
    finding = Finding("drift.missing", Severity.HIGH, "m", "t", "/a", "t.yaml", desired=1,
                      blame={"commit": "a1b2c3d", "author": "Ana", "date": "2026-11-20", "file": "v.yaml", "line": 3})
    assert message(finding) == "m at /a in t (set in a1b2c3d by Ana on 2026-11-20 at v.yaml:3)"


def _run(findings: list[Finding], error: TrueupError | None = None, **info: object) -> tuple[str, GithubReporter]:
    stream = io.StringIO()
    reporter = make(stream, RunInfo("check", **info))
    for finding in findings:
        reporter.write(finding)
    reporter.finish(Summary(), error)
    return stream.getvalue(), reporter


def test_annotations_most_severe_first_with_escaped_properties() -> None:
    out, _ = _run([
        Finding("low.rule", Severity.LOW, "low", "t"),
        Finding("x,y:z", Severity.CRITICAL, "boom\n100%", "t", "", "a,b:c.yaml", 4, 2),
        Finding("w", Severity.MEDIUM, "waived", "t", waived=True),
        Finding("m", Severity.MEDIUM, "medium", "t", "", "f.yaml", 3),
        Finding("i", Severity.INFO, "info", "t", "", "g.yaml", None, 9),
    ])
    assert out.splitlines() == [
        "::error file=a%2Cb%3Ac.yaml,line=4,col=2,title=x%2Cy%3Az::boom%0A100%25 in t",
        "::warning file=f.yaml,line=3,title=m::medium in t",
        "::notice title=low.rule::low in t",
        "::notice file=g.yaml,title=i::info in t",
    ]


def test_waived_findings_are_notices_with_verbose() -> None:
    out, _ = _run([Finding("i", Severity.INFO, "info", "t"), Finding("w", Severity.CRITICAL, "waived", "t", waived=True),
                   Finding("m", Severity.MEDIUM, "medium", "t")], verbose=True)
    assert out.splitlines() == ["::warning title=m::medium in t", "::notice title=w::waived in t",
                                "::notice title=i::info in t"]


def test_hidden_counts_what_github_drops_per_level() -> None:
    findings = [Finding("r", Severity.LOW, f"m{i}", "t") for i in range(SHOWN_PER_LEVEL + 2)]
    findings += [Finding("e", Severity.HIGH, "e", "t")] * SHOWN_PER_LEVEL
    out, reporter = _run(findings)
    assert reporter.hidden() == {"notice": 2}
    assert len(out.splitlines()) == 2 * SHOWN_PER_LEVEL + 2


@pytest.mark.parametrize("error, line", [
    (ParseError("bad\nthing", "f,1.yaml", 7, 2), "::error file=f%2C1.yaml,line=7,title=trueup::bad%0Athing"),
    (ParseError("bad", "f.yaml"), "::error file=f.yaml,title=trueup::bad"),
    (TrueupError("no config"), "::error title=trueup::no config"),
], ids=["file-line", "file", "no-file"])
def test_a_run_error_is_one_last_annotation(error: TrueupError, line: str) -> None:
    out, _ = _run([Finding("r", Severity.LOW, "m", "t")], error)
    assert out.splitlines() == ["::notice title=r::m in t", line]


def test_levels() -> None:
    assert [LEVELS[s] for s in Severity] == ["notice", "notice", "warning", "error", "error"]


def test_a_clean_run_prints_nothing() -> None:
    assert _run([])[0] == ""
