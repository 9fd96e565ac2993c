"""Every bad input: one line naming the file, line and cause, never a traceback. A malformed file is
a finding (``input.parse``, high: exit 1) and the rest is still checked; a path on the command line
that cannot be opened makes the run undone (``input.unreadable``, exit 2)."""
from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, REPO

BAD = EXAMPLES / "bad-input"
EXPECTED = yaml.safe_load((BAD / "expected.yaml").read_text())


def _one_line(result) -> str:
    """The one line about the problem (a run that was done also ends with its summary line)."""
    text = (result.out + result.err).strip()
    assert "Traceback" not in text
    lines = text.splitlines()
    if result.code == 1:
        assert lines[-1].startswith("failed: 1 finding (1 high) in 1 file; 0 documents in 1 file"), text
        lines = lines[:-1]
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_is_one_line_and_exit_1(trueup, name: str) -> None:
    line, cause = EXPECTED[name]
    result = trueup("validate", BAD / name)
    assert result.code == 1
    message = _one_line(result)
    shown = (BAD / name).relative_to(REPO).as_posix()
    where = f"{shown}:{line}:" if line else f"{shown}: "
    assert message.startswith(where), message
    assert cause in message
    assert ": high: " in message and "[input.parse]" in message


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_in_json_report(trueup, name: str, valid_report) -> None:
    result = trueup("validate", "--format", "json", BAD / name)
    report = valid_report(result.out)
    assert result.code == 1
    assert report["summary"]["exit_code"] == 1
    [finding] = report["findings"]
    assert (finding["rule"], finding["severity"]) == ("input.parse", "high")
    assert finding["line"] == EXPECTED[name][0]


def test_one_bad_file_does_not_hide_the_others(trueup, write) -> None:
    bad = write("a/broken.yaml", "a: [1,\n")
    good = write("a/deploy.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: 80}\n")
    result = trueup("validate", "--no-policy", bad, good)
    assert result.code == 1
    assert [l.split(":")[0] for l in result.lines[:-1]] == [str(bad), str(good)]
    assert "expected array, got integer" in result.lines[1]


def test_alias_bomb_is_refused_quickly_with_bounded_memory(trueup) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    result = trueup("validate", BAD / "billion-laughs.yaml")
    assert result.code == 1 and "[input.parse]" in result.lines[0]
    assert time.monotonic() - started < 10
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 200 * 1024


def test_file_over_the_size_cap(trueup, write, tmp_path: Path) -> None:
    write("trueup.yaml", "version: 1\nlimits:\n  max_file_bytes: 100\n")
    big = write("big.yaml", "items:\n" + "  - value\n" * 20)
    result = trueup("validate", big, cwd=tmp_path)
    assert result.code == 1
    message = _one_line(result)
    assert message.startswith("big.yaml: ")
    assert "over the 100-byte limit" in message


def test_missing_file(trueup, tmp_path: Path) -> None:
    result = trueup("validate", tmp_path / "nope.yaml")
    assert result.code == 2
    assert _one_line(result).startswith(f"{tmp_path / 'nope.yaml'}: critical: no such file [input.unreadable]")


def test_dangling_symlink_named_cannot_be_read(trueup, tmp_path: Path) -> None:
    link = tmp_path / "gone.yaml"
    link.symlink_to(tmp_path / "nowhere.yaml")
    result = trueup("validate", link)
    assert result.code == 2
    assert _one_line(result) == f"{link}: critical: no such file [input.unreadable]"


def test_malformed_file_in_a_walk_does_not_stop_the_rest(trueup, write, tmp_path: Path) -> None:
    write("tree/a/broken.yaml", "a: [1,\n")
    write("tree/b/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: 80}\n")
    result = trueup("validate", "--no-policy", "tree", cwd=tmp_path)
    assert result.code == 1
    assert [line.split(": ", 2)[:2] for line in result.lines[:-1]] == [
        ["tree/a/broken.yaml:2:1", "high"], ["tree/b/svc.yaml:4:8", "high"]]
    assert "[input.parse]" in result.lines[0] and "expected array, got integer" in result.lines[1]


