"""Walk a desired, live or templates tree without ever leaving its root.

Pull requests control the desired side, so a symlink that resolves outside the
root is refused (naming it), never followed.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from .errors import InputError

SKIPPED_NAMES = frozenset({".gitkeep", ".keep", ".DS_Store"})
# What ``trueup fix --apply`` leaves beside live files: backups and (after a crash) temporary files.
# Never live state: ``.env.<time>.trueup-bak`` would otherwise read as a dotenv file.
SKIPPED_SUFFIXES = (".trueup-bak", ".trueup-tmp")


def confined(path: Path, root: Path, display: str) -> Path:
    """``path`` resolved, refused when it leaves ``root``."""
    real = path.resolve()
    real_root = root.resolve()
    if real != real_root and real_root not in real.parents:
        raise InputError(f"symlink resolves outside its root ({real_root}); refused, not followed", display)
    return real


def iter_files(root: Path, display_root: str = "") -> Iterator[tuple[Path, str]]:
    """(path, path relative to root) of every regular file under ``root``, sorted, dot-dirs skipped."""
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
                confined(full, root, prefix + rel_dir + name)
            if not full.is_file():  # only regular files (a FIFO would hang a read; a dangling link)
                continue
            yield full, rel_dir + name
