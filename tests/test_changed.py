"""``--changed-since`` (trueup.changed): files differing from the merge base, edits and new files."""
from __future__ import annotations

from pathlib import Path

import pytest

from trueup.changed import changed_files
from trueup.errors import UsageError

from gitrepo import git as _git, put as _put


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: three committed files; then a branch ``feature`` checked out."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _put(root, "a.yaml", "a: 1\n")
    _put(root, "dir with space/ü.yaml", "u: 1\n")
    _put(root, "keep.yaml", "k: 1\n")
    _put(root, ".gitignore", "ignored.yaml\n")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "base")
    _git(root, "checkout", "-qb", "feature")
    return root


def test_nothing_changed(repo: Path) -> None:
    assert changed_files(repo, "main") == set()


def test_committed_staged_unstaged_and_new_files(repo: Path) -> None:
    _put(repo, "a.yaml", "a: 2\n")
    _git(repo, "commit", "-qam", "committed edit")
    _put(repo, "dir with space/ü.yaml", "u: 2\n")            # unstaged
    _put(repo, "staged.yaml", "s: 1\n")
    _git(repo, "add", "staged.yaml")                         # staged, new
    _put(repo, "new dir/new.yaml", "n: 1\n")                 # untracked
    _put(repo, "ignored.yaml", "i: 1\n")                     # ignored: left out
    assert changed_files(repo, "main") == {
        (repo / "a.yaml").resolve(), (repo / "dir with space/ü.yaml").resolve(),
        (repo / "staged.yaml").resolve(), (repo / "new dir/new.yaml").resolve(),
    }


def test_deleted_and_renamed_files_name_both_sides(repo: Path) -> None:
    _git(repo, "rm", "-q", "keep.yaml")
    _git(repo, "mv", "a.yaml", "b.yaml")
    _git(repo, "commit", "-qm", "rename")
    # --no-renames: a rename is a deletion and an addition, so the old path is still named.
    assert changed_files(repo, "main") == {(repo / n).resolve() for n in ("keep.yaml", "a.yaml", "b.yaml")}


def test_compared_with_the_merge_base_not_the_tip(repo: Path) -> None:
    _put(repo, "a.yaml", "a: 2\n")
    _git(repo, "commit", "-qam", "feature edit")
    _git(repo, "checkout", "-q", "main")
    _put(repo, "keep.yaml", "k: 2\n")
    _git(repo, "commit", "-qam", "main moved on")
    _git(repo, "checkout", "-q", "feature")
    # keep.yaml differs from main's tip, but the branch did not touch it.
    assert changed_files(repo, "main") == {(repo / "a.yaml").resolve()}


def test_started_in_a_subdirectory_names_paths_from_the_top(repo: Path) -> None:
    _put(repo, "a.yaml", "a: 3\n")
    assert changed_files(repo / "dir with space", "main") == {(repo / "a.yaml").resolve()}


def test_a_commit_hash_is_a_revision(repo: Path) -> None:
    base = _git(repo, "rev-parse", "HEAD").strip()
    _put(repo, "keep.yaml", "k: 9\n")
    assert changed_files(repo, base) == {(repo / "keep.yaml").resolve()}


@pytest.mark.parametrize("ref", ["no-such-branch", "main~5", "", "--output=x"],
                         ids=["unknown", "too-far-back", "empty", "option-like"])
def test_unknown_revision(repo: Path, ref: str) -> None:
    with pytest.raises(UsageError) as caught:
        changed_files(repo, ref)
    assert caught.value.cause == f"--changed-since: no such git revision: {ref!r}"
    assert not (repo / "x").exists()


def test_outside_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(UsageError) as caught:
        changed_files(plain, "main")
    assert caught.value.cause == "--changed-since compares with a git revision: run it inside a git repository"
    assert caught.value.file == str(plain)


def test_a_missing_start_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        changed_files(tmp_path / "nowhere", "main")
    assert caught.value.file == str(tmp_path / "nowhere")
