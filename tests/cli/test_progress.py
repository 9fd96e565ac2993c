"""A progress line on a terminal's stderr, for long runs; never in CI, with --quiet, or in a pipe."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from trueup.cli import main


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def repo(reference_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(reference_repo)
    return reference_repo


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), Terminal()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_a_terminal_sees_the_line_and_it_is_wiped(repo: Path) -> None:
    code, out, err = _run("drift", "--env", "prod", "--format", "json")
    assert code == 1
    assert "\rdrift prod [" in err and "] 3/3" in err
    assert err.endswith("\r")
    assert "\r" not in out and out.startswith("{")


@pytest.mark.parametrize("argv, env", [(["--quiet"], {}), ([], {"CI": "true"})])
def test_no_line_in_ci_or_with_quiet(repo: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], env: dict) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code, _, err = _run("drift", "--env", "prod", *argv)
    assert code == 1 and err == ""


def test_no_line_when_stderr_is_not_a_terminal(repo: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["drift", "--env", "prod"], out, err) == 1
    assert err.getvalue() == ""
