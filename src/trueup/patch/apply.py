"""Apply file edits to live files, safely, even while someone swaps symlinks in the live tree.

The file's place is found once (its real path, which must lie in its target's live root, resolved
when the tree was read); from then on everything goes through the descriptor of its directory,
opened from ``/`` down with ``O_NOFOLLOW`` at every component (:mod:`trueup.safefs`): the file is
read again and compared with what trueup read, a timestamped backup is created beside it, the new
text goes to a temporary file that is fsynced and renamed over it within that directory. A symlink
swapped in at any moment is a refusal, never a write, backup or deletion outside the root. A file
whose bytes changed since trueup read it is refused and left untouched; mode and ownership are kept,
and so is a UTF-8 byte-order mark. A file that ``--prune`` empties is removed, after the same checks
and backup. A backup never replaces anything, and tree walks skip backups
(``tree.SKIPPED_SUFFIXES``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .. import safefs
from .edits import FileEdit


@dataclass
class Applied:
    name: str
    ok: bool
    message: str
    before: str | None = None
    after: str | None = None


def place(path: Path, root: Path) -> tuple[Path, tuple[str, ...]] | None:
    """(``root``, components of ``path``'s real path below it), or None when it leaves ``root``.
    ``root`` is the real path recorded when the tree was read, not resolved again: a symlink swapped
    into it since must not move it."""
    real_root = Path(os.path.abspath(root))
    try:
        real = Path(os.path.realpath(path))
    except OSError:  # a component vanished while it was being resolved
        return None
    try:
        parts = real.relative_to(real_root).parts
    except ValueError:
        return None
    return real_root, parts


def backup(dir_fd: int, name: str, data: bytes, status: os.stat_result, stamp: str) -> str:
    """A copy of ``data`` (the bytes checked) beside ``name``, with its mode and times, under a new name."""
    for attempt in range(1000):
        suffix = f".{stamp}{f'-{attempt}' if attempt else ''}.trueup-bak"
        copy = safefs.sibling_name(name, suffix)
        try:
            safefs.create_exclusive(dir_fd, data, copy, status.st_mode & 0o7777)
        except FileExistsError:
            continue
        try:
            os.utime(copy, ns=(status.st_atime_ns, status.st_mtime_ns), dir_fd=dir_fd, follow_symlinks=False)
        except OSError:
            pass
        return copy
    raise FileExistsError("no free backup name")


def apply_edit(edit: FileEdit, now: dt.datetime | None = None) -> Applied:
    source = edit.source
    if source.path is None or source.root is None or source.digest is None:
        return Applied(edit.name, False, "not a file read from a live root; refused")
    root = Path(source.root)
    placed = place(Path(source.path), root)
    if placed is None or not placed[1]:
        return Applied(edit.name, False, f"resolves outside its live root {root}; refused, left untouched")
    real_root, parts = placed
    data = (b"\xef\xbb\xbf" if source.bom else b"") + edit.text.encode("utf-8")
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    try:
        dir_fd = safefs.open_dir(real_root, parts[:-1], resolve=False)
    except safefs.Unsafe as exc:
        return Applied(edit.name, False, f"{exc.reason} ({exc.path}); left untouched")
    except OSError as exc:
        return Applied(edit.name, False, f"cannot reach it again: {exc.strerror or exc}; left untouched")
    try:
        return _replace(edit, dir_fd, parts[-1], data, stamp)
    finally:
        os.close(dir_fd)


def _replace(edit: FileEdit, dir_fd: int, name: str, data: bytes, stamp: str) -> Applied:
    digest = edit.source.digest
    try:
        current, status = safefs.read_regular(dir_fd, name)
    except safefs.Unsafe as exc:
        return Applied(edit.name, False, f"{exc.reason}; left untouched")
    except OSError as exc:
        return Applied(edit.name, False, f"cannot read it again: {exc.strerror or exc}; left untouched")
    if hashlib.sha256(current).hexdigest() != digest:
        return Applied(edit.name, False, "changed since trueup read it; refused, left untouched (run again)")
    copy: str | None = None
    temp: str | None = None
    try:
        copy = backup(dir_fd, name, current, status, stamp)
        if not edit.deleted:
            temp = safefs.create_temp(dir_fd, data, name, status.st_mode & 0o7777)
            try:
                os.chown(temp, status.st_uid, status.st_gid, dir_fd=dir_fd, follow_symlinks=False)
            except PermissionError:
                pass
        again, _ = safefs.read_regular(dir_fd, name)
        if hashlib.sha256(again).hexdigest() != digest:
            raise _Changed
        if temp is None:
            os.unlink(name, dir_fd=dir_fd)
        else:
            os.replace(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            temp = None
        safefs.sync_dir(dir_fd)
    except (_Changed, safefs.Unsafe, OSError) as exc:
        for leftover in (temp, copy):
            if leftover is not None:
                _unlink(dir_fd, leftover)
        if isinstance(exc, _Changed):
            return Applied(edit.name, False, "changed while trueup was writing; refused, left untouched (run again)")
        if isinstance(exc, safefs.Unsafe):
            return Applied(edit.name, False, f"{exc.reason}; left untouched")
        return Applied(edit.name, False, f"could not write: {exc.strerror or exc}; left untouched")
    after = None if edit.deleted else hashlib.sha256(data).hexdigest()
    return Applied(edit.name, True, f"backup {copy}", digest, after)


def _unlink(dir_fd: int, name: str) -> None:
    try:
        os.unlink(name, dir_fd=dir_fd)
    except OSError:
        pass


class _Changed(Exception):
    pass
