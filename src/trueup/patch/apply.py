"""Apply file edits to live files, safely.

Each file is written atomically (a temporary file beside it, fsync, rename) after a
timestamped backup; a file whose bytes changed since trueup read it, or whose real
path leaves its target's live root (symlinks resolved), is refused and left
untouched; mode and ownership are kept, and so is a UTF-8 byte-order mark. A file
that ``--prune`` empties is removed, after the same checks and backup. A backup
never overwrites an earlier one, and tree walks skip backups (``tree.SKIPPED_SUFFIXES``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import FileEdit


@dataclass
class Applied:
    name: str
    ok: bool
    message: str
    before: str | None = None
    after: str | None = None


def _inside(path: Path, root: Path) -> bool:
    real, real_root = path.resolve(), root.resolve()
    return real == real_root or real_root in real.parents


def _backup(real: Path, data: bytes, stamp: str) -> Path:
    """A copy of ``data`` (the bytes checked) beside ``real``, with its mode and times, under a new name."""
    for attempt in range(1000):
        stem = f"{stamp}-{attempt}" if attempt else stamp
        backup = real.with_name(f"{real.name}.{stem}.trueup-bak")
        try:
            fd = os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        shutil.copystat(real, backup)
        return backup
    raise OSError("no free backup name")


def apply_edit(edit: FileEdit, now: dt.datetime | None = None) -> Applied:
    source = edit.source
    path, root = source.path, source.root
    if path is None or root is None or source.digest is None:
        return Applied(edit.name, False, "not a file read from a live root; refused")
    path, root = Path(path), Path(root)
    if not _inside(path, root):
        return Applied(edit.name, False, f"resolves outside its live root {root}; refused, left untouched")
    try:
        current = path.read_bytes()
    except OSError as exc:
        return Applied(edit.name, False, f"cannot read it again: {exc.strerror}; left untouched")
    if hashlib.sha256(current).hexdigest() != source.digest:
        return Applied(edit.name, False, "changed since trueup read it; refused, left untouched (run again)")
    data = (b"\xef\xbb\xbf" if source.bom else b"") + edit.text.encode("utf-8")
    real = path.resolve()
    stat = real.stat()
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    backup: Path | None = None
    fd, temp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".trueup-tmp", dir=real.parent)
    try:
        backup = _backup(real, current, stamp)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, stat.st_mode & 0o7777)
        try:
            os.chown(temp, stat.st_uid, stat.st_gid)
        except PermissionError:
            pass
        if hashlib.sha256(real.read_bytes()).hexdigest() != source.digest:
            raise _Changed
        if edit.deleted:
            os.unlink(temp)
            os.unlink(real)
        else:
            os.replace(temp, real)
    except _Changed:
        os.unlink(temp)
        if backup is not None:
            backup.unlink(missing_ok=True)
        return Applied(edit.name, False, "changed while trueup was writing; refused, left untouched (run again)")
    except OSError as exc:
        if os.path.exists(temp):
            os.unlink(temp)
        if backup is not None:
            backup.unlink(missing_ok=True)
        return Applied(edit.name, False, f"could not write: {exc.strerror or exc}; left untouched")
    after = None if edit.deleted else hashlib.sha256(data).hexdigest()
    assert backup is not None
    return Applied(edit.name, True, f"backup {backup.name}", source.digest, after)


class _Changed(Exception):
    pass
