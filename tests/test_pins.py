"""Where init's hooks and workflows get trueup from: what the installed trueup came from (PEP 610)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from trueup import __version__
from trueup.pins import PUBLISHED, Pin, installed_pin


def test_installed_from_git_pins_that_commit() -> None:
    direct = {"url": "https://github.com/acme/trueup-fork.git",
              "vcs_info": {"vcs": "git", "commit_id": "a" * 40, "requested_revision": "main"}}
    pin = installed_pin(json.dumps(direct))
    assert (pin.repo, pin.rev, pin.action) == ("https://github.com/acme/trueup-fork", "a" * 40,
                                              f"acme/trueup-fork@{'a' * 40}")


def test_installed_from_an_index_pins_the_release_tag() -> None:
    assert installed_pin("") == Pin(PUBLISHED, f"v{__version__}", f"the release tag of trueup {__version__}")
    assert installed_pin("not json").rev == f"v{__version__}"


def test_installed_from_a_checkout_pins_its_head(tmp_path: Path) -> None:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    (tmp_path / "f").write_text("x")
    git("add", ".")
    git("-c", "user.email=a@b.c", "-c", "user.name=A", "commit", "-qm", "x")
    direct = json.dumps({"url": tmp_path.as_uri(), "dir_info": {"editable": True}})
    pin = installed_pin(direct)
    assert (pin.repo, pin.rev, pin.action) == (str(tmp_path), git("rev-parse", "HEAD"), None)
    git("remote", "add", "origin", "git@github.com:acme/trueup.git")
    assert installed_pin(direct).repo == "https://github.com/acme/trueup"


def test_init_writes_the_pin_everywhere(trueup, tmp_path: Path) -> None:
    result = trueup("init", "site", "--repo", "https://github.com/acme/trueup", "--rev", "v9.9.9", cwd=tmp_path)
    assert result.code == 0, result.err
    site = tmp_path / "site"
    hooks = (site / ".pre-commit-config.yaml").read_text()
    assert "  - repo: https://github.com/acme/trueup\n    rev: v9.9.9\n" in hooks
    assert "uses: acme/trueup@v9.9.9\n" in (site / ".github/workflows/pr-check.yml").read_text()
    assert '"trueup @ git+https://github.com/acme/trueup@v9.9.9"' in (site / ".github/workflows/nightly-drift.yml").read_text()
