"""Git repositories the tests build in a temporary directory: git run with no user or system config
(a fixed author, HOME inside the repository, no GIT_* variable from the caller), and files put in them."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git(repo: Path, *args: str) -> str:
    """``git ARGS`` in ``repo``; its standard output (a failure raises)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", HOME=str(repo))
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args], cwd=repo, env=env,
                          check=True, capture_output=True, text=True).stdout


def put(root: Path, name: str, text: str) -> None:
    """Write ``text`` at ``root/name``, making its directories."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
