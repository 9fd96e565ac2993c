"""Bad input around patches: one line and exit 2, never a traceback, never a patch built on a
file that could not be read; a duplicate key is a finding, not a reason to refuse a fix."""
from __future__ import annotations

from pathlib import Path


def test_a_patches_dir_that_cannot_be_written_is_one_line(trueup, write, tmp_path: Path) -> None:
    write("d/app.yaml", "port: 8080\n")
    write("l/app.yaml", "port: 9090\n")
    write("taken", "a file, not a directory\n")
    result = trueup("drift", "--desired", "d", "--live", "l", "--patches", "taken", cwd=tmp_path)
    assert result.code == 2
    assert result.err == "trueup: taken: cannot write a patch there: not a directory\n"


def test_no_patches_are_written_when_a_live_file_does_not_parse(trueup, write, tmp_path: Path) -> None:
    """The broken file would look missing live, and its creation patch would clobber it."""
    write("d/app.yaml", "port: 8080\n")
    write("d/db.yaml", "host: db\n")
    write("l/app.yaml", "port: [9090\n")
    write("l/db.yaml", "host: old\n")
    result = trueup("drift", "--desired", "d", "--live", "l", "--patches", "out", cwd=tmp_path)
    assert result.code == 1
    assert "l/app.yaml:2:1: high: invalid YAML" in result.out
    assert result.err == "trueup: no patches written: l/app.yaml could not be read\n"
    assert not (tmp_path / "out").exists()


def test_fix_edits_a_file_with_a_duplicate_key_where_the_value_wins(trueup, write, tmp_path: Path) -> None:
    write("trueup.yaml", "version: 1\nenvironments:\n  prod: {}\ntargets:\n"
          "  - {name: a, kind: config, desired: a.yaml, live: live/a.yaml}\npolicy: {packs: []}\n")
    write("templates/a.yaml", "port: 80\nlevel: info\n")
    write("live/a.yaml", "port: 81\nlevel: debug\nlevel: warn\n")
    result = trueup("fix", "--apply", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert (tmp_path / "live/a.yaml").read_text() == "port: 80\nlevel: debug\nlevel: info\n"
    after = trueup("drift", "--format", "json", cwd=tmp_path)
    assert [f["rule"] for f in after.json()["findings"]] == ["input.duplicate-key"]


def test_an_edit_of_an_anchor_that_its_aliases_do_not_want_is_a_note(trueup, write, tmp_path: Path) -> None:
    """Editing the anchored text changes every alias of it; where desired differs between them, the
    file gets a note, never a patch that moves drift from one place to another."""
    write("l/app.yaml", "base: &b\n  x: 1\nother: *b\n")
    write("d/app.yaml", "base:\n  x: 1\n  y: 2\nother:\n  x: 1\n")
    result = trueup("drift", "--desired", "d", "--live", "l", "--patches", "out", cwd=tmp_path)
    assert result.code == 1
    assert "trueup: no file diff for l/app.yaml: the edited file would not read back as desired" in result.err
    assert not (tmp_path / "out").exists()
