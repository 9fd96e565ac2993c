"""Walk a desired, live or templates tree without ever leaving its root.

Pull requests control the desired side, so a symlink that resolves outside the
root is refused (naming it), never followed.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Iterator

from .errors import InputError

SKIPPED_NAMES = frozenset({".gitkeep", ".keep", ".DS_Store"})
# What ``trueup fix --apply`` leaves beside live files: backups and (after a crash) temporary files.
# Never live state: ``.env.<time>.trueup-bak`` would otherwise read as a dotenv file.
SKIPPED_SUFFIXES = (".trueup-bak", ".trueup-tmp")


def special_kind(mode: int) -> str | None:
    """What a file that is not a regular one is (``FIFO``, ``socket``, ``device``...), else None."""
    if stat.S_ISREG(mode):
        return None
    for test, name in ((stat.S_ISDIR, "directory"), (stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"),
                       (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device")):
        if test(mode):
            return name
    return "special file"


# What a walk calls a symlink that leads back to itself (``a -> b -> a``): skipped with a note, never followed.
LOOP = "symlink loop"


class SymlinkLoop(InputError):
    """A path whose symlinks lead back to themselves: it names no file."""


def is_loop(path: Path | str) -> bool:
    """Whether following ``path`` meets a symlink loop (``ELOOP``)."""
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def real_path(path: Path | str) -> Path:
    """``path`` absolute with its symlinks resolved, as ``Path.resolve()`` does, but never raising on a
    symlink loop (3.10 to 3.12 raise RuntimeError there, 3.13 does not): a loop is left as far as it
    resolves. For comparing paths; where a loop must be refused, ``confined`` (or ``is_loop``) says so."""
    return Path(os.path.realpath(path))


def not_found(path: Path, cause: str) -> str:
    """Why a named ``path`` that is not there cannot be used: ``cause``, or that it is a symlink loop
    (``exists()`` and ``is_file()`` say False for one, so "not found" would mislead)."""
    return f"{LOOP}: refused, not followed" if is_loop(path) else cause


def confined(path: Path, root: Path, display: str) -> Path:
    """``path`` resolved, refused when it leaves ``root``; ``SymlinkLoop`` when it is a symlink loop."""
    if is_loop(path):
        raise SymlinkLoop(f"{LOOP}: refused, not followed", display)
    real = real_path(path)
    real_root = real_path(root)
    if real != real_root and real_root not in real.parents:
        raise InputError(f"symlink resolves outside its root ({real_root}); refused, not followed", display)
    return real


def iter_files(root: Path, display_root: str = "", special: list[tuple[str, str]] | None = None
               ) -> Iterator[tuple[Path, str]]:
    """(path, path relative to root) of every regular file under ``root``, sorted, dot-dirs skipped.
    ``special`` collects (path relative to root, what it is) of FIFOs, sockets, devices and symlink
    loops, which are never opened (a FIFO would hang the read, a device never end, a loop names no file)."""
    prefix = f"{display_root}/" if display_root else ""
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(directory)
        rel_dir = here.relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        kept = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            full = here / name
            if full.is_symlink():
                # Checked for escape, then skipped: its real target inside the root is walked anyway.
                confined(full, root, prefix + rel_dir + name)
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name in SKIPPED_NAMES or name.endswith(SKIPPED_SUFFIXES):
                continue
            full = here / name
            if full.is_symlink():
                try:
                    confined(full, root, prefix + rel_dir + name)
                except SymlinkLoop:  # names no file: a note, as a FIFO is
                    if special is not None:
                        special.append((rel_dir + name, LOOP))
                    continue
            try:
                mode = full.stat().st_mode
            except OSError:  # a dangling link
                continue
            if not stat.S_ISREG(mode):
                if special is not None and not stat.S_ISDIR(mode):
                    special.append((rel_dir + name, special_kind(mode) or "special file"))
                continue
            yield full, rel_dir + name
