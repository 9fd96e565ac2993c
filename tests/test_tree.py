"""Walking a root without leaving it (trueup.tree): sorted regular files, escaping symlinks refused."""
from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from trueup.errors import InputError
from trueup.tree import SymlinkLoop, confined, is_loop, iter_files, not_found, real_path, special_kind


def _put(root: Path, name: str, text: str = "a: 1\n") -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "root"
    base.mkdir()
    return base


def _rels(root: Path, display: str = "") -> list[str]:
    return [rel for _, rel in iter_files(root, display)]


def test_files_sorted_relative_with_dot_dirs_and_markers_skipped(root: Path) -> None:
    for name in ("b.yaml", "a/z.yaml", "a/c/d.yaml", ".git/config", ".hidden/x.yaml", "a/.keep", ".gitkeep",
                 ".DS_Store", "live.yaml.20260101.trueup-bak", "live.yaml.trueup-tmp", ".env", "dir with space/ü.yaml"):
        _put(root, name)
    found = list(iter_files(root))
    assert [rel for _, rel in found] == [".env", "b.yaml", "a/z.yaml", "a/c/d.yaml", "dir with space/ü.yaml"]
    assert found[0][0] == root / ".env"  # dot files are read; dot directories are not
    assert found[-1][0] == root / "dir with space" / "ü.yaml"


def test_an_empty_root(root: Path) -> None:
    assert _rels(root) == []


def test_a_symlinked_file_inside_the_root_is_read_under_its_own_name(root: Path) -> None:
    _put(root, "real.yaml")
    (root / "alias.yaml").symlink_to("real.yaml")
    assert _rels(root) == ["alias.yaml", "real.yaml"]


def test_a_symlinked_directory_inside_the_root_is_not_walked_twice(root: Path) -> None:
    _put(root, "real/x.yaml")
    (root / "again").symlink_to("real", target_is_directory=True)
    (root / "self").symlink_to(".", target_is_directory=True)  # a loop back to the root
    assert _rels(root) == ["real/x.yaml"]


@pytest.mark.parametrize("name, target, is_dir", [
    ("out.yaml", "../outside/secret.yaml", False),
    ("abs.yaml", "/etc/hostname", False),
    ("up", "..", True),
    ("sub/deeper.yaml", "../../outside/secret.yaml", False),
    ("dangling-out.yaml", "/nonexistent-trueup-target/x", False),
], ids=["relative-file", "absolute-file", "parent-dir", "nested", "dangling-outside"])
def test_a_symlink_out_of_the_root_is_refused_and_named(tmp_path: Path, root: Path, name: str, target: str,
                                                        is_dir: bool) -> None:
    _put(tmp_path, "outside/secret.yaml", "token: hunter2\n")
    _put(root, "ok.yaml")
    link = root / name
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target, target_is_directory=is_dir)
    with pytest.raises(InputError) as caught:
        list(iter_files(root, "live/prod"))
    assert caught.value.file == f"live/prod/{name}"
    assert caught.value.cause == f"symlink resolves outside its root ({root.resolve()}); refused, not followed"


def test_a_dangling_symlink_inside_the_root_is_skipped(root: Path) -> None:
    _put(root, "a.yaml")
    (root / "gone.yaml").symlink_to("missing.yaml")
    assert _rels(root) == ["a.yaml"]


def test_the_display_root_prefixes_only_error_names(root: Path) -> None:
    _put(root, "k8s/a.yaml")
    assert _rels(root, "templates") == ["k8s/a.yaml"]


def test_special_files_are_collected_never_opened(root: Path) -> None:
    _put(root, "a.yaml")
    os.mkfifo(root / "pipe.yaml")
    (root / "sub").mkdir()
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(root / "sub" / "s.sock"))
        special: list[tuple[str, str]] = []
        assert [rel for _, rel in iter_files(root, "", special)] == ["a.yaml"]
        assert special == [("pipe.yaml", "FIFO"), ("sub/s.sock", "socket")]
        assert _rels(root) == ["a.yaml"]  # without a list, skipped silently
    finally:
        server.close()


