"""Blame in drift: the commit that last changed the line setting a drifted desired value; nothing
outside a git repository or in a shallow clone, and nothing with --no-blame."""
from __future__ import annotations

import os
import subprocess
import sys
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
            f"(changed by hand: kubectl-scale at 2025-11-22T02:17:40Z; "
            f"set in {sha} by Ana Lima on {date} at values/prod.yaml:3)") in text.out
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


def test_a_line_with_several_values_is_as_new_as_the_newest_of_them(trueup, tmp_path: Path) -> None:
    """``image: "{{ app.image }}:{{ app.tag }}"``: a tag bump is blamed on the bump, not on the line
    that set app.image; the two commits share one second, as scripted commits do."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "values").mkdir()
    (tmp_path / "live").mkdir()
    (tmp_path / "trueup.yaml").write_text(
        "version: 1\ntemplates: templates\nenvironments:\n  prod:\n    values: [values/prod.yaml]\n"
        "targets:\n  - {name: app, kind: config, desired: app.yaml, live: live/app.yaml}\npolicy: {packs: []}\n")
    (tmp_path / "templates/app.yaml.j2").write_text('name: web\nimage: "{{ app.image }}:{{ app.tag }}"\n')
    (tmp_path / "values/prod.yaml").write_text("app:\n  image: nginx\n  tag: '1.26'\n")
    (tmp_path / "live/app.yaml").write_text('name: web\nimage: "nginx:1.26"\n')
    moment = {"GIT_AUTHOR_DATE": "2026-03-04T05:06:07", "GIT_COMMITTER_DATE": "2026-03-04T05:06:07"}
    run = {"cwd": tmp_path, "check": True, "capture_output": True, "env": {**os.environ, **moment}}
    subprocess.run(["git", "init", "-q"], **run)
    subprocess.run(["git", "add", "-A"], **run)
    subprocess.run(["git", "-c", "user.name=Seed", "-c", "user.email=s@x", "commit", "-qm", "seed"], **run)
    (tmp_path / "values/prod.yaml").write_text("app:\n  image: nginx\n  tag: '1.27'\n")
    subprocess.run(["git", "-c", "user.name=Ana Lima", "-c", "user.email=a@x", "commit", "-qam", "bump"], **run)
    sha = git(tmp_path, "rev-parse", "--short=7", "HEAD")
    result = trueup("drift", "--format", "json", cwd=tmp_path)
    assert result.code == 1, result.err
    [finding] = result.json()["findings"]
    assert (finding["path"], finding["blame"]) == ("/image", {
        "commit": sha, "author": "Ana Lima", "date": "2026-03-04", "file": "values/prod.yaml", "line": 3})


def test_outside_a_repository_git_is_not_even_imported(reference_repo: Path) -> None:
    """Blame's absence costs nothing: no GitPython import (a few hundred milliseconds), no git process."""
    script = ("import sys; from trueup.cli import main; code = main(['drift', '--env', 'prod', '--format', 'json']); "
              "print(code, 'git' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], cwd=reference_repo, check=True, capture_output=True,
                         text=True).stdout.splitlines()[-1]
    assert out == "1 False"


@pytest.mark.parametrize("where", ["inside", "outside", "desired"])
def test_config_free_drift_is_blamed_wherever_it_is_run_from(trueup, tmp_path: Path, where: str) -> None:
    repo = tmp_path / "repo"
    (repo / "desired").mkdir(parents=True)
    (repo / "live").mkdir()
    git(repo, "init", "-q")
    (repo / "desired" / "app.yaml").write_text("name: api\nreplicas: 3\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "three replicas", author="Rui Costa")
    (repo / "live" / "app.yaml").write_text("name: api\nreplicas: 5\n")
    cwd, desired, live = {"inside": (repo, "desired", "live"),
                          "outside": (tmp_path, repo / "desired", repo / "live"),
                          "desired": (repo / "desired", ".", "../live")}[where]
    result = trueup("drift", "--desired", desired, "--live", live, "--format", "json", cwd=cwd)
    (finding,) = result.json()["findings"]
    assert finding["path"] == "/replicas"
    assert finding["blame"]["author"] == "Rui Costa" and finding["blame"]["line"] == 2
    assert len(finding["blame"]["commit"]) == 7
