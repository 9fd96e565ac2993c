"""report: each output format comes from the explicit table of reporters; no other name is one."""
from __future__ import annotations

import io

import pytest

from trueup.errors import UsageError
from trueup.model import Summary
from trueup.report import FORMATS, REPORTERS, RunInfo, make_reporter


def test_every_format_has_its_module_and_the_cli_offers_exactly_those() -> None:
    from trueup.cli import build_parser

    assert FORMATS == tuple(REPORTERS) == ("text", "json", "sarif", "junit", "markdown", "github", "html")
    validate = build_parser()._subparsers._group_actions[0].choices["validate"]  # type: ignore[union-attr]
    assert tuple(next(a for a in validate._actions if a.dest == "format").choices) == FORMATS


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_writes_a_report(fmt: str) -> None:
    stream = io.StringIO()
    reporter = make_reporter(fmt, stream, RunInfo("validate"))
    reporter.finish(Summary())
    assert type(reporter).__module__ == f"trueup.report.{REPORTERS[fmt]}"


@pytest.mark.parametrize("fmt", ["JSON", "json_", "_safe", "merge", "../cli", ""])
def test_a_name_outside_the_table_is_no_format(fmt: str) -> None:
    with pytest.raises(UsageError, match="unknown format"):
        make_reporter(fmt, io.StringIO(), RunInfo("validate"))
