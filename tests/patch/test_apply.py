"""patch/apply.py: edits written to live files atomically, after a backup, only if the file is what trueup read."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from pathlib import Path

import pytest

from trueup.model import Source
from trueup.patch import FileEdit
from trueup.patch.apply import Applied, apply_edit, backup, place

NOW = dt.datetime(2026, 12, 6, 12, 0, 0, tzinfo=dt.timezone.utc)
BAK = "app.yaml.20261206T120000Z.trueup-bak"


def _snapshot(root: Path) -> dict[str, bytes | str]:
    return {p.relative_to(root).as_posix(): (os.readlink(p) if p.is_symlink() else p.read_bytes() if p.is_file() else "dir")
            for p in sorted(root.rglob("*"))}


def _edit(root: Path, rel: str, data: bytes, new: str, deleted: bool = False, bom: bool = False) -> FileEdit:
    """An edit of the file ``root/rel`` as trueup read it (``data``: its bytes then)."""
    path = root / rel
    text = (data[3:] if bom else data).decode("utf-8")
    source = Source(file=f"live/{rel}", name=rel, text=text, format="yaml", path=path, root=root,
                    digest=hashlib.sha256(data).hexdigest(), bom=bom)
    return FileEdit(f"live/{rel}", source, new, False, deleted=deleted)


@pytest.fixture
def live(tmp_path: Path) -> Path:
    root = tmp_path / "live"
    (root / "sub").mkdir(parents=True)
    (root / "app.yaml").write_bytes(b"# app\r\nport: 8080  # p\r\n")
    (root / "sub/other.yaml").write_bytes(b"x: 1\n")
    (root / "app.yaml").chmod(0o640)
    return root


def test_the_new_text_replaces_the_file_after_a_backup(live: Path) -> None:
    old = (live / "app.yaml").read_bytes()
    os.utime(live / "app.yaml", ns=(1_000_000_000, 2_000_000_000))
    new = "# app\r\nport: 9090  # p\r\n"
    result = apply_edit(_edit(live, "app.yaml", old, new), NOW)
    assert result == Applied("live/app.yaml", True, f"backup {BAK}", hashlib.sha256(old).hexdigest(),
                             hashlib.sha256(new.encode()).hexdigest())
    assert _snapshot(live) == {"app.yaml": new.encode(), BAK: old, "sub": "dir", "sub/other.yaml": b"x: 1\n"}
    assert stat.S_IMODE((live / "app.yaml").stat().st_mode) == 0o640
    assert stat.S_IMODE((live / BAK).stat().st_mode) == 0o640
    assert (live / BAK).stat().st_mtime_ns == 2_000_000_000


def test_a_byte_order_mark_is_kept(live: Path) -> None:
    data = b"\xef\xbb\xbfa: 1\n"
    (live / "sub/bom.yaml").write_bytes(data)
    assert apply_edit(_edit(live, "sub/bom.yaml", data, "a: é\n", bom=True), NOW).ok is True
    assert (live / "sub/bom.yaml").read_bytes() == "\ufeffa: é\n".encode("utf-8")


def test_a_second_backup_in_the_same_second_gets_a_new_name(live: Path) -> None:
    first = (live / "app.yaml").read_bytes()
    assert apply_edit(_edit(live, "app.yaml", first, "port: 1\n"), NOW).message == f"backup {BAK}"
    result = apply_edit(_edit(live, "app.yaml", b"port: 1\n", "port: 2\n"), NOW)
    assert result.message == "backup app.yaml.20261206T120000Z-1.trueup-bak"
    assert _snapshot(live) == {"app.yaml": b"port: 2\n", BAK: first, "app.yaml.20261206T120000Z-1.trueup-bak": b"port: 1\n",
                               "sub": "dir", "sub/other.yaml": b"x: 1\n"}


def test_a_deletion_removes_the_file_after_a_backup(live: Path) -> None:
    result = apply_edit(_edit(live, "sub/other.yaml", b"x: 1\n", "", deleted=True), NOW)
    assert result == Applied("live/sub/other.yaml", True, "backup other.yaml.20261206T120000Z.trueup-bak",
                             hashlib.sha256(b"x: 1\n").hexdigest(), None)
    assert _snapshot(live) == {"app.yaml": b"# app\r\nport: 8080  # p\r\n", "sub": "dir",
                               "sub/other.yaml.20261206T120000Z.trueup-bak": b"x: 1\n"}


def test_a_file_changed_since_it_was_read_is_left_untouched(live: Path) -> None:
    before = _snapshot(live)
    result = apply_edit(_edit(live, "app.yaml", b"port: 7070\n", "port: 1\n"), NOW)
    assert result == Applied("live/app.yaml", False, "changed since trueup read it; refused, left untouched (run again)")
    assert _snapshot(live) == before


def test_a_file_not_read_from_a_live_root_is_refused(live: Path) -> None:
    edit = FileEdit("x.yaml", Source(file="x.yaml", name="x.yaml", text="a: 1\n", format="yaml"), "a: 2\n", False)
    assert apply_edit(edit, NOW) == Applied("x.yaml", False, "not a file read from a live root; refused")


def test_a_symlink_out_of_the_root_is_refused(tmp_path: Path, live: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_bytes(b"x: 1\n")
    (live / "sub/other.yaml").unlink()
    (live / "sub/other.yaml").symlink_to(outside)
    before = _snapshot(tmp_path)
    result = apply_edit(_edit(live, "sub/other.yaml", b"x: 1\n", "x: 2\n"), NOW)
    assert result == Applied("live/sub/other.yaml", False, f"resolves outside its live root {live}; refused, left untouched")
    assert _snapshot(tmp_path) == before


def test_a_missing_file_is_left_alone(live: Path) -> None:
    result = apply_edit(_edit(live, "sub/gone.yaml", b"x: 1\n", "x: 2\n"), NOW)
    assert (result.ok, result.message) == (False, "cannot read it again: No such file or directory; left untouched")
    assert sorted(_snapshot(live)) == ["app.yaml", "sub", "sub/other.yaml"]


@pytest.mark.parametrize("path, root, expected", [
    ("live/sub/a.yaml", "live", ("live", ("sub", "a.yaml"))),
    ("live/sub/../a.yaml", "live", ("live", ("a.yaml",))),
    ("live/../elsewhere/a.yaml", "live", None),
    ("live", "live", ("live", ())),
], ids=["below", "dot-dot-inside", "outside", "the-root-itself"])
def test_place(tmp_path: Path, path: str, root: str, expected: tuple | None) -> None:
    (tmp_path / "live/sub").mkdir(parents=True)
    found = place(tmp_path / path, tmp_path / root)
    assert found == (None if expected is None else (tmp_path / expected[0], expected[1]))


def test_place_follows_symlinks_in_the_path_but_not_in_the_root(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "live").symlink_to(tmp_path / "real")
    assert place(tmp_path / "live/a.yaml", tmp_path / "real") == (tmp_path / "real", ("a.yaml",))
    assert place(tmp_path / "live/a.yaml", tmp_path / "live") is None


def test_backup_writes_a_new_name_with_the_mode_and_times(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"now\n")
    (tmp_path / "a.yaml").chmod(0o600)
    os.utime(tmp_path / "a.yaml", ns=(3_000_000_000, 4_000_000_000))
    status = (tmp_path / "a.yaml").stat()
    (tmp_path / "a.yaml.T.trueup-bak").write_bytes(b"older backup\n")
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        name = backup(fd, "a.yaml", b"checked bytes\n", status, "T")
    finally:
        os.close(fd)
    assert name == "a.yaml.T-1.trueup-bak"
    assert _snapshot(tmp_path) == {"a.yaml": b"now\n", "a.yaml.T.trueup-bak": b"older backup\n",
                                   "a.yaml.T-1.trueup-bak": b"checked bytes\n"}
    copy = (tmp_path / name).stat()
    assert (stat.S_IMODE(copy.st_mode), copy.st_mtime_ns) == (0o600, 4_000_000_000)
