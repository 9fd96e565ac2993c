"""trueup preview, as data: each ``cases/*.yaml`` builds a git history on the platform of
``platform.yaml``, runs ``trueup preview`` and states exactly what it reports.

A case holds ``files`` (laid over the platform for the first commit; ``null`` leaves a file
out), ``commits`` (later commits, each ``path: content``, ``null`` deleting), ``worktree``
(uncommitted edits; ``staged: true`` adds them to the index), ``args``, the exit ``code``,
``expect`` (every finding, by rule, environment, target and path; any other key given is
compared too), ``summary`` (counts of the JSON summary), ``error`` (the one line stderr
holds; else it is empty) and ``secrets`` (strings that no output format may print, nor
their base64: every format is run).
Every case also proves that the run left HEAD, the index, the status and every working-tree
file as they were.
"""
from __future__ import annotations

import base64
import hashlib
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").glob("*.yaml"))
FORMATS = ("text", "json", "markdown", "sarif", "junit", "html", "github")
IDENTITY = ("rule", "environment", "target", "path")
GIT = ["git", "-c", "user.name=Ana Lima", "-c", "user.email=ana@example.com", "-c", "commit.gpgsign=false"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def lay(repo: Path, files: dict[str, str | None]) -> None:
    for name, content in files.items():
        path = repo / name
        if content is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def snapshot(repo: Path) -> tuple[str, str, str, dict[str, str]]:
    """HEAD, the index's bytes, git status, and every working-tree file's hash."""
    files = {str(p.relative_to(repo)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in repo.rglob("*") if p.is_file() and ".git" not in p.relative_to(repo).parts}
    index = repo / ".git" / "index"
    digest = hashlib.sha256(index.read_bytes()).hexdigest() if index.exists() else ""
    return git(repo, "rev-parse", "HEAD"), digest, git(repo, "status", "--porcelain"), files


def build(repo: Path, case: dict[str, Any]) -> None:
    platform = yaml.safe_load((HERE / "platform.yaml").read_text(encoding="utf-8"))
    git(repo, "init", "-q")
    lay(repo, {**platform, **(case.get("files") or {})})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    for number, files in enumerate(case.get("commits") or []):
        lay(repo, files)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "--allow-empty", "-m", f"change {number + 1}")
    worktree = dict(case.get("worktree") or {})
    staged = worktree.pop("staged", False)
    lay(repo, worktree)
    if staged:
        git(repo, "add", "-A")


def _key(finding: dict[str, Any]) -> tuple:
    return tuple(str(finding.get(k)) for k in IDENTITY)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path, trueup, tmp_path: Path, valid_report) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    repo = tmp_path / "repo"
    repo.mkdir()
    build(repo, case)
    before = snapshot(repo)
    result = trueup("preview", *case["args"], "--format", "json", cwd=repo)
    assert result.code == case.get("code", 0), result.err
    assert result.err.splitlines() == ([case["error"]] if "error" in case else [])
    report = valid_report(result.out)
    found = report["findings"]
    assert {k: report["summary"][k] for k in case.get("summary") or {}} == (case.get("summary") or {})
    expected = case.get("expect") or []
    assert sorted(_key(f) for f in found) == sorted(_key(e) for e in expected)
    for want in expected:
        matches = [f for f in found if _key(f) == _key(want)]
        assert any(all(f.get(k) == v for k, v in want.items()) for f in matches), \
            [{k: (v, f.get(k)) for k, v in want.items() if f.get(k) != v} for f in matches]
    secrets = [str(s) for s in case.get("secrets") or []]
    secrets += [base64.b64encode(s.encode()).decode() for s in secrets]
    for form in FORMATS if secrets else ():
        out = trueup("preview", *case["args"], "--format", form, cwd=repo)
        assert out.code == result.code, (form, out.err)
        leaked = [s for s in secrets if s in out.out or s in out.err]
        assert not leaked, (form, leaked)
    assert snapshot(repo) == before
    assert not git(repo, "worktree", "list", "--porcelain").count("worktree ") > 1
