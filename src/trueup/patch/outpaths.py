"""Where patch files go: always under ``--patches DIR``, under names that can neither escape it nor
collide, through no symlink.

Live paths come from pull requests (``live: ../export``) and object names from live exports, so a
name is made safe part by part: ``..`` and ``.`` as parts, path separators, ``%``, NUL and other
control characters are percent-encoded; an over-long part is cut and given a digest of the whole;
object file names join kind, namespace and name with ``_`` after encoding ``_`` in each (so
``a_b/c`` and ``a/b_c`` differ) and keep every dot (``app.config`` and ``app.settings`` are two
files). Names that still meet (case-insensitive file systems included) get ``~2``, ``~3``...
Directories are made and opened one component at a time through descriptors, and the file is
opened with ``O_NOFOLLOW`` (:mod:`trueup.safefs`): a symlink planted in DIR, or swapped in while
trueup writes, is refused, never followed.
"""
from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

from .. import safefs
from ..errors import UsageError

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
        base, parts = safefs.anchor(self.out)
        try:
            return safefs.open_truncated(base, parts + path.relative_to(self.out).parts, mode)
        except safefs.Unsafe as exc:
            raise UsageError(f"cannot write a patch there: {exc.reason}", exc.path) from None
        except OSError as exc:
            raise UsageError(f"cannot write a patch there: {exc.strerror or exc}", str(path)) from None
