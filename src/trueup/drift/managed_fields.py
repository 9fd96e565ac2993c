"""Who wrote a live field, read from the object's own ``metadata.managedFields``.

Server-side apply records, per field manager, the set of fields it last set (``fieldsV1``) with
the operation (``Apply`` or ``Update``) and the time. trueup reads that record from an export,
as server-side apply itself would, to tell three kinds of live difference apart:

- a field only managers other than the appliers own (the HPA's ``replicas`` through the scale
  subresource, the scheduler's ``nodeName``, a controller's annotations, ``kubectl rollout
  restart``'s stamp) was not written from git and is not drift;
- a field a person last wrote with kubectl (``kubectl-edit``, ``kubectl-patch``, ...) is drift,
  a manual change, reported with its manager and time;
- anything else (the appliers' own fields, fields no entry names) is left to the tables.

The format of ``fieldsV1`` (k8s.io/apimachinery ``pkg/apis/meta/v1/types.go``, FieldsV1; and
sigs.k8s.io/structured-merge-diff ``fieldpath/serialize-pe.go``): a tree whose keys are ``f:<name>``
for a field, ``k:<json object>`` for a list item by its keys, ``v:<json value>`` for a set item,
``i:<index>`` for an atomic list's item, and ``.`` for the node itself; ``{}`` is a leaf.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

from ..pointer import array_index, split_pointer
from .compare import Difference, Ignored

# Field managers that apply git's desired state (configurable with ``drift.appliers``):
# kubectl apply (client-side: ``kubectl-client-side-apply``; server-side: ``kubectl``), Argo CD
# (``argocd-controller``; ``argocd-application-controller`` with server-side apply), Flux
# (``kustomize-controller``, ``helm-controller``), Helm (``helm``).
DEFAULT_APPLIERS = ("kubectl-client-side-apply", "kubectl", "argocd-controller", "argocd-application-controller",
                    "kustomize-controller", "helm-controller", "helm")
# Managers kubectl's imperative commands record (kubectl's ``--field-manager`` defaults:
# ``kubectl-<command>``): a person changed the object by hand. ``kubectl-rollout`` is not one:
# ``rollout restart`` stamps an annotation to restart pods, not to change the desired state.
MANUAL = frozenset({"kubectl-edit", "kubectl-patch", "kubectl-label", "kubectl-annotate", "kubectl-scale",
                    "kubectl-set", "kubectl-replace", "kubectl-create", "kubectl-taint",
                    "kubectl-expose"})


@dataclass(frozen=True)
class Writer:
    """One managedFields entry: who, how (Apply or Update), when, and the fields it owns."""

    manager: str
    operation: str
    time: str | None
    subresource: str | None
    fields: Any

    @property
    def manual(self) -> bool:
        return self.manager in MANUAL


def writers(obj: Any) -> list[Writer]:
    """The managedFields entries of a live object (none when it has no readable record)."""
    metadata = obj.get("metadata") if isinstance(obj, dict) else None
    entries = metadata.get("managedFields") if isinstance(metadata, dict) else None
    out = []
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict) or entry.get("fieldsType", "FieldsV1") != "FieldsV1":
            continue
        fields = entry.get("fieldsV1")
        if isinstance(fields, dict) and isinstance(entry.get("manager"), str):
            out.append(Writer(entry["manager"], str(entry.get("operation", "")), entry.get("time"),
                              entry.get("subresource"), fields))
    return out


def _item_matches(key: str, item: Any, index: int) -> bool:
    kind, _, payload = key.partition(":")
    if kind == "i":
        return payload == str(index)
    try:
        wanted = json.loads(payload)
    except ValueError:
        return False
    if kind == "k":
        return isinstance(item, dict) and isinstance(wanted, dict) and all(
            item.get(name) == value for name, value in wanted.items())
    return kind == "v" and item == wanted


def owns(fields: Any, live: Any, tokens: Sequence[str]) -> bool:
    """Whether a ``fieldsV1`` tree covers the live value at ``tokens`` (a JSON Pointer's tokens):
    the field itself, or a leaf above it (an atomic field owned whole)."""
    node, value = fields, live
    for token in tokens:
        if not isinstance(node, dict):
            return False
        if not node:  # a leaf: the whole value below it is this manager's
            return True
        if isinstance(value, list):
            index = array_index(token, len(value))
            if index is None:
                return False
            item = value[index]
            found = next((k for k in node if k[:2] in ("k:", "v:", "i:") and _item_matches(k, item, index)), None)
            if found is None:
                return False
            node, value = node[found], item
        elif isinstance(value, dict):
            key = "f:" + token
            if key not in node:
                return False
            node, value = node[key], value.get(token)
        else:
            return False
    return isinstance(node, dict)


@dataclass(frozen=True)
class Ownership:
    """What the record says of one live field: its managers (latest first)."""

    owners: tuple[Writer, ...]

    def not_from_git(self, appliers: Iterable[str]) -> bool:
        """Owned, and only by managers that neither apply git nor are a person (controllers)."""
        wanted = set(appliers)
        return bool(self.owners) and all(w.manager not in wanted and not w.manual for w in self.owners)

    def manual(self) -> Writer | None:
        """The latest manual writer of the field, when a person's kubectl command owns it."""
        return next((w for w in self.owners if w.manual), None)


def ownership(record: Sequence[Writer], live: Any, tokens: Sequence[str]) -> Ownership:
    owners = [w for w in record if owns(w.fields, live, tokens)]
    owners.sort(key=lambda w: w.time or "", reverse=True)
    return Ownership(tuple(owners))


@dataclass
class Manual(Difference):
    """Drift a person made by hand: the latest manual writer of the field, and when."""

    by: str = ""
    at: str | None = None


@dataclass
class Unapplied(Difference):
    """A live field git set before and no longer does: ``kubectl apply`` would remove it, because
    its last-applied-configuration annotation holds it, whoever else writes the field."""


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def last_applied(live: Any) -> Any:
    """The object ``kubectl apply`` (client-side) last applied, from the live object's annotation."""
    metadata = live.get("metadata") if isinstance(live, dict) else None
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    text = annotations.get(LAST_APPLIED) if isinstance(annotations, dict) else None
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def holds(applied: Any, live: Any, tokens: Sequence[str]) -> bool:
    """Whether the applied object has the live value at ``tokens`` (list items by name where they
    have one, else by position)."""
    node, value = applied, live
    for token in tokens:
        if isinstance(value, dict) and isinstance(node, dict):
            if token not in node:
                return False
            node, value = node[token], value.get(token)
        elif isinstance(value, list) and isinstance(node, list):
            index = array_index(token, len(value))
            if index is None:
                return False
            item = value[index]
            if isinstance(item, dict) and "name" in item:
                node = next((n for n in node if isinstance(n, dict) and n.get("name") == item["name"]), None)
                if node is None:
                    return False
            elif index < len(node):
                node = node[index]
            else:
                return False
            value = item
        else:
            return False
    return True


def by_ownership(diffs: Iterable[Difference], live: Any, appliers: Sequence[str]) -> Iterator[Difference]:
    """Differences as the live object's own records tell them: a live value only controllers
    own (managedFields) is no drift (Ignored, naming the manager); one a person's kubectl command
    owns is a manual change (Manual); a live-only value the last-applied-configuration holds is
    drift whatever the tables say (Unapplied: apply would remove it); the rest pass as they are."""
    record = writers(live)
    applied = last_applied(live)
    for diff in diffs:
        if (applied is not None and diff.kind == "extra"
                and holds(applied, live, split_pointer(diff.live_path))):
            yield Unapplied(diff.kind, diff.desired_path, diff.live_path, diff.desired, diff.live)
            continue
        if not record or isinstance(diff, Ignored) or diff.kind not in ("changed", "extra"):
            yield diff
            continue
        who = ownership(record, live, split_pointer(diff.live_path))
        fields = (diff.kind, diff.desired_path, diff.live_path, diff.desired, diff.live)
        if who.not_from_git(appliers):
            yield Ignored(*fields, reason=f"written by {who.owners[0].manager}")
        elif (person := who.manual()) is not None:
            yield Manual(*fields, by=person.manager, at=person.time)
        else:
            yield diff
