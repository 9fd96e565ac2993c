"""A revision's files from git's object database (trueup.preview.gitrefs), never touching the checkout."""
from __future__ import annotations

from pathlib import Path

import pytest

from trueup.errors import UsageError
from trueup.preview.gitrefs import repository, tree_at

from gitrepo import git as _git, put as _put


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Two commits: the first holds v1 files, the second changes one, removes one and adds one."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _put(root, "values/prod.yaml", "replicas: 1\n")
    _put(root, "templates/dir ü/app.yaml.j2", "a: {{ replicas }}\n")
    _put(root, "old.yaml", "gone: true\n")
    _put(root, ".gitattributes", "export.yaml export-ignore\nsubst.yaml export-subst\n")
    _put(root, "export.yaml", "kept: true\n")
    _put(root, "subst.yaml", "commit: $Format:%H$\n")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "v1")
    _put(root, "values/prod.yaml", "replicas: 3\n")
    _git(root, "rm", "-q", "old.yaml")
    _put(root, "new.yaml", "new: true\n")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "v2")
    return root


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text("utf-8") for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_files_at_a_revision(repo: Path) -> None:
    with tree_at(repo, "HEAD~1") as files:
        assert _files(files) == {
            ".gitattributes": "export.yaml export-ignore\nsubst.yaml export-subst\n",
            "export.yaml": "kept: true\n",                  # export-ignore does not apply: a checkout, not an archive
            "old.yaml": "gone: true\n",
            "subst.yaml": "commit: $Format:%H$\n",          # placeholders stay as committed
            "templates/dir ü/app.yaml.j2": "a: {{ replicas }}\n",
            "values/prod.yaml": "replicas: 1\n",
        }
        assert files.name == "tree"
    assert not files.exists()  # removed afterwards


def test_a_subdirectory_maps_to_the_same_subdirectory(repo: Path) -> None:
    with tree_at(repo / "values", "HEAD~1") as files:
        assert files.name == "values"
        assert (files / "prod.yaml").read_text() == "replicas: 1\n"
        assert not (files / "old.yaml").exists()


def test_the_checkout_index_and_head_are_untouched(repo: Path) -> None:
    _put(repo, "values/prod.yaml", "replicas: 9\n")  # an unstaged edit
    _put(repo, "new.yaml", "staged: true\n")
    _git(repo, "add", "new.yaml")
    before = (_git(repo, "rev-parse", "HEAD"), _git(repo, "status", "--porcelain"), _git(repo, "diff", "--cached"))
    with tree_at(repo, "HEAD~1") as files:
        assert (files / "values" / "prod.yaml").read_text() == "replicas: 1\n"
    after = (_git(repo, "rev-parse", "HEAD"), _git(repo, "status", "--porcelain"), _git(repo, "diff", "--cached"))
    assert after == before
    assert (repo / "values" / "prod.yaml").read_text() == "replicas: 9\n"
    assert (repo / "old.yaml").exists() is False


def test_the_copy_is_removed_when_the_block_fails(repo: Path) -> None:
    with pytest.raises(KeyError):
        with tree_at(repo, "HEAD") as files:
            raise KeyError("boom")
    assert not files.parent.exists()


@pytest.mark.parametrize("revision", ["no-such-branch", "HEAD~9", "", "deadbeef" * 5],
                         ids=["unknown", "too-far-back", "empty", "absent-hash"])
def test_an_unknown_revision(repo: Path, revision: str) -> None:
    with pytest.raises(UsageError) as caught:
        with tree_at(repo, revision):
            pass
    assert caught.value.cause == f"no such git revision: {revision!r}"


def test_a_shallow_clone_says_so(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    _git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    with pytest.raises(UsageError) as caught:
        with tree_at(clone, "HEAD~1"):
            pass
    assert caught.value.cause == ("no such git revision: 'HEAD~1' (a shallow clone: fetch the revision, "
                                  "e.g. actions/checkout with fetch-depth: 0)")


def test_repository_finds_the_enclosing_one(repo: Path) -> None:
    assert Path(repository(repo / "templates" / "dir ü").working_tree_dir) == repo


@pytest.mark.parametrize("where", ["plain", "missing"])
def test_outside_a_repository(tmp_path: Path, where: str) -> None:
    start = tmp_path / where
    if where == "plain":
        start.mkdir()
    with pytest.raises(UsageError) as caught:
        repository(start)
    assert str(caught.value) == f"{start}: preview compares git revisions: run it inside a git repository"
