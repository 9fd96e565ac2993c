"""``--direction adopt``: patches that make git say what live says, for drift a team keeps.

The reverse of each change edits the desired file instead of the live one. That is
only sound where the desired file is the very text trueup compared (a plain file,
not a template whose output it is), so each desired file is read again and must
match its rendered text byte for byte; a template gets a note, never a guess. With
``--prune``, what only desired has is taken out of it; what only live has (a whole
object or file) is named, to be copied into git by hand.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from ..model import Document, kubernetes_target


def _plain(doc: Document, cache: dict[str, bool]) -> bool:
    file = doc.source.file
    if file not in cache:
        try:
            with open(Path(file), encoding="utf-8-sig", newline="") as handle:
                cache[file] = handle.read() == doc.source.text
        except (OSError, UnicodeDecodeError):
            cache[file] = False
    return cache[file]


def adopt(changes: Sequence[Any], creations: Sequence[tuple[str, Document, Any]]) -> tuple[list, list, list[str]]:
    """(changes to desired files, deletions from them, notes) for the reverse patches."""
    from .edits import relative_name

    cache: dict[str, bool] = {}
    notes: set[str] = set()
    reversed_changes = []
    for change in changes:
        back = change.reverse()
        if _plain(back.live, cache):
            reversed_changes.append(back)
        else:
            notes.add(f"{relative_name(back.live.source.file)}: rendered from a template; adopt edits plain files only")
    gone = []
    for what, doc, where in creations:
        if what in ("object", "file"):
            if _plain(doc, cache):
                gone.append(("delete-object" if what == "object" else "delete-file", doc, where))
            else:
                notes.add(f"{relative_name(doc.source.file)}: rendered from a template; adopt edits plain files only")
        else:
            name = kubernetes_target(doc.data, where or "default") if what == "delete-object" else relative_name(doc.source.file)
            notes.add(f"{name}: exists only live; copy it into the desired state by hand")
    return reversed_changes, gone, sorted(notes)
