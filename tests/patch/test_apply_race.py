"""``fix --apply`` while another process swaps symlinks into the live tree, over and over: a swap at
any moment means a refusal or a write inside the root, never a write, backup, temporary file or
deletion outside it."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from trueup.patch import FileEdit
from trueup.patch.apply import apply_edit
from trueup.patch.create import NewFile, create_file
from trueup.targets import load_tree
from trueup.config import Config

ORIGINAL = "port: 9090\npassword: not-a-real-one\n"
FIXED = "port: 8080\npassword: not-a-real-one\n"

# Swaps ``victim`` between the real thing and a symlink to ``decoy`` until ``stop`` exists.
SWAPPER = textwrap.dedent("""\
    import os, sys
    victim, decoy, stop = sys.argv[1:4]
    parked = victim + ".parked"
    while not os.path.exists(stop):
        try:
            os.rename(victim, parked)
            os.symlink(decoy, victim)
            os.unlink(victim)
            os.rename(parked, victim)
        except OSError:
            pass
""")


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def _swapping(victim: Path, decoy: Path, stop: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SWAPPER, str(victim), str(decoy), str(stop)])


def _settle(victim: Path) -> None:
    parked = Path(str(victim) + ".parked")
    if parked.exists() and (victim.is_symlink() or not victim.exists()):  # (else trueup made a new one)
        if victim.is_symlink():
            victim.unlink()
        parked.rename(victim)


def _restore(sub_fd: int) -> None:
    """Put the original bytes back into the real file (whichever name it has now), following nothing."""
    while True:
        for name in ("app.yaml", "app.yaml.parked"):
            try:
                fd = os.open(name, os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW, dir_fd=sub_fd)
            except OSError:
                continue
            with os.fdopen(fd, "w") as handle:
                handle.write(ORIGINAL)
            for leftover in os.listdir(sub_fd):
                if leftover.endswith(".trueup-bak"):
                    os.unlink(leftover, dir_fd=sub_fd)
            return


@pytest.mark.parametrize("swapped", ["root", "directory", "file"])
def test_apply_never_writes_outside_the_root_while_symlinks_are_swapped(tmp_path: Path, swapped: str) -> None:
    live = tmp_path / "live"
    outside = tmp_path / "outside"
    for base in (live, outside):
        (base / "sub").mkdir(parents=True)
        (base / "sub/app.yaml").write_text(ORIGINAL)  # the decoy holds the same bytes: the digest check passes
    before = _snapshot(outside)
    source = load_tree(live, "live", Config(root=tmp_path)).live[0].documents[0].source  # read, then attacked
    victim, decoy = {"root": (live, outside), "directory": (live / "sub", outside / "sub"),
                     "file": (live / "sub/app.yaml", outside / "sub/app.yaml")}[swapped]
    sub_fd = os.open(live / "sub", os.O_RDONLY | os.O_DIRECTORY)
    stop = tmp_path / "stop"
    swapper = _swapping(victim, decoy, stop)
    outcomes: dict[bool, int] = {True: 0, False: 0}
    try:
        for _ in range(400):
            result = apply_edit(FileEdit("live/sub/app.yaml", source, FIXED, False))
            outcomes[result.ok] += 1
            assert _snapshot(outside) == before, result
            if result.ok:
                _restore(sub_fd)
    finally:
        stop.touch()
        swapper.wait(timeout=30)
        os.close(sub_fd)
    _settle(victim)
    assert _snapshot(outside) == before
    assert not list(outside.rglob("*.trueup-*"))
    assert outcomes[False] > 0  # the swapper did get in the way


def test_create_never_writes_outside_the_root_while_a_directory_is_swapped(tmp_path: Path) -> None:
    live, outside = tmp_path / "live", tmp_path / "outside"
    (live / "sub/deeper").mkdir(parents=True)
    (outside / "sub").mkdir(parents=True)
    stop = tmp_path / "stop"
    swapper = _swapping(live / "sub", outside / "sub", stop)
    try:
        for i in range(300):
            create_file(NewFile(f"live/sub/deeper/new-{i}.yaml", live.resolve() / f"sub/deeper/new-{i}.yaml",
                                live.resolve(), "a: 1\n", False))
            assert list((outside / "sub").iterdir()) == []
    finally:
        stop.touch()
        swapper.wait(timeout=30)
    _settle(live / "sub")
    assert list((outside / "sub").iterdir()) == []


def test_fix_apply_from_the_command_line_while_a_live_directory_is_swapped(trueup, write, tmp_path: Path) -> None:
    write("trueup.yaml", """\
        version: 1
        environments: {prod: {values: [values.yaml]}}
        targets:
          - {name: app, kind: config, desired: "**/*.yaml", live: "live"}
        policy: {packs: []}
        """)
    write("values.yaml", "port: 8080\n")
    write("templates/sub/app.yaml.j2", "port: {{ port }}\npassword: not-a-real-one\n")
    write("live/sub/app.yaml", ORIGINAL)
    write("outside/sub/app.yaml", ORIGINAL)
    outside = tmp_path / "outside"
    before = _snapshot(outside)
    sub_fd = os.open(tmp_path / "live/sub", os.O_RDONLY | os.O_DIRECTORY)
    stop = tmp_path / "stop"
    swapper = _swapping(tmp_path / "live/sub", outside / "sub", stop)
    codes: dict[int, int] = {}
    try:
        for _ in range(40):
            result = trueup("fix", "--apply", cwd=tmp_path)
            codes[result.code] = codes.get(result.code, 0) + 1
            assert "Traceback" not in result.err + result.out
            assert _snapshot(outside) == before, result.out
            _restore(sub_fd)
    finally:
        stop.touch()
        swapper.wait(timeout=30)
        os.close(sub_fd)
    assert set(codes) <= {0, 1, 2}
    assert _snapshot(outside) == before
