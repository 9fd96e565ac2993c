"""Read-only access to a bare git snapshot of a peer's repository."""
from __future__ import annotations

import subprocess
from pathlib import Path


def git(git_dir: Path, *args: str) -> str:
    """stdout of ``git --git-dir=GIT_DIR ARGS`` (text)."""
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True,
                          text=True).stdout


def resolve(git_dir: Path, rev: str, commit: str) -> str:
    """The full commit id of ``rev``; an error naming ``commit`` when the snapshot lacks it."""
    found = subprocess.run(["git", f"--git-dir={git_dir}", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                           check=False, capture_output=True, text=True)
    if found.returncode != 0:
        raise LookupError(f"{git_dir}: no commit {rev!r}; the labels were written against {commit}, "
                          f"which this snapshot does not hold (read rev='HEAD' to try the newest one)")
    return found.stdout.strip()
