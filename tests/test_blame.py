"""Blame in drift: the commit that last changed the line setting a drifted desired value; nothing
outside a git repository or in a shallow clone, and nothing with --no-blame."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


def git(repo: Path, *args: str, author: str = "Ana Lima") -> str:
    identity = ["-c", f"user.name={author}", "-c", "user.email=ana@example.com", "-c", "commit.gpgsign=false"]
    return subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(reference_repo: Path) -> Path:
    git(reference_repo, "init", "-q")
    git(reference_repo, "add", "-A")
    git(reference_repo, "commit", "-q", "-m", "the platform", author="Seed")
    values = reference_repo / "values/prod.yaml"
    values.write_text(values.read_text().replace("  api: 4", "  api: 5"))
    git(reference_repo, "commit", "-q", "-am", "scale the api", author="Ana Lima")
    return reference_repo


def _blames(trueup, repo: Path, *args: str) -> dict[str, object]:
    result = trueup("drift", "--env", "prod", "--format", "json", *args, cwd=repo)
    assert result.code == 1
    return {f["target"] + f["path"]: f.get("blame") for f in result.json()["findings"]}


def test_a_value_from_the_values_files_is_blamed_where_it_is_set(trueup, repo: Path, valid_report) -> None:
    sha = git(repo, "rev-parse", "--short=7", "HEAD")
    seed = git(repo, "rev-parse", "--short=7", "HEAD~1")
    date = git(repo, "log", "-1", "--format=%ad", "--date=short")
    blames = _blames(trueup, repo)
    assert blames["Deployment/shop/api/spec/replicas"] == {
        "commit": sha, "author": "Ana Lima", "date": date, "file": "values/prod.yaml", "line": 3}
    # A value the template writes itself: the template line.
    assert blames["Deployment/shop/web/spec/template/spec/containers/0/image"] == {
        "commit": seed, "author": "Seed", "date": date, "file": "templates/k8s/web-deployment.yaml.j2", "line": 24}
    text = trueup("drift", "--env", "prod", cwd=repo)
    assert (f"  changed /spec/replicas (line 12, live line 189): live 6, desired 5 "
            f"(set in {sha} by Ana Lima on {date} at values/prod.yaml:3)") in text.out
    valid_report(trueup("drift", "--env", "prod", "--format", "json", cwd=repo).out)


def test_an_uncommitted_line_has_no_blame(trueup, repo: Path) -> None:
    values = repo / "values/prod.yaml"
    values.write_text(values.read_text().replace("  api: 5", "  api: 7"))
    assert _blames(trueup, repo)["Deployment/shop/api/spec/replicas"] is None


def test_no_blame_outside_git_in_a_shallow_clone_or_when_asked(trueup, repo: Path, reference_repo: Path,
                                                               tmp_path_factory) -> None:
    shallow = tmp_path_factory.mktemp("clone") / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True)
    assert (shallow / ".git" / "shallow").exists()
    assert set(_blames(trueup, shallow).values()) == {None}
    assert set(_blames(trueup, repo, "--no-blame").values()) == {None}


def test_not_a_repository(trueup, reference_repo: Path) -> None:
    assert set(_blames(trueup, reference_repo).values()) == {None}