@pytest.mark.parametrize("mode, kind", [
    (stat.S_IFREG | 0o644, None),
    (stat.S_IFDIR | 0o755, "directory"),
    (stat.S_IFIFO | 0o644, "FIFO"),
    (stat.S_IFSOCK | 0o644, "socket"),
    (stat.S_IFCHR | 0o644, "character device"),
    (stat.S_IFBLK | 0o644, "block device"),
    (stat.S_IFLNK | 0o777, "special file"),
], ids=["regular", "directory", "fifo", "socket", "char", "block", "symlink"])
def test_special_kind(mode: int, kind: str | None) -> None:
    assert special_kind(mode) == kind


def test_confined_returns_the_real_path(tmp_path: Path, root: Path) -> None:
    real = _put(root, "a/b.yaml")
    (root / "link.yaml").symlink_to("a/b.yaml")
    assert confined(root / "link.yaml", root, "link.yaml") == real.resolve()
    assert confined(root, root, ".") == root.resolve()  # the root itself is inside


@pytest.mark.parametrize("path", ["../root-sibling/x", "a/../../elsewhere", "/"], ids=["sibling", "dotdot", "absolute"])
def test_confined_refuses_paths_that_leave(root: Path, path: str) -> None:
    with pytest.raises(InputError) as caught:
        confined(root / path, root, path)
    assert caught.value.file == path
    assert str(root.resolve()) in caught.value.cause


def test_a_root_reached_through_a_symlink_is_judged_by_its_real_path(tmp_path: Path, root: Path) -> None:
    _put(root, "a.yaml")
    (root / "b.yaml").symlink_to(root / "a.yaml")  # absolute, but inside
    via = tmp_path / "via"
    via.symlink_to(root, target_is_directory=True)
    assert [rel for _, rel in iter_files(via)] == ["a.yaml", "b.yaml"]


def _loop(root: Path, name: str = "a.yaml", other: str = "b") -> None:
    """``name -> other -> name``: following either meets ELOOP."""
    (root / name).symlink_to(other)
    (root / other).symlink_to(name)


def test_a_symlink_loop_in_the_root_is_collected_never_raised(root: Path) -> None:
    _put(root, "ok.yaml")
    _loop(root)
    (root / "sub").mkdir()
    (root / "sub" / "self.yaml").symlink_to("self.yaml")  # a link to itself is a loop too
    special: list[tuple[str, str]] = []
    assert [rel for _, rel in iter_files(root, "live", special)] == ["ok.yaml"]
    assert special == [("a.yaml", "symlink loop"), ("b", "symlink loop"), ("sub/self.yaml", "symlink loop")]
    assert _rels(root) == ["ok.yaml"]  # without a list, skipped silently


@pytest.mark.parametrize("name", ["a.yaml", "b"])
def test_confined_refuses_a_symlink_loop_by_name(root: Path, name: str) -> None:
    _loop(root)
    with pytest.raises(SymlinkLoop) as caught:
        confined(root / name, root, f"live/{name}")
    assert isinstance(caught.value, InputError)
    assert (caught.value.file, caught.value.cause) == (f"live/{name}", "symlink loop: refused, not followed")


def test_real_path_never_raises_on_a_loop(root: Path) -> None:
    _loop(root)
    real = _put(root, "x.yaml")
    (root / "x-link.yaml").symlink_to("x.yaml")
    assert real_path(root / "x-link.yaml") == real.resolve()
    assert real_path(root / "a.yaml").parent == root.resolve()  # left as far as it resolves
    assert (is_loop(root / "a.yaml"), is_loop(root / "x-link.yaml"), is_loop(root / "missing")) == (True, False, False)


@pytest.mark.parametrize("cause, path, expected", [
    ("values file not found", "a.yaml", "symlink loop: refused, not followed"),
    ("values file not found", "missing.yaml", "values file not found"),
])
def test_not_found_says_when_it_is_a_loop(root: Path, cause: str, path: str, expected: str) -> None:
    _loop(root)
    assert not_found(root / path, cause) == expected
