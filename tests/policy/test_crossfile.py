"""Cross-file rules over sets of files validated together: golden findings, and clean sets."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES
from trueup.policy.crossfile import all_rules

CASES = yaml.safe_load((EXAMPLES / "policy" / "crossfile.yaml").read_text())


def _run(trueup, tmp_path: Path, files: dict[str, str], rule_id: str, config: str | None = None) -> list[list]:
    if config:
        (tmp_path / "trueup.yaml").write_text(config)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    # The directory: the whole set (named files are a partial set, as a pre-commit hook passes them).
    result = trueup("validate", "--format", "json", ".", cwd=tmp_path)
    assert result.code in (0, 1), result.out + result.err
    return sorted([f["file"], f["line"], f["path"]] for f in result.json()["findings"] if f["rule"] == rule_id)


def test_every_cross_file_rule_has_cases() -> None:
    assert set(CASES) == {r.id for r in all_rules(entry_points=False)}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_failing_set_gives_golden_findings(trueup, tmp_path: Path, rule_id: str) -> None:
    case = CASES[rule_id]
    assert _run(trueup, tmp_path, case["fail"], rule_id, case.get("config")) == sorted(case["expect"])


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_passing_set_gives_none(trueup, tmp_path: Path, rule_id: str) -> None:
    case = CASES[rule_id]
    assert _run(trueup, tmp_path, case["pass"], rule_id, case.get("config")) == []


def test_disabled_and_reweighted_like_pack_rules(trueup, write, tmp_path: Path) -> None:
    write("trueup.yaml", "version: 1\npolicy:\n  disable: [COMPOSE-DEPENDS-ON-EXISTS]\n  severity: {COMPOSE-HOST-PORT-UNIQUE: low}\n")
    write("compose.yaml", "services:\n  a: {image: 'a:1.0.0', restart: always, depends_on: [nope], ports: ['80:80']}\n"
          "  b: {image: 'b:1.0.0', restart: always, ports: ['80:80']}\n")
    result = trueup("validate", "--format", "json", "compose.yaml", cwd=tmp_path)
    rules = {f["rule"]: f["severity"] for f in result.json()["findings"]}
    assert "COMPOSE-DEPENDS-ON-EXISTS" not in rules
    assert rules["COMPOSE-HOST-PORT-UNIQUE"] == "low"


@pytest.mark.parametrize("rule_id", ["K8S-REFERENCE-EXISTS", "K8S-SERVICE-MATCHES-PODS"])
def test_rules_that_need_the_whole_set_do_not_run_on_named_files(trueup, tmp_path: Path, rule_id: str) -> None:
    """A hook passes only the changed files: a reference into an unchanged file is not a violation."""
    case = CASES[rule_id]
    for name, text in case["fail"].items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    named = trueup("validate", "--format", "json", *case["fail"], cwd=tmp_path)
    assert [f for f in named.json()["findings"] if f["rule"] == rule_id] == []
    whole = trueup("validate", "--format", "json", ".", cwd=tmp_path)
    assert len([f for f in whole.json()["findings"] if f["rule"] == rule_id]) == len(case["expect"])


def test_compose_projects_are_the_files_compose_combines(trueup, write, tmp_path: Path) -> None:
    """compose.yaml merges with compose.override.yaml and with what it includes; docker-compose.prod.yml
    beside them is an alternative, run on its own: ports it shares with the others clash with nothing."""
    write("compose.yaml", "include: [extra/compose.yaml]\nservices:\n  web: {image: 'web:1.0.0', ports: ['8080:80']}\n")
    write("compose.override.yaml", "services:\n  admin: {image: 'admin:1.0.0', ports: ['8080:81']}\n")
    write("extra/compose.yaml", "services:\n  api: {image: 'api:1.0.0', ports: ['8080:82']}\n")
    write("docker-compose.prod.yml", "services:\n  web: {image: 'web:1.0.0', ports: ['8080:80']}\n  db: {image: 'db:1.0.0'}\n")
    result = trueup("validate", "--format", "json", ".", cwd=tmp_path)
    clashes = sorted((f["file"], f["path"]) for f in result.json()["findings"] if f["rule"] == "COMPOSE-HOST-PORT-UNIQUE")
    assert clashes == [("compose.override.yaml", "/services/admin/ports/0"), ("extra/compose.yaml", "/services/api/ports/0")]
