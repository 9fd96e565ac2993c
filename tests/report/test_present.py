"""report/present.py: what every format says alike: which findings are differences or notes, the names
of a difference's two sides, blame and by-hand text, where a finding is, and RunInfo's defaults."""
from __future__ import annotations

import dataclasses

import pytest

from trueup.model import Finding, Severity
from trueup.report.present import (
    NOTE_RULES, RunInfo, blame_text, by_hand, context, is_difference, not_compared_target, sides,
)


def _finding(rule: str = "drift.changed", **fields) -> Finding:
    base = dict(rule=rule, severity=Severity.HIGH, message="m", target="Deployment/shop/api", path="/spec/replicas",
                file="templates/api.yaml.j2", line=3, column=5, environment="prod")
    base.update(fields)
    return Finding(**base)


@pytest.mark.parametrize("rule, difference", [
    ("drift.changed", True), ("drift.missing", True), ("drift.extra", True), ("drift.not-compared", False),
    ("change.added", True), ("change.removed", True), ("change.changed", True), ("change.values", False),
    ("schema", False), ("input.parse", False), ("K8S-DRIFT", False), ("drift", False), ("drift.", True),
], ids=lambda v: v if isinstance(v, str) else None)
def test_is_difference(rule: str, difference: bool) -> None:
    assert is_difference(rule) is difference


@pytest.mark.parametrize("rule, expected", [
    ("drift.changed", ("live", "desired")), ("drift.missing", ("live", "desired")),
    ("change.changed", ("base", "head")), ("change.added", ("base", "head")), ("schema", ("live", "desired")),
], ids=["drift-changed", "drift-missing", "change-changed", "change-added", "other"])
def test_sides(rule: str, expected: tuple[str, str]) -> None:
    assert sides(rule) == expected


BLAME = {"commit": "a1b2c3d", "author": "Ana", "date": "2026-11-20", "file": "values/prod.yaml", "line": 3}


@pytest.mark.parametrize("blame, expected", [
    (None, ""),
    ({}, ""),
    (BLAME, "set in a1b2c3d by Ana on 2026-11-20 at values/prod.yaml:3"),
    ({**BLAME, "file": "templates/api.yaml.j2", "line": 9}, "set in a1b2c3d by Ana on 2026-11-20"),
], ids=["none", "empty", "values-file", "same-file"])
def test_blame_text(blame, expected: str) -> None:
    assert blame_text(_finding(blame=blame)) == expected


@pytest.mark.parametrize("message, expected", [
    ("replicas differs live (changed by hand: kubectl-edit at 2026-11-20T10:00:00Z)",
     "changed by hand: kubectl-edit at 2026-11-20T10:00:00Z"),
    ("a (changed by hand: kubectl-scale) then (changed by hand: kubectl-patch)", "changed by hand: kubectl-scale"),
    ("replicas differs live", ""),
    ("changed by hand: kubectl-edit", ""),
    ("(changed by hand: unclosed", ""),
], ids=["with-time", "first-of-two", "none", "no-parentheses", "unclosed"])
def test_by_hand(message: str, expected: str) -> None:
    assert by_hand(_finding(message=message)) == expected


@pytest.mark.parametrize("fields, expected", [
    ({}, ["at /spec/replicas", "in Deployment/shop/api", "(prod)"]),
    ({"path": "", "environment": None}, ["in Deployment/shop/api"]),
    ({"target": "templates/api.yaml.j2"}, ["at /spec/replicas", "(prod)"]),
    ({"path": "", "target": "templates/api.yaml.j2", "environment": None}, []),
    ({"file": None, "target": "app.yaml", "path": "", "environment": ""}, ["in app.yaml"]),
], ids=["all", "target-only", "target-is-file", "nothing", "no-file"])
def test_context(fields: dict, expected: list[str]) -> None:
    assert context(_finding(**fields)) == expected


@pytest.mark.parametrize("finding, expected", [
    (_finding("drift.not-compared", target="trueup.yaml", file="trueup.yaml", path=""), ""),
    (_finding("drift.not-compared", target="app-config", file="trueup.yaml", path=""), "app-config"),
    (_finding("drift.changed", target="trueup.yaml", file="trueup.yaml"), None),
    (_finding("input.template"), None),
], ids=["whole-environment", "target", "other-rule", "note-of-another-kind"])
def test_not_compared_target(finding: Finding, expected) -> None:
    assert not_compared_target(finding) == expected


def test_note_rules() -> None:
    assert NOTE_RULES == frozenset({"drift.not-compared", "input.template", "input.not-regular"})
    assert not any(is_difference(rule) for rule in NOTE_RULES)


def test_run_info_defaults_and_frozen() -> None:
    info = RunInfo("check")
    assert (info.environments, info.color, info.quiet, info.verbose, info.previous, info.history,
            info.env_history, info.run) == ((), False, False, False, None, (), (), None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.command = "drift"  # type: ignore[misc]
