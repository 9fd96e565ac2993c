"""Where patch files go: always under ``--patches DIR``, under names that can neither escape it nor
collide, through no symlink.

Live paths come from pull requests (``live: ../export``) and object names from live exports, so a
name is made safe part by part: ``..`` and ``.`` as parts, path separators, ``%``, NUL and other
control characters are percent-encoded; an over-long part is cut and given a digest of the whole;
object file names join kind, namespace and name with ``_`` after encoding ``_`` in each (so
``a_b/c`` and ``a/b_c`` differ) and keep every dot (``app.config`` and ``app.settings`` are two
files). Names that still meet (case-insensitive file systems included) get ``~2``, ``~3``...
Directories are made one component at a time and the file is opened with ``O_NOFOLLOW``: a
symlink planted in DIR is refused, never followed.
"""
from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path, PurePosixPath

from ..errors import UsageError
from ..tree import make_dirs

_MAX_PART = 200  # bytes; most file systems allow 255


def safe_part(part: str) -> str:
    out = "".join(c if c.isprintable() and c not in "/\\%" else "".join(f"%{b:02X}" for b in c.encode(
        "utf-8", "surrogatepass")) for c in part)
    if out in ("", ".", ".."):
        out = out.replace(".", "%2E") or "%"
    if len(out.encode("utf-8", "surrogatepass")) > _MAX_PART:
        digest = hashlib.sha256(part.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        out = out[:120] + "~" + digest
    return out


def object_stem(target: str) -> str:
    """``Kind/namespace/name`` as one file name stem."""
    return "_".join(safe_part(p).replace("_", "%5F") for p in target.split("/"))


class Places:
    """The patch files of one run: each under ``out``, none twice."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.used: set[str] = set()

    def place(self, relative: str, suffix: str) -> Path:
        """``out`` / the safe form of ``relative`` + ``suffix``, unique within the run."""
        parts = [safe_part(p) for p in PurePosixPath(relative.replace("\\", "/")).parts if p != "/"] or ["%"]
        stem = "/".join(parts)
        name, n = stem + suffix, 1
        while name.casefold() in self.used:
            n += 1
            name = f"{stem}~{n}{suffix}"
        self.used.add(name.casefold())
        return self.out / name

    def open(self, path: Path, mode: int) -> int:
        """A descriptor for writing ``path`` (under ``out``), refusing a symlink at any component."""
        relative = path.relative_to(self.out)
        if self.out.exists() and not self.out.is_dir():
            raise UsageError("cannot write a patch there: Not a directory", str(path))
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            blocked = make_dirs(self.out, relative.parts[:-1])
            if blocked is not None:
                raise UsageError("not a directory, or a symlink: refused, not followed", str(blocked))
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
            return os.open(path, flags, mode)
        except UsageError:
            raise
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise UsageError("a symlink: refused, not followed", str(path)) from None
            raise UsageError(f"cannot write a patch there: {exc.strerror or exc}", str(path)) from None
