"""report/rule_info.py: what a rule id means: trueup's own rules, families, built-in packs, and anything else."""
from __future__ import annotations

import pytest

from trueup.model import Severity
from trueup.report.rule_info import RuleInfo, describe


@pytest.mark.parametrize("rule, title, severity, pack", [
    ("input.parse", "Input files can be read", Severity.HIGH, "input"),
    ("input.unreadable", "Files named on the command line can be opened", Severity.CRITICAL, "input"),
    ("schema", "Documents match their schema", Severity.HIGH, "schema"),
    ("CONFIG-UNKNOWN-KEY", "Config files use only known keys", Severity.MEDIUM, "schema"),
    ("K8S-DEPRECATED-API", "Kubernetes API versions are not deprecated", Severity.MEDIUM, "schema"),
    ("drift.ignored", "Ignored drift", Severity.INFO, "drift"),
    ("baseline.expired", "Baseline entries are current", Severity.HIGH, "baseline"),
    ("change.fixed", "Problems the change fixes", Severity.INFO, "change"),
], ids=lambda v: str(v))
def test_trueups_own_rules(rule: str, title: str, severity: Severity, pack: str) -> None:
    info = describe(rule)
    assert (info.id, info.title, info.severity, info.pack) == (rule, title, severity, pack)
    assert info.description and info.remediation


def test_an_own_rule_exactly() -> None:
    assert describe("input.parse") == RuleInfo(
        "input.parse", "Input files can be read",
        "The file is not valid YAML, JSON, JSONC, TOML, INI or dotenv (or not UTF-8 text), so nothing in it was "
        "checked; the rest of the tree still was.",
        Severity.HIGH, "Fix the syntax error at the reported line and column.", "input")


@pytest.mark.parametrize("rule, description, pack", [
    ("drift.weird", "The live state differs from the desired state in git.", "drift"),
    ("config.invalid", "A problem with trueup's own configuration.", "config"),
    ("input.other", "An input could not be read as trueup expects.", "input"),
], ids=["drift", "config", "input"])
def test_unknown_rules_of_a_family(rule: str, description: str, pack: str) -> None:
    assert describe(rule) == RuleInfo(rule, rule, description, Severity.MEDIUM, "", pack)


@pytest.mark.parametrize("rule, title, severity, pack", [
    ("K8S-IMAGE-PULL-POLICY", "Images are pulled on every start", Severity.INFO, "kubernetes"),
    ("COMPOSE-BUILD-AND-IMAGE", "Services either build their image or pull it", Severity.LOW, "compose"),
], ids=["kubernetes-pack", "compose-pack"])
def test_built_in_pack_rules(rule: str, title: str, severity: Severity, pack: str) -> None:
    info = describe(rule)
    assert (info.id, info.title, info.severity, info.pack) == (rule, title, severity, pack)


@pytest.mark.parametrize("rule", ["ZZZ", "my.rule", "acme.K8S-X"], ids=["plain", "dotted-unknown-family", "org"])
def test_any_other_rule_gets_a_generic_entry(rule: str) -> None:
    assert describe(rule) == RuleInfo(rule, rule, f"Rule {rule}, from a check pack outside trueup.", Severity.MEDIUM)
