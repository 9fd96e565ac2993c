"""`trueup init`: a working repository that passes its own check, with valid workflows and hooks."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from test_github_files import schema
from trueup.load import load_text

EXPECTED = [
    ".github/workflows/nightly-drift.yml", ".github/workflows/pr-check.yml", ".pre-commit-config.yaml",
    "baselines/accepted.yaml", "policy/team.yaml", "templates/k8s/deployment.yaml.j2",
    "templates/k8s/service.yaml.j2", "trueup.yaml", "values/common.yaml", "values/dev.yaml", "values/prod.yaml",
]


def test_init_then_check_passes(trueup, tmp_path: Path) -> None:
    made = trueup("init", "repo", cwd=tmp_path)
    from trueup.pins import installed_pin

    pin = installed_pin()
    assert made.code == 0
    assert made.out.splitlines()[0] == "trueup: wrote 11 files; next: cd repo && trueup check"
    assert made.out.splitlines()[1].startswith(f"trueup: hooks get trueup from {pin.repo} at {pin.rev}: {pin.why}")
    repo = tmp_path / "repo"
    assert sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file()) == EXPECTED
    check = trueup("check", cwd=repo)
    # The scaffold has no live state yet: each environment is said to be not compared (a note), not "ok".
    assert (check.code, check.lines) == (0, [
        "trueup.yaml: info: environment 'dev': no target of trueup.yaml compares it with live state; not compared "
        "[drift.not-compared] (dev)",
        "trueup.yaml: info: environment 'prod': no target of trueup.yaml compares it with live state; not compared "
        "[drift.not-compared] (prod)",
        "ok: 4 documents in 4 files, no findings; 2 notes; 4 validated against a schema; 77 rules run",
    ])
    assert trueup("check", "--quiet", cwd=repo).out == ""
    assert trueup("check", "--baseline", "--fail-on", "low", cwd=repo).code == 0


def test_the_house_rule_bites(trueup, tmp_path: Path) -> None:
    trueup("init", cwd=tmp_path)
    values = tmp_path / "values/common.yaml"
    values.write_text(values.read_text().replace("team: platform", 'team: ""'))
    result = trueup("check", "--env", "prod", "--fail-on", "medium", cwd=tmp_path)
    assert result.code == 1
    assert "templates/k8s/deployment.yaml.j2:12:5: medium: Workloads and Services name the team that owns them " \
           "[TEAM-OWNER-LABEL]" in result.out


@pytest.mark.parametrize("name", ["pr-check.yml", "nightly-drift.yml"])
def test_workflows_are_valid_and_use_the_published_action(trueup, tmp_path: Path, name: str) -> None:
    trueup("init", cwd=tmp_path)
    path = tmp_path / ".github/workflows" / name
    data = load_text(path.read_text(), file=name, name=name, fmt="yaml", kind="config").documents[0].data
    jsonschema.validate(data, schema("github-workflows"))
    text = path.read_text()
    assert "uses: ./" not in text and "pip install --disable-pip-version-check .\n" not in text
    assert "trueup-dev/trueup@v" in text


def test_pre_commit_config_is_valid(trueup, tmp_path: Path) -> None:
    trueup("init", cwd=tmp_path)
    result = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_nothing_is_overwritten(trueup, tmp_path: Path) -> None:
    (tmp_path / "values").mkdir()
    (tmp_path / "values/dev.yaml").write_text("mine: true\n")
    result = trueup("init", cwd=tmp_path)
    assert result.code == 2
    assert result.err == "trueup: values/dev.yaml: exists; trueup init writes only files that are not there yet\n"
    assert (tmp_path / "values/dev.yaml").read_text() == "mine: true\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["dev.yaml", "values"]
    shutil.rmtree(tmp_path / "values")


def test_a_directory_that_cannot_be_made_is_one_line_and_exit_2(trueup, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    result = trueup("init", "afile", cwd=tmp_path)
    assert result.code == 2 and "Traceback" not in result.err
    assert result.err.startswith("trueup: afile") and len(result.err.strip().splitlines()) == 1
    assert (tmp_path / "afile").read_text() == ""
