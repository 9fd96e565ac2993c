"""``--changed-since REF``: the files a branch touches, as a pull request check wants them.

Compared with the merge base of REF and HEAD (``git diff --merge-base``, as a pull
request's diff is), including staged and unstaged edits and new files that git does
not ignore, so the same command works in CI and on a laptop before committing.
"""
from __future__ import annotations

from pathlib import Path

from .errors import UsageError
from .tree import real_path


def changed_files(start: Path, ref: str) -> set[Path]:
    """Resolved paths of the files that differ from ``ref``'s merge base with HEAD, or are new."""
    import git

    try:
        repo = git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError("--changed-since compares with a git revision: run it inside a git repository",
                         str(start)) from None
    try:
        repo.commit(ref)
    except (git.BadName, git.BadObject, ValueError, git.GitCommandError):
        raise UsageError(f"--changed-since: no such git revision: {ref!r}") from None
    top = real_path(Path(repo.working_tree_dir or start))
    try:
        diff = repo.git.diff("--name-only", "-z", "--no-renames", "--merge-base", ref, "--")
        new = repo.git.ls_files("--others", "--exclude-standard", "-z")
    except git.GitCommandError as exc:
        cause = (exc.stderr or "").strip().splitlines()
        raise UsageError(f"--changed-since {ref}: git diff failed: {cause[-1] if cause else exc}") from None
    names = [n for n in (diff + "\0" + new).split("\0") if n]
    return {real_path(top / name) for name in names}
