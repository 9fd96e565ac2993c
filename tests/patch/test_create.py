"""patch/create.py: desired files missing live planned under their live root and created there atomically, never over anything."""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from trueup.load import load_text
from trueup.model import Document
from trueup.patch.apply import Applied
from trueup.patch.create import NewFile, create_file, plan_creations


def _snapshot(root: Path) -> dict[str, bytes | str]:
    return {p.relative_to(root).as_posix(): (os.readlink(p) if p.is_symlink() else p.read_bytes() if p.is_file() else "dir")
            for p in sorted(root.rglob("*"))}


def _desired(text: str, name: str = "templates/app.yaml") -> Document:
    return load_text(text, file=name, name=name.rsplit("/", 1)[-1], fmt="yaml").documents[0]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_plan_creations_places_files_under_the_longest_root(tmp_path: Path) -> None:
    (tmp_path / "live/conf/deep").mkdir(parents=True)
    plain, secret = _desired("port: 80\n"), _desired("password: s3cr3t-value\n")
    obj = load_text("apiVersion: v1\nkind: Service\nmetadata: {name: web}\n", file="k.yaml", name="k.yaml", fmt="yaml").documents[0]
    files, notes = plan_creations(
        [("file", plain, "live/conf/deep/app.yaml"), ("file", secret, "live/conf/db.yaml"), ("object", obj, None),
         ("object", obj, "shop"), ("file", plain, "elsewhere/app.yaml"), ("file", plain, None), ("delete-file", plain, "x")],
        [("live/conf", tmp_path / "live/conf"), ("live/conf/deep/", tmp_path / "live/conf/deep")])
    assert [(f.name, f.path, f.root, f.text, f.secret) for f in files] == [
        ("live/conf/deep/app.yaml", tmp_path / "live/conf/deep/app.yaml", tmp_path / "live/conf/deep", "port: 80\n", False),
        ("live/conf/db.yaml", tmp_path / "live/conf/db.yaml", tmp_path / "live/conf", "password: s3cr3t-value\n", True)]
    assert notes == ["Service/default/web: missing live; apply its manifest (trueup drift --patches DIR writes it)",
                     "Service/shop/web: missing live; apply its manifest (trueup drift --patches DIR writes it)",
                     "elsewhere/app.yaml: missing live, outside every live root"]


def test_plan_creations_takes_a_roots_real_path(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    files, _ = plan_creations([("file", _desired("a: 1\n"), "live/a.yaml")], [("live", tmp_path / "link")])
    assert (files[0].root, files[0].path) == (tmp_path / "real", tmp_path / "real/a.yaml")


def test_new_file_diffs_and_masking(tmp_path: Path) -> None:
    plain = NewFile("live/a.yaml", tmp_path / "a.yaml", tmp_path, "a: 1\nb: 2", False)
    assert plain.diff == "--- /dev/null\n+++ b/live/a.yaml\n@@ -0,0 +1,2 @@\n+a: 1\n+b: 2\n\\ No newline at end of file\n"
    assert plain.shown_diff() == plain.diff
    secret = NewFile("live/db.yaml", tmp_path / "db.yaml", tmp_path, "user: u\npassword: s3cr3t-value\n", True)
    assert secret.shown_diff() == "--- /dev/null\n+++ b/live/db.yaml\n@@ -0,0 +1,2 @@\n+user: u\n+password: ********\n"
    assert "s3cr3t-value" in secret.diff
    broken = NewFile("live/db.yaml", tmp_path / "db.yaml", tmp_path, "password: [s3cr3t\n", True)
    assert broken.shown_diff() is None


@pytest.mark.parametrize("secret, mode", [(False, 0o644), (True, 0o600)], ids=["plain", "secret"])
def test_create_file_writes_the_text_with_its_mode(tmp_path: Path, secret: bool, mode: int) -> None:
    root = tmp_path / "live"
    (root / "keep.yaml").parent.mkdir()
    (root / "keep.yaml").write_bytes(b"k: 1\n")
    text = "# é\r\nport: 80\r\n"
    result = create_file(NewFile("live/sub/app.yaml", root / "sub/app.yaml", root, text, secret))
    assert result == Applied("live/sub/app.yaml", True, "created", None, hashlib.sha256(text.encode()).hexdigest())
    assert _snapshot(root) == {"keep.yaml": b"k: 1\n", "sub": "dir", "sub/app.yaml": text.encode("utf-8")}
    assert stat.S_IMODE((root / "sub/app.yaml").stat().st_mode) == mode


def test_create_file_never_replaces_what_appeared(tmp_path: Path) -> None:
    root = tmp_path / "live"
    root.mkdir()
    (root / "app.yaml").write_bytes(b"theirs\n")
    result = create_file(NewFile("live/app.yaml", root / "app.yaml", root, "ours\n", False))
    assert result == Applied("live/app.yaml", False, "appeared since trueup looked; refused, left untouched (run again)")
    assert _snapshot(root) == {"app.yaml": b"theirs\n"}


def test_create_file_refuses_a_place_outside_its_root(tmp_path: Path) -> None:
    root, outside = tmp_path / "live", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    result = create_file(NewFile("live/../outside/a.yaml", outside / "a.yaml", root, "x\n", False))
    assert (result.ok, result.message) == (False, f"resolves outside its live root {root}; refused, nothing created")
    assert _snapshot(tmp_path) == {"live": "dir", "outside": "dir"}


def test_create_file_does_not_follow_a_symlinked_directory(tmp_path: Path) -> None:
    root, outside = tmp_path / "live", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "sub").symlink_to(outside)
    result = create_file(NewFile("live/sub/a.yaml", root / "sub/a.yaml", root, "x\n", False))
    assert (result.ok, result.message) == (
        False, f"live/sub: a symlink; refused, not followed, and could lead outside its live root {root}; nothing created")
    assert _snapshot(tmp_path) == {"live": "dir", "live/sub": str(outside), "outside": "dir"}
