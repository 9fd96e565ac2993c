"""Desired state as it was at a git revision, read from the object database.

``git archive`` writes the revision's files into a temporary directory that is always
removed: the working tree, the index and HEAD are never touched, whatever happens
while the files are used (a template that fails to render, an interrupt).
"""
from __future__ import annotations

import io
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import UsageError


def repository(start: Path):  # -> git.Repo
    import git

    try:
        return git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError("preview compares git revisions: run it inside a git repository", str(start)) from None


def _keep(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
    """tarfile's data filter, skipping (not failing on) a member it refuses: a link out of the tree."""
    try:
        return tarfile.data_filter(member, path)
    except tarfile.FilterError:
        return None


def _members(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """Regular files and directories with relative paths (Pythons without tarfile's data filter)."""
    for member in tar.getmembers():
        name = Path(member.name)
        if (member.isfile() or member.isdir()) and not name.is_absolute() and ".." not in name.parts:
            yield member


@contextmanager
def tree_at(start: Path, revision: str) -> Iterator[Path]:
    """A temporary copy of the repository's files at ``revision``: the directory that holds what
    ``start`` (a directory in the working tree) holds at that revision."""
    import git

    repo = repository(start)
    try:
        commit = repo.commit(revision)
    except (git.BadName, git.BadObject, ValueError, git.GitCommandError):
        raise UsageError(f"no such git revision: {revision!r}") from None
    top = Path(repo.working_tree_dir).resolve()
    inside = start.resolve().relative_to(top)
    with tempfile.TemporaryDirectory(prefix="trueup-preview-") as tmp:
        data = repo.git.archive(commit.hexsha, "--format=tar", stdout_as_string=False)
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, filter=_keep)
            else:
                tar.extractall(tmp, members=list(_members(tar)))
        yield Path(tmp) / inside
