"""``validate --changed-since REF``: a pull request's files are checked, untouched ones are not,
and cross-file rules still see every file (a reference into an untouched file resolves)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from manifests import CONFIGMAP, deployment



def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "config", "user.email", "dev@example.com")
    _git(tmp_path, "config", "user.name", "Dev")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "settings.yaml").write_text(CONFIGMAP)
    (tmp_path / "k8s" / "old.yaml").write_text(deployment("old", "nginx:latest"))
    (tmp_path / "k8s" / "api.yaml").write_text(deployment("api", "ghcr.io/x/api:1.0.0"))
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "base")
    _git(tmp_path, "checkout", "-q", "-b", "feature")
    return tmp_path


def _rules_by_file(result) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in result.json()["findings"]:
        out.setdefault(f["file"], set()).add(f["rule"])
    return out


def test_only_changed_and_new_files_are_reported(trueup, repo: Path) -> None:
    (repo / "k8s" / "api.yaml").write_text(deployment("api", "ghcr.io/x/api:latest"))
    _git(repo, "commit", "-qam", "latest tag")
    (repo / "k8s" / "web.yaml").write_text(deployment("web", "nginx:1.27"))  # new, untracked
    full = trueup("validate", "--format", "json", ".", cwd=repo)
    pr = trueup("validate", "--changed-since", "main", "--format", "json", cwd=repo)
    assert set(_rules_by_file(full)) == {"k8s/api.yaml", "k8s/old.yaml", "k8s/web.yaml"}
    by_file = _rules_by_file(pr)
    assert set(by_file) == {"k8s/api.yaml", "k8s/web.yaml"}
    assert "K8S-IMAGE-TAG" in by_file["k8s/api.yaml"]
    # The envFrom reference resolves in the untouched settings.yaml: no cross-file false positive.
    assert all("K8S-REFERENCE-EXISTS" not in rules for rules in by_file.values())
    assert pr.json()["summary"]["files"] == 2
    assert [f for f in pr.json()["findings"] if f["file"] == "k8s/api.yaml"] == \
        [f for f in full.json()["findings"] if f["file"] == "k8s/api.yaml"]


def test_a_reference_broken_in_a_changed_file_is_reported(trueup, repo: Path) -> None:
    text = deployment("api", "ghcr.io/x/api:1.0.0").replace("name: settings", "name: missing")
    (repo / "k8s" / "api.yaml").write_text(text)
    result = trueup("validate", "--changed-since", "main", "--format", "json", ".", cwd=repo)
    assert "K8S-REFERENCE-EXISTS" in _rules_by_file(result)["k8s/api.yaml"]


def test_nothing_changed_is_a_clean_quiet_run(trueup, repo: Path) -> None:
    result = trueup("validate", "--changed-since", "main", ".", cwd=repo)
    assert (result.code, result.out, result.err) == (0, "ok: 0 documents in 0 files, no findings\n", "")
    assert trueup("validate", "--changed-since", "main", "--quiet", ".", cwd=repo).out == ""


def test_unknown_revision_and_no_repository_are_one_line(trueup, repo: Path, tmp_path_factory) -> None:
    result = trueup("validate", "--changed-since", "no-such-branch", ".", cwd=repo)
    assert result.code == 2
    assert result.err.strip().splitlines() == [result.err.strip()]
    assert "no-such-branch" in result.err and "Traceback" not in result.err
    elsewhere = tmp_path_factory.mktemp("plain")
    (elsewhere / "a.yaml").write_text("a: 1\n")
    result = trueup("validate", "--changed-since", "main", ".", cwd=elsewhere)
    assert result.code == 2 and "git repository" in result.err
