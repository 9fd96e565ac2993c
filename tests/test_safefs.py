"""safefs: files written through directory descriptors, following no symlink anywhere below the base;
and every file trueup writes (reports, baselines, rendered trees, init, patches, backups) goes through it."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from pathlib import Path

import pytest

from trueup import safefs
from trueup.config import Config
from trueup.patch import FileEdit
from trueup.patch.apply import apply_edit
from trueup.targets import load_tree


def test_write_atomic_makes_directories_and_keeps_a_replaced_files_mode(tmp_path: Path) -> None:
    safefs.write_atomic(tmp_path, ("a", "b", "c.txt"), b"one", 0o600)
    assert (tmp_path / "a/b/c.txt").read_bytes() == b"one"
    assert stat.S_IMODE((tmp_path / "a/b/c.txt").stat().st_mode) == 0o600
    os.chmod(tmp_path / "a/b/c.txt", 0o640)
    safefs.write_atomic(tmp_path, ("a", "b", "c.txt"), b"two")
    assert (tmp_path / "a/b/c.txt").read_bytes() == b"two"
    assert stat.S_IMODE((tmp_path / "a/b/c.txt").stat().st_mode) == 0o640
    assert sorted(p.name for p in (tmp_path / "a/b").iterdir()) == ["c.txt"]  # no temporary file left


@pytest.mark.parametrize("planted", ["a", "a/b"])
def test_a_symlinked_directory_below_the_base_is_refused(tmp_path: Path, tmp_path_factory, planted: str) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (tmp_path / planted).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(outside, tmp_path / planted)
    with pytest.raises(safefs.Unsafe) as caught:
        safefs.write_atomic(tmp_path, ("a", "b", "c.txt"), b"x")
    assert caught.value.path == str(tmp_path / planted)
    assert caught.value.reason == "a symlink; refused, not followed"
    assert list(outside.rglob("*")) == []


def test_a_base_recorded_as_a_real_path_refuses_a_symlink_swapped_into_it(tmp_path: Path, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    real = tmp_path / "live"
    real.mkdir()
    recorded = real.resolve()
    real.rename(tmp_path / "parked")
    os.symlink(outside, real)
    with pytest.raises(safefs.Unsafe):
        safefs.write_atomic(recorded, ("x.yaml",), b"x", resolve=False)
    assert list(outside.iterdir()) == []


def test_a_final_symlink_is_replaced_by_write_atomic_and_refused_by_open_truncated(tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    target.write_text("keep")
    os.symlink(target, tmp_path / "out.txt")
    with pytest.raises(safefs.Unsafe):
        safefs.open_truncated(tmp_path, ("out.txt",))
    safefs.write_atomic(tmp_path, ("out.txt",), b"new")
    assert target.read_text() == "keep"
    assert not (tmp_path / "out.txt").is_symlink() and (tmp_path / "out.txt").read_text() == "new"


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    fd = safefs.open_dir(tmp_path)
    try:
        with pytest.raises(safefs.Unsafe, match="not a regular file"):
            safefs.read_regular(fd, "pipe")
    finally:
        os.close(fd)
    with pytest.raises(OSError):  # no reader: refused at once (ENXIO), never a hang
        safefs.open_truncated(tmp_path, ("pipe",))


@pytest.mark.parametrize("name", ["..", ".", "", "a/b", "nul\0"])
def test_a_component_that_is_not_a_plain_name_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(safefs.Unsafe, match="not a plain name"):
        safefs.write_atomic(tmp_path, ("sub", name, "f"), b"x")


def test_sibling_names_stay_within_the_file_name_limit_and_apart() -> None:
    long = "x" * 250 + ".yaml"
    one, two = (safefs.sibling_name(long, ".20261206T000000Z.trueup-bak") for _ in range(2))
    assert len(one.encode()) <= 255 and one.endswith(".20261206T000000Z.trueup-bak")
    assert one != two
    assert safefs.sibling_name("app.yaml", ".bak", ".") == ".app.yaml.bak"


def _source(root: Path, rel: str):
    return next(doc.source for side in load_tree(root, "live", Config(root=root.parent)).live
                for doc in side.documents if side.rel == rel)


def test_backups_never_replace_one_another_even_for_names_at_the_limit(tmp_path: Path) -> None:
    live = tmp_path / "live"
    live.mkdir()
    name = "n" * 240 + ".yaml"
    (live / name).write_text("a: 1\n")
    now = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.timezone.utc)
    for value in (2, 3, 4):
        result = apply_edit(FileEdit(f"live/{name}", _source(live, name), f"a: {value}\n", False), now=now)
        assert result.ok, result.message
    backups = sorted(p.read_text() for p in live.iterdir() if p.name.endswith(".trueup-bak"))
    assert backups == ["a: 1\n", "a: 2\n", "a: 3\n"]
    assert (live / name).read_text() == "a: 4\n"


def test_the_backup_name_a_planted_file_takes_is_skipped_not_overwritten(tmp_path: Path) -> None:
    live = tmp_path / "live"
    live.mkdir()
    (live / "app.yaml").write_text("a: 1\n")
    planted = live / "app.yaml.20261206T120000Z.trueup-bak"
    planted.write_text("someone else's\n")
    now = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.timezone.utc)
    result = apply_edit(FileEdit("live/app.yaml", _source(live, "app.yaml"), "a: 2\n", False), now=now)
    assert result.ok and result.message == "backup app.yaml.20261206T120000Z-1.trueup-bak"
    assert planted.read_text() == "someone else's\n"
    assert (live / "app.yaml.20261206T120000Z-1.trueup-bak").read_text() == "a: 1\n"


def test_apply_refuses_a_live_file_replaced_by_a_fifo(tmp_path: Path) -> None:
    live = tmp_path / "live"
    live.mkdir()
    (live / "app.yaml").write_text("a: 1\n")
    source = _source(live, "app.yaml")
    (live / "app.yaml").unlink()
    os.mkfifo(live / "app.yaml")
    result = apply_edit(FileEdit("live/app.yaml", source, "a: 2\n", False))
    assert (result.ok, result.message) == (False, "not a regular file; refused; left untouched")


# Every other file trueup writes, driven from the command line.

def _outside(tmp_path_factory) -> Path:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "victim").write_text("precious\n")
    return outside


def test_a_report_output_through_a_planted_symlink_is_refused(trueup, tmp_path: Path, tmp_path_factory) -> None:
    outside = _outside(tmp_path_factory)
    (tmp_path / "app.yaml").write_text("a: 1\n")
    os.symlink(outside / "victim", tmp_path / "report.json")
    result = trueup("validate", "app.yaml", "--format", "json", "--output", "report.json", cwd=tmp_path)
    assert (result.code, result.err) == (2, "trueup: report.json: cannot write the report: a symlink; refused, not followed\n")
    assert (outside / "victim").read_text() == "precious\n"


def test_a_report_output_below_a_symlinked_directory_is_refused(trueup, tmp_path: Path, tmp_path_factory) -> None:
    outside = _outside(tmp_path_factory)
    (tmp_path / "app.yaml").write_text("a: 1\n")
    os.symlink(outside, tmp_path / "reports")
    result = trueup("validate", "app.yaml", "--output", "reports/victim", cwd=tmp_path)
    assert (result.code, result.err) == (2, "trueup: reports: cannot write the report: a symlink; refused, not followed\n")
    assert sorted(p.name for p in outside.iterdir()) == ["victim"]
    assert (outside / "victim").read_text() == "precious\n"


def test_render_out_through_a_symlinked_directory_is_refused(trueup, tmp_path: Path, tmp_path_factory) -> None:
    outside = _outside(tmp_path_factory)
    (tmp_path / "trueup.yaml").write_text("version: 1\nenvironments: {prod: {}}\ntargets: []\npolicy: {packs: []}\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/app.yaml.j2").write_text("a: 1\n")
    (tmp_path / "out").mkdir()
    os.symlink(outside, tmp_path / "out/prod")
    result = trueup("render", "--env", "prod", "--out", "out/prod", cwd=tmp_path)
    assert result.code == 2
    assert result.err == "trueup: out/prod: cannot write rendered output: a symlink; refused, not followed\n"
    assert sorted(p.name for p in outside.iterdir()) == ["victim"]


def test_init_refuses_a_symlinked_directory_it_would_write_into(trueup, tmp_path: Path, tmp_path_factory) -> None:
    outside = _outside(tmp_path_factory)
    (tmp_path / "repo").mkdir()
    os.symlink(outside, tmp_path / "repo/.github")
    result = trueup("init", "repo", cwd=tmp_path)
    assert result.code == 2
    assert result.err.endswith(": a symlink; refused, not followed\n") and "repo/.github" in result.err
    assert sorted(p.name for p in outside.iterdir()) == ["victim"]


def test_a_rules_page_output_is_written_whole(trueup, tmp_path: Path) -> None:
    result = trueup("rules", "docs", "--output", "docs/rules.md", cwd=tmp_path)
    assert result.code == 0, result.err
    page = (tmp_path / "docs/rules.md").read_text()
    assert page.startswith("#") and "K8S-" in page
    assert hashlib.sha256(page.encode()).hexdigest() == hashlib.sha256(
        trueup("rules", "docs", cwd=tmp_path).out.encode()).hexdigest()
