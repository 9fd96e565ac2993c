"""Desired state as it was at a git revision, read from the object database.

The revision's tree is read into a temporary index (``GIT_INDEX_FILE``) and its files
written from there into a temporary directory (``git checkout-index --prefix``), both
always removed: the working tree, the repository's index and HEAD are never touched,
whatever happens while the files are used (a template that fails to render, an
interrupt). Unlike ``git archive``, this keeps files that ``.gitattributes`` marks
``export-ignore`` and leaves ``export-subst`` placeholders as committed: the files are
what a checkout of the revision would hold.
"""
from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from ..errors import UsageError
from ..tree import real_path


def repository(start: Path) -> Any:  # git.Repo
    import git

    try:
        return git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError("preview compares git revisions: run it inside a git repository", str(start)) from None


@contextmanager
def tree_at(start: Path, revision: str) -> Iterator[Path]:
    """A temporary copy of the repository's files at ``revision``: the directory that holds what
    ``start`` (a directory in the working tree) holds at that revision."""
    import git

    repo = repository(start)
    try:
        commit = repo.commit(revision)
        commit.tree  # noqa: B018 - a name can resolve to a commit the clone does not hold (shallow)
    except (git.BadName, git.BadObject, ValueError, git.GitCommandError):
        shallow = (Path(repo.git_dir) / "shallow").exists()
        hint = " (a shallow clone: fetch the revision, e.g. actions/checkout with fetch-depth: 0)" if shallow else ""
        raise UsageError(f"no such git revision: {revision!r}{hint}") from None
    top = real_path(Path(repo.working_tree_dir))
    inside = real_path(start).relative_to(top)
    with tempfile.TemporaryDirectory(prefix="trueup-preview-") as tmp:
        files = Path(tmp) / "tree"
        files.mkdir()
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        try:
            repo.git.read_tree(commit.hexsha, env=env)
            repo.git.checkout_index("--all", "--force", f"--prefix={files.as_posix()}/", env=env)
        except git.GitCommandError as exc:
            detail = (exc.stderr or "").strip().splitlines()
            raise UsageError(f"cannot read revision {revision!r} from git"
                             + (f": {detail[-1].removeprefix('stderr: ').strip()}" if detail else "")) from None
        yield files / inside