@pytest.mark.parametrize(
    "name, content",
    [
        ("empty.yaml", ""),
        ("comments.yaml", "# nothing here yet\n# still nothing\n"),
        ("empty.json", "   \n"),
        ("bom.yaml", "\ufeffapiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
        ("crlf.yaml", "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: x\r\ndata:\r\n  a: b\r\n"),
        ("compose.yaml", "services:\n  web:\n    image: nginx:1.27\n    ports: !reset []\n    environment: !override\n      A: b\n"),
        ("docs.yaml", "---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n"),
        ("empty.env", ""),
        ("empty.toml", "# comment\n"),
    ],
)
def test_unusual_but_valid_files_are_fine(trueup, write, name: str, content: str) -> None:
    path = write(name, content.encode("utf-8"))
    result = trueup("validate", "--no-policy", path)
    assert result.code == 0, result.out + result.err
    assert "no findings" in result.out


def test_crlf_positions_are_right(trueup, write) -> None:
    path = write("svc.yaml", b"apiVersion: v1\r\nkind: Service\r\nmetadata:\r\n  name: s\r\nspec:\r\n  ports: 80\r\n")
    result = trueup("validate", path)
    assert result.code == 1
    assert result.lines[0].startswith(f"{path}:6:3: high: expected array, got integer")


def test_huge_number_is_not_echoed(trueup) -> None:
    result = trueup("validate", BAD / "huge-int.yaml")
    assert result.code == 1
    assert "7777" not in result.out + result.err


def test_render_out_onto_a_file_is_one_line(trueup, tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a directory")
    result = trueup("render", "--env", "prod", "--out", blocker, cwd=REPO)
    message = _one_line(result)
    assert result.code == 2
    assert message == f"trueup: {blocker}: cannot write rendered output: not a directory"


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    import subprocess
    import sys

    for i in range(600):
        (tmp_path / f"f{i}.yaml").write_text("a: 1\na: 2\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "trueup", "validate", "--format", "json", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
    )
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait() == 141
    assert b"Traceback" not in err and b"BrokenPipe" not in err


def test_fifos_and_devices_are_never_read(trueup, tmp_path: Path) -> None:
    """A FIFO would hang a read and a device never end one (its size reads 0): in a walk they are
    skipped with a note; named, they are refused with one line (exit 2); a drift tree skips them, with a note."""
    import os
    import stat

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "ok.yaml").write_text("a: 1\n")
    os.mkfifo(tree / "fifo.yaml")
    try:
        os.mknod(tree / "zero.yaml", 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero's numbers
        device = True
    except OSError:  # not root: FIFOs still cover the hang
        device = False
    walked = trueup("validate", "--no-cache", "--format", "json", "tree", cwd=tmp_path)
    notes = [(f["rule"], f["severity"], f["file"], f["message"]) for f in walked.json()["findings"]]
    expected = [("input.not-regular", "info", "tree/fifo.yaml", "a FIFO, not a regular file: skipped")]
    if device:
        expected.append(("input.not-regular", "info", "tree/zero.yaml", "a character device, not a regular file: skipped"))
    assert (walked.code, notes) == (0, expected)
    named = trueup("validate", "--no-cache", "tree/fifo.yaml", cwd=tmp_path)
    assert (named.code, named.out) == (2, "tree/fifo.yaml: critical: not a regular file (a FIFO); not read [input.unreadable]\n")
    if device:
        zero = trueup("validate", "--no-cache", "tree/zero.yaml", cwd=tmp_path)
        assert zero.code == 2 and "(a character device)" in zero.out
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "ok.yaml").write_text("a: 1\n")
    drift = trueup("drift", "--desired", "d", "--live", "tree", "--format", "json", cwd=tmp_path)
    notes = [(f["rule"], f["severity"], f["file"], f["message"]) for f in drift.json()["findings"]]
    assert (drift.code, notes) == (0, expected)  # the same notes: a live tree skips them too, and says so


def _symlink_loop(directory: Path) -> Path:
    """``a.yaml -> b -> a.yaml`` in ``directory``; returns ``a.yaml``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "a.yaml").symlink_to("b")
    (directory / "b").symlink_to("a.yaml")
    return directory / "a.yaml"


@pytest.mark.parametrize("config", [False, True], ids=["no-config", "config"])
def test_a_symlink_loop_in_a_walk_is_a_note(trueup, write, tmp_path: Path, config: bool) -> None:
    if config:
        write("trueup.yaml", "templates: templates\n")
    write("t/ok.yaml", "a: 1\n")
    _symlink_loop(tmp_path / "t")
    result = trueup("validate", "--no-policy", "t", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert result.lines == ["t/a.yaml: info: a symlink loop, not a regular file: skipped [input.not-regular]",
                            "ok: 1 document in 1 file, no findings; 1 note; 0 validated against a schema, 1 document "
                            "had no schema (kinds: config file); 0 rules run"]


@pytest.mark.parametrize("args, line", [
    (["validate", "t/a.yaml"], "t/a.yaml: critical: symlink loop: refused, not followed [input.unreadable]"),
    (["validate", "--config", "t/a.yaml", "."], "trueup: t/a.yaml: symlink loop: refused, not followed"),
    (["validate", "--schema", "t/a.yaml", "ok.yaml"], "trueup: t/a.yaml: symlink loop: refused, not followed"),
    (["render", "--templates", "t/a.yaml"], "trueup: t/a.yaml: symlink loop: refused, not followed"),
    (["render", "--templates", "tpl", "--values", "t/a.yaml"], "trueup: t/a.yaml: symlink loop: refused, not followed"),
], ids=["named-file", "config", "schema", "templates", "values"])
def test_a_symlink_loop_named_on_the_command_line_is_refused(trueup, write, tmp_path: Path, args: list[str],
                                                              line: str) -> None:
    write("trueup.yaml", "templates: templates\n")
    write("ok.yaml", "a: 1\n")
    write("tpl/x.yaml", "a: 1\n")
    _symlink_loop(tmp_path / "t")
    result = trueup(*args, cwd=tmp_path)
    assert result.code == 2
    assert _one_line(result) == line


@pytest.mark.parametrize("where", ["option", "config"])
@pytest.mark.parametrize("pattern, parsed", [
    ("a[]b.yaml", ["tree/ab.yaml", "tree/legacy/old.yaml"]),      # no closing ]: literal, excludes the file so named
    ("[!]", ["tree/a[]b.yaml", "tree/ab.yaml", "tree/legacy/old.yaml"]),
    ("[", ["tree/a[]b.yaml", "tree/ab.yaml", "tree/legacy/old.yaml"]),
    ("legacy/**", ["tree/a[]b.yaml", "tree/ab.yaml"]),           # the directory itself: never walked
], ids=["empty-class", "negated-empty", "lone-bracket", "trailing-double-star"])
def test_exclude_globs_with_odd_brackets_never_fail(trueup, write, tmp_path: Path, where: str, pattern: str,
                                                    parsed: list[str]) -> None:
    for name in ("tree/a[]b.yaml", "tree/ab.yaml", "tree/legacy/old.yaml"):
        write(name, "a: [1,\n")
    if where == "config":
        write("trueup.yaml", f"exclude: ['{pattern}']\n")
    args = ["--exclude", pattern] if where == "option" else []
    result = trueup("validate", "--no-cache", "--no-policy", "--format", "json", *args, "tree", cwd=tmp_path)
    assert (result.code, result.err) == (1, "")
    assert sorted(f["file"] for f in result.json()["findings"]) == parsed
