"""Shared fixtures: drive the whole CLI in-process, as a user would from a shell."""
from __future__ import annotations

import io
import json
import os
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from trueup.cli import main

# Results of unchanged files are cached between runs; the suite keeps its own cache, not the user's.
os.environ.setdefault("TRUEUP_CACHE_DIR", tempfile.mkdtemp(prefix="trueup-test-cache-"))

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).resolve().parent / "example-files"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def lines(self) -> list[str]:
        return [line for line in self.out.splitlines() if line]


@pytest.fixture
def trueup() -> Callable[..., Result]:
    """Run ``trueup ARGS`` in-process; optional ``cwd``."""

    def run(*args: str | Path, cwd: Path | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        previous = Path.cwd()
        if cwd is not None:
            os.chdir(cwd)
        try:
            code = main([str(a) for a in args], stdout=out, stderr=err)
        finally:
            os.chdir(previous)
        return Result(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write a file under tmp_path (text is dedented), creating directories."""

    def put(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return path

    return put


@pytest.fixture
def reference_repo(tmp_path: Path) -> Path:
    """A copy of this repository's reference platform (config, templates, values, policy, live snapshots)."""
    import shutil

    for name in ("trueup.yaml", "templates", "values", "policy", "examples"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    return tmp_path


@pytest.fixture(scope="session")
def report_schema() -> dict[str, Any]:
    from importlib import resources

    return json.loads(resources.files("trueup.schemas").joinpath("report.schema.json").read_text("utf-8"))


@pytest.fixture
def valid_report(report_schema: dict[str, Any]) -> Callable[[str], dict[str, Any]]:
    """Parse a JSON report and assert it validates against the shipped report schema."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(report_schema)

    def check(text: str) -> dict[str, Any]:
        report = json.loads(text)
        errors = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
        return report

    return check


RUN_EPOCH = 1796558400  # 2026-12-06T12:00:00Z, the "started" of every report a test makes


@pytest.fixture(autouse=True)
def _no_ci_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests behave the same on a laptop and in CI: CI-only behaviour (auditing) is switched on per test."""
    for name in ("CI", "GITHUB_ACTIONS", "GITHUB_ACTOR", "GITHUB_STEP_SUMMARY", "TRUEUP_AUDIT_KEY", "NO_COLOR",
                 "GITHUB_SHA", "GITHUB_REPOSITORY", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "GITHUB_REF_NAME",
                 "GITHUB_HEAD_REF", "GITHUB_SERVER_URL", "GITLAB_CI", "CI_COMMIT_SHA", "CI_PROJECT_URL"):
        monkeypatch.delenv(name, raising=False)
    # Reports say when they ran: one fixed time (reproducible-builds.org's variable) keeps them comparable.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(RUN_EPOCH))


def documents_under(root: Path) -> Iterator[Any]:
    """Every document of the readable known-format files under ``root`` (unreadable files skipped)."""
    from trueup.errors import TrueupError
    from trueup.load import known_files, load_path

    for path, rel in known_files(root, root.as_posix()):
        try:
            yield from load_path(path, file=rel, name=rel).documents
        except TrueupError:
            continue


def selected_values(root: Path, rules: Any) -> Iterator[tuple[Any, Any]]:
    """(rule, value) for every value a rule selects in a document under ``root`` that it applies to."""
    from trueup.policy.select import expand, select

    for doc in documents_under(root):
        kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
        for rule in rules:
            if rule.applies(doc):
                for pattern in rule.selects:
                    for concrete in expand(pattern, kind):
                        for _, value in select(doc.data, concrete):
                            yield rule, value
