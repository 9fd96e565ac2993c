"""``trueup fix`` for what is missing live: a desired file missing from a live directory is
created there; a missing Kubernetes object is named, since no live file says where it goes.

A new file is created only inside its target's live root, through directory descriptors opened from
the root's real path down with no symlink followed (:mod:`trueup.safefs`), and only where nothing is:
it is written to a temporary file, fsynced, and linked into place, which fails rather than replace a
file (or a symlink) that appeared since trueup looked.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from .. import safefs
from ..model import Document, kubernetes_target
from ..tree import real_path
from .edits import relative_name, text_holds_secret, unified_diff
from .apply import Applied


@dataclass
class NewFile:
    """A desired file to create live: ``path`` under ``root``, with the desired text."""

    name: str
    path: Path
    root: Path
    text: str
    secret: bool

    @property
    def diff(self) -> str:
        return unified_diff("", self.text, self.name).replace(f"--- a/{self.name}", "--- /dev/null", 1)

    def shown_diff(self) -> str | None:
        """The diff as it may be printed: the file's secret values masked (None: it does not parse)."""
        if not self.secret:
            return self.diff
        from ..load import detect_format
        from ..model import Source
        from .edits import masked_diff

        source = Source(file=self.name, name=self.name, text=self.text, format=detect_format(self.name) or "yaml")
        return masked_diff(self.diff, [self.text], source)


def plan_creations(creations: Sequence[tuple[str, Document, Any]],
                   roots: Sequence[tuple[str, Path]]) -> tuple[list[NewFile], list[str]]:
    """(files to create, notes for what fix cannot create). ``roots``: (live path as the drift named
    it, that directory on disk) of each target; a missing file's place is under the longest that holds it."""
    ordered = sorted(roots, key=lambda root: -len(root[0]))
    files: list[NewFile] = []
    notes: list[str] = []
    for what, doc, where in creations:
        if what == "object":
            target = kubernetes_target(doc.data, where or "default")
            notes.append(f"{target}: missing live; apply its manifest (trueup drift --patches DIR writes it)")
        elif what == "file" and where is not None:
            for display, root in ordered:
                prefix = display.rstrip("/") + "/"
                if where.startswith(prefix):
                    real = real_path(root)  # taken once: a symlink swapped in later is refused, not followed
                    files.append(NewFile(relative_name(where), real / where[len(prefix):], real, doc.source.text,
                                         text_holds_secret(doc.source.text, doc.source)))
                    break
            else:
                notes.append(f"{relative_name(where)}: missing live, outside every live root")
    return files, notes


def create_file(new: NewFile) -> Applied:
    """Create ``new`` atomically, inside its root and only where nothing is; else refuse, touching nothing."""
    try:
        parts = safefs.below(new.root, new.path)
    except safefs.Unsafe:
        return Applied(new.name, False, f"resolves outside its live root {new.root}; refused, nothing created")
    data = new.text.encode("utf-8")
    try:
        safefs.write_atomic(new.root, parts, data, 0o600 if new.secret else 0o644, replace=False, resolve=False)
    except FileExistsError:
        return Applied(new.name, False, "appeared since trueup looked; refused, left untouched (run again)")
    except safefs.Unsafe as exc:
        return Applied(new.name, False, f"{exc.path}: {exc.reason}, and could lead outside its live root "
                                        f"{new.root}; nothing created")
    except OSError as exc:
        return Applied(new.name, False, f"could not create: {exc.strerror or exc}; nothing created")
    return Applied(new.name, True, "created", None, hashlib.sha256(data).hexdigest())
