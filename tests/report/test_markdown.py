"""The Markdown reporter's verdict and counts: what a pull-request comment or job summary says first."""
from __future__ import annotations

from .test_reporters import FINDINGS, _render
from trueup.model import Finding, Severity

PARSE = Finding("input.render", Severity.CRITICAL, "'replicas' is undefined", "app.yaml", "",
                "templates/app.yaml.j2", 3, 1, environment="prod")


def _counts(text: str) -> dict[str, str]:
    rows = [line.strip("|").split("|") for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    return {cells[0].strip(): cells[1].strip() for cells in rows if len(cells) == 2}


def test_severity_counts_leave_waived_findings_to_their_own_row() -> None:
    # FINDINGS has one waived low finding (schema.missing): it is "waived", not "low".
    text, summary = _render("markdown", FINDINGS)
    assert summary.by_severity["low"] == 1 and summary.waived == 1
    assert _counts(text) == {"severity": "findings", "high": "5", "medium": "1", "waived": "1"}


def test_only_waived_findings_is_no_findings() -> None:
    text, summary = _render("markdown", FINDINGS[-1:])
    assert summary.exit_code == 0
    assert text.splitlines()[0] == "## trueup check (prod): ✅ no findings (1 waived)"


def test_an_incomplete_run_says_so_and_not_only_failing() -> None:
    text, summary = _render("markdown", [FINDINGS[0], PARSE])
    assert summary.exit_code == 2
    assert text.splitlines()[0] == "## trueup check (prod): ❌ incomplete: 1 input could not be read or rendered (exit 2)"
    assert "`templates/app.yaml.j2:3`" in text and "`input.render`" in text
