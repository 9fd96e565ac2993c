"""Remediation patches from drift, built from real values (masking is for display only).

For each live file whose drift is changed scalar values: a unified diff that turns
the live file into the desired state, applicable with ``git apply`` or ``patch -p1``,
changing only the drifted values (``yaml_edit``). For each drifted Kubernetes
object: an RFC 6902 JSON Patch (``kubectl patch --type json``) and the full rendered
object (``kubectl apply -f``). Files that would hold a secret value are written
owner-only (0600); patches are never printed.
"""
from __future__ import annotations

import difflib
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import TrueupError
from ..load import load_text
from ..mask import holds_secret
from ..pointer import value_at
from ..model import Document, Source, kubernetes_target
from .line_edit import replace_values
from .yaml_edit import NotSurgical, replace_scalars


@dataclass
class Change:
    """One difference with its real values: where it is live, and what desired wants there."""

    kind: str  # changed | missing | extra
    desired: Document
    live: Document
    desired_path: str
    live_path: str
    desired_value: Any
    live_value: Any
    exact: bool = True
    namespace: str = "default"


@dataclass
class Written:
    files: list[Path] = field(default_factory=list)
    not_in_file_diffs: list[str] = field(default_factory=list)


def _secret(doc: Document) -> bool:
    return holds_secret(doc.data, doc.kind)


def _text_holds_secret(text: str, source: Source) -> bool:
    """Whether any document of the text would be masked on display (unreadable text counts as yes)."""
    try:
        loaded = load_text(text, file=source.file, name=source.name, fmt=source.format)
    except TrueupError:
        return True
    return any(_secret(doc) for doc in loaded.documents)


def _write(path: Path, text: str, secret: bool) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(path, flags, 0o600 if secret else 0o644)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.chmod(path, 0o600 if secret else 0o644)
    return path


def unified_diff(old: str, new: str, name: str) -> str:
    """A git-apply-able diff; a last line without a newline gets git's marker."""
    out = []
    for line in difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                     fromfile=f"a/{name}", tofile=f"b/{name}"):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def relative_name(name: str) -> str:
    """A file name for diff headers and patch paths: relative to the working directory where it can be."""
    path = Path(name)
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.relative_to(path.anchor).as_posix()


@dataclass
class FileEdit:
    """A live file's new text, and what is needed to write it safely."""

    name: str
    source: Source
    text: str
    secret: bool

    @property
    def diff(self) -> str:
        return unified_diff(self.source.text, self.text, self.name)


def plan_file_edits(changes: list[Change], prune: bool = False) -> tuple[list[FileEdit], list[str]]:
    """New texts for live files: changed values swapped, missing YAML keys added, and with ``prune``
    live-only YAML keys removed; notes for drift that needs more."""
    by_file: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        by_file[change.live.source.file].append(change)
    edits: list[FileEdit] = []
    notes: list[str] = []
    for file, file_changes in sorted(by_file.items()):
        name = relative_name(file)
        source = file_changes[0].live.source
        by_doc: dict[int, list[tuple[str, Any]]] = defaultdict(list)
        additions: dict[int, list[tuple[str, Any]]] = defaultdict(list)
        removals: dict[int, list[str]] = defaultdict(list)
        for change in file_changes:
            where = change.live.base + change.live_path
            if source.format == "yaml" and _adds_a_key(change):
                additions[change.live.index].append((where, change.desired_value))
            elif change.kind == "extra" and not prune:
                continue
            elif source.format == "yaml" and change.kind == "extra" and change.exact and isinstance(
                value_at(change.live.data, change.live_path.rpartition("/")[0]), dict
            ):
                removals[change.live.index].append(where)
            elif change.kind != "changed" or not change.exact or isinstance(change.desired_value, (dict, list)) \
                    or isinstance(change.live_value, (dict, list)):
                notes.append(f"{name}: {change.kind} at {where}")
            else:
                by_doc[change.live.index].append((where, change.desired_value))
        if not by_doc and not additions and not removals:
            continue
        text = source.text
        try:
            for index in sorted(set(by_doc) | set(additions) | set(removals)):
                if source.format == "yaml":
                    text = replace_scalars(text, index, by_doc[index], additions[index], removals[index])
                else:
                    text = replace_values(text, source.format, by_doc[index])
        except NotSurgical as exc:
            notes.append(f"{name}: {exc}")
            continue
        if text != source.text:
            secret = _text_holds_secret(source.text, source) or _text_holds_secret(text, source)
            edits.append(FileEdit(name, source, text, secret))
    return edits, notes


def _adds_a_key(change: Change) -> bool:
    """A key missing from a mapping that exists live (not a list item): a block insertion."""
    if change.kind != "missing" or not change.exact:
        return False
    parent = change.live_path.rpartition("/")[0]
    return isinstance(value_at(change.live.data, parent), dict)


def write_creations(creations: list[tuple[str, Document, str | None]], out: Path, written: Written) -> None:
    """A missing file: a new-file diff (``git apply`` creates it). A missing object: its manifest."""
    import yaml

    for what, doc, where in creations:
        secret = _secret(doc)
        if what == "object":
            stem = out / "kubernetes" / kubernetes_target(doc.data, where or "default").replace("/", "_")
            text = yaml.safe_dump(doc.data, sort_keys=False, allow_unicode=True)
            written.files.append(_write(stem.with_suffix(".yaml"), text, secret))
        elif where is not None:
            name = relative_name(where)
            text = unified_diff("", doc.source.text, name).replace(f"--- a/{name}", "--- /dev/null", 1)
            written.files.append(_write(out / f"{name}.patch", text, secret))


def write_patches(changes: list[Change], out: Path, *, prune: bool = False,
                  creations: list[tuple[str, Document, str | None]] = ()) -> Written:
    written = Written()
    write_creations(list(creations), out, written)
    edits, written.not_in_file_diffs = plan_file_edits(changes, prune)
    for edit in edits:
        written.files.append(_write(out / f"{edit.name}.patch", edit.diff, edit.secret))
    by_object: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        if change.desired.kind == "kubernetes" and isinstance(change.desired.data, dict):
            by_object[kubernetes_target(change.desired.data, change.namespace)].append(change)
    for target, object_changes in sorted(by_object.items()):
        _kubernetes(target, object_changes, out, written, prune)
    return written


def _kubernetes(target: str, changes: list[Change], out: Path, written: Written, prune: bool) -> None:
    ops = []
    for change in changes:
        if change.kind == "changed":
            ops.append({"op": "replace", "path": change.live_path, "value": change.desired_value})
        elif change.kind == "missing":
            ops.append({"op": "add", "path": change.live_path, "value": change.desired_value})
        elif prune:
            ops.append({"op": "remove", "path": change.live_path})
    stem = out / "kubernetes" / target.replace("/", "_")
    secret = _secret(changes[0].desired) or any(_secret(c.live) for c in changes)
    if ops:
        written.files.append(_write(stem.with_suffix(".jsonpatch.json"), json.dumps(ops, indent=2) + "\n", secret))
    import yaml

    desired = yaml.safe_dump(changes[0].desired.data, sort_keys=False, allow_unicode=True)
    written.files.append(_write(stem.with_suffix(".yaml"), desired, secret))
