"""Remediation patches from drift, built from real values (masking is for display only).

For each live file whose drift is changed scalar values: a unified diff that turns
the live file into the desired state, applicable with ``git apply`` or ``patch -p1``,
changing only the drifted values (``yaml_edit``). For each drifted Kubernetes
object: an RFC 6902 JSON Patch (``kubectl patch --type json``) and the full rendered
object (``kubectl apply -f``). Files that would hold a secret value are written
owner-only (0600); patches are never printed.
"""
from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..errors import UsageError
from ..mask import holds_secret
from ..model import Document, kubernetes_target
from .edits import Change, FileEdit, masked_diff, relative_name, text_holds_secret, unified_diff
from .ops import ordered
from .outpaths import Places, object_stem
from .plan import change_op, plan_file_edits

__all__ = ["Change", "FileEdit", "Written", "masked_diff", "plan_file_edits", "relative_name", "text_holds_secret",
           "unified_diff", "write_patches"]


@dataclass
class Written:
    files: list[Path] = field(default_factory=list)
    not_in_file_diffs: list[str] = field(default_factory=list)
    places: Places | None = None

    def write(self, relative: str, suffix: str, text: str, secret: bool) -> None:
        """Write one patch file under the patches directory (see outpaths.py), keeping its path."""
        assert self.places is not None
        path = self.places.place(relative, suffix)
        self.files.append(_write(path, text, secret, self.places))


def _write(path: Path, text: str, secret: bool, places: Places) -> Path:
    """Write a patch file, owner-only when it holds a secret; an unwritable place stops the run (exit 2)."""
    fd = places.open(path, 0o600 if secret else 0o644)
    try:
        os.fchmod(fd, 0o600 if secret else 0o644)  # before a byte is written, whatever the file was
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write a patch there: {exc.strerror or exc}", str(path)) from None
    return path


def write_creations(creations: list[tuple[str, Document, str | None]], out: Path, written: Written,
                    prune: bool = False) -> None:
    """A missing file: a new-file diff (``git apply`` creates it). A missing object: its manifest.
    With ``prune``, a live-only object: its identity, for ``kubectl delete -f``."""
    import yaml

    for what, doc, where in creations:
        secret = holds_secret(doc.data, doc.kind)
        if what == "delete-object" and prune:
            stem = "kubernetes/" + object_stem(kubernetes_target(doc.data, where or "default"))
            meta = doc.data.get("metadata") if isinstance(doc.data.get("metadata"), dict) else {}
            ident = {"apiVersion": doc.data.get("apiVersion"), "kind": doc.data.get("kind"),
                     "metadata": {k: meta[k] for k in ("name", "namespace") if k in meta}}
            written.write(stem, ".delete.yaml", yaml.safe_dump(ident, sort_keys=False), False)
        elif what == "object":
            stem = "kubernetes/" + object_stem(kubernetes_target(doc.data, where or "default"))
            text = yaml.safe_dump(doc.data, sort_keys=False, allow_unicode=True)
            written.write(stem, ".yaml", text, secret)
        elif what == "file" and where is not None:
            name = relative_name(where)
            text = unified_diff("", doc.source.text, name).replace(f"--- a/{name}", "--- /dev/null", 1)
            written.write(name, ".patch", text, secret)


def deletions(creations: Sequence[tuple[str, Document, str | None]]) -> list[Document]:
    """Live-only objects and files, for ``--prune``."""
    return [doc for what, doc, _ in creations if what in ("delete-object", "delete-file")]


def write_patches(changes: list[Change], out: Path, *, prune: bool = False,
                  creations: list[tuple[str, Document, str | None]] = (), direction: str = "remediate") -> Written:
    """The patches for the drift under ``out``: file diffs for live files (or, ``adopt``, for the
    desired files), and for remediation Kubernetes JSON Patches, manifests and deletions."""
    written = Written(places=Places(out))
    if direction == "adopt":
        from .adopt import adopt

        changes, creations, notes = adopt(changes, creations)
        edits, written.not_in_file_diffs = plan_file_edits(changes, prune, deletions(creations))
        written.not_in_file_diffs += notes
        for edit in edits:
            written.write(edit.name, ".patch", edit.diff, edit.secret)
        return written
    write_creations(list(creations), out, written, prune)
    edits, written.not_in_file_diffs = plan_file_edits(changes, prune, deletions(creations))
    for edit in edits:
        written.write(edit.name, ".patch", edit.diff, edit.secret)
    by_object: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        if change.desired.kind == "kubernetes" and isinstance(change.desired.data, dict):
            by_object[kubernetes_target(change.desired.data, change.namespace)].append(change)
    for target, object_changes in sorted(by_object.items()):
        _kubernetes(target, object_changes, out, written, prune)
    return written


# The keys that name a list item in Kubernetes objects (the +listMapKey of the API's merge lists:
# containers, env, volumes... by name; volumeMounts by mountPath; ports by containerPort).
_IDENTITY_KEYS = ("name", "mountPath", "devicePath", "containerPort", "ip", "type")


def identity_tests(live: Any, paths: list[str]) -> list[dict[str, Any]]:
    """RFC 6902 ``test`` ops that pin each list item a path goes through to the item it was when the
    patch was made (its name, mount path, port...): on an object whose list moved since, ``kubectl
    patch --type=json`` then fails instead of editing another item. They come first, on the state
    every op's index refers to (replaces and adds leave indices alone; removals go from the end)."""
    from ..pointer import array_index, escape_token, split_pointer

    tests: dict[str, Any] = {}
    for path in paths:
        node, prefix = live, ""
        for token in split_pointer(path)[:-1] if path.endswith("/-") else split_pointer(path):
            if isinstance(node, list) and (index := array_index(token, len(node))) is not None:
                item = node[index]
                prefix += f"/{token}"
                if isinstance(item, dict):
                    key = next((k for k in _IDENTITY_KEYS if isinstance(item.get(k), (str, int)) and
                                not isinstance(item.get(k), bool)), None)
                    if key is not None:
                        tests.setdefault(f"{prefix}/{escape_token(key)}", item[key])
                node = item
            elif isinstance(node, dict) and token in node:
                prefix += f"/{escape_token(token)}"
                node = node[token]
            else:
                break
    return [{"op": "test", "path": where, "value": value} for where, value in tests.items()]


def _kubernetes(target: str, changes: list[Change], out: Path, written: Written, prune: bool) -> None:
    """RFC 6902 operations in an order that keeps every index valid: replaces, adds (list items
    appended with ``-``), then removals from the highest index down."""
    edits = [op for op in (change_op(c, prune) for c in changes) if op is not None]
    names = {"set": "replace", "add": "add"}
    ops = [{"op": "remove", "path": op.pointer} if op.op == "remove" else
           {"op": names[op.op], "path": op.pointer, "value": op.value} for op in ordered(edits)]
    ops = [*identity_tests(changes[0].live.data, [op["path"] for op in ops]), *ops] if ops else ops
    stem = "kubernetes/" + object_stem(target)
    lives = {id(c.live.data): c.live for c in changes}  # one object's changes share its documents
    desired = changes[0].desired
    secret = holds_secret(desired.data, desired.kind) or any(holds_secret(live.data, live.kind) for live in lives.values())
    if ops:
        written.write(stem, ".jsonpatch.json", json.dumps(ops, indent=2) + "\n", secret)
    import yaml

    desired = yaml.safe_dump(changes[0].desired.data, sort_keys=False, allow_unicode=True)
    written.write(stem, ".yaml", desired, secret)
