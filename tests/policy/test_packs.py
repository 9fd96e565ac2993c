"""Every built-in rule against its fixtures: the failing one gives exactly the golden findings,
the passing one gives none; a pack's good objects pass every rule of the pack."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES
from trueup.policy.packs import Policy, builtin_dir, load_pack

FIXTURES = EXAMPLES / "policy"
PACKS = {p.stem: load_pack(p, p.name) for p in sorted(builtin_dir().glob("*.yaml"))}
ALL_RULES = {rule.id: (pack, rule) for pack, rules in PACKS.items() for rule in rules}
FILE_NAMES = {"compose": "compose.yaml", "secrets": "settings.yaml"}


def _cases() -> list[tuple[str, str, dict]]:
    out = []
    for pack in PACKS:
        data = yaml.safe_load((FIXTURES / f"{pack}.yaml").read_text())
        for rule_id, case in data["rules"].items():
            out.append((pack, rule_id, case))
    return out


CASES = _cases()


def _findings(trueup, tmp_path: Path, pack: str, text: str, rule_id: str | None = None) -> list[dict]:
    path = tmp_path / FILE_NAMES.get(pack, "manifest.yaml")
    path.write_text(text)
    result = trueup("validate", "--no-strict", "--format", "json", path, cwd=tmp_path)
    assert result.code in (0, 1), result.out + result.err
    return [f for f in result.json()["findings"] if rule_id is None or f["rule"] == rule_id]


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_builtin_packs_pass_the_checks_user_packs_get(pack: str) -> None:
    """Built-in packs load unchecked at run time, so they are checked here, as a user's pack is."""
    path = builtin_dir() / f"{pack}.yaml"
    checked = load_pack(path, path.name, trusted=False)
    assert [(r.id, r.schema, r.selects) for r in checked] == [(r.id, r.schema, r.selects) for r in PACKS[pack]]


def test_every_rule_has_fixtures() -> None:
    covered = {rule_id for _, rule_id, _ in CASES}
    assert covered == set(ALL_RULES)
    assert len(ALL_RULES) >= 35


@pytest.mark.parametrize("pack, rule_id, case", CASES, ids=[c[1] for c in CASES])
def test_failing_fixture_gives_golden_findings(trueup, tmp_path: Path, pack: str, rule_id: str, case: dict) -> None:
    found = _findings(trueup, tmp_path, pack, case["fail"], rule_id)
    assert sorted([f["line"], f["path"]] for f in found) == sorted(case["expect"])
    rule = ALL_RULES[rule_id][1]
    assert {(f["severity"], f["message"]) for f in found} == {(str(rule.severity), rule.title)}


@pytest.mark.parametrize("pack, rule_id, case", CASES, ids=[c[1] for c in CASES])
def test_passing_fixture_gives_none(trueup, tmp_path: Path, pack: str, rule_id: str, case: dict) -> None:
    assert _findings(trueup, tmp_path, pack, case["pass"], rule_id) == []


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_good_objects_pass_the_whole_pack(trueup, tmp_path: Path, pack: str) -> None:
    good = yaml.safe_load((FIXTURES / f"{pack}.yaml").read_text())["good"]
    pack_rules = {r.id for r in PACKS[pack]}
    for text in good:
        assert [f["rule"] for f in _findings(trueup, tmp_path, pack, text) if f["rule"] in pack_rules] == []


def test_policy_runs_only_matching_rules() -> None:
    assert {r.id for r in Policy(PACKS["compose"]).rules} == {r.id for r in PACKS["compose"]}
