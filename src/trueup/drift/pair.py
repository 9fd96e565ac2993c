"""Pair desired with live: Kubernetes objects by identity wherever they sit, other files by path."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..model import CLUSTER_SCOPED_KINDS, Document


@dataclass
class Side:
    """One file of a tree: its path for pairing (relative to the tree's root) and its documents."""

    rel: str
    documents: list[Document]


def identity(obj: dict, namespace: str) -> tuple[str, str, str, str]:
    """(API group, kind, namespace, name): ``apps/v1`` and ``apps/v1beta2`` are the same object."""
    api = str(obj.get("apiVersion", ""))
    group = api.rsplit("/", 1)[0] if "/" in api else ""
    kind = str(obj.get("kind", ""))
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    ns = "" if kind in CLUSTER_SCOPED_KINDS else str(meta.get("namespace") or namespace)
    return group, kind, ns, str(meta.get("name") or meta.get("generateName") or "")


@dataclass
class Pairs:
    objects: list[tuple[Document | None, Document | None]]
    files: list[tuple[Side | None, Side | None]]


def pair(desired: list[Side], live: list[Side], namespace: str = "default") -> Pairs:
    desired_objects, desired_files = _split(desired, namespace)
    live_objects, live_files = _split(live, namespace)
    objects = [(doc, live_objects.pop(key, None)) for key, doc in desired_objects.items()]
    objects.extend((None, doc) for doc in live_objects.values())
    files = [(side, live_files.pop(rel, None)) for rel, side in desired_files.items()]
    files.extend((None, side) for side in live_files.values())
    return Pairs(objects, files)


def _split(sides: list[Side], namespace: str) -> tuple[dict[tuple, Document], dict[str, Side]]:
    objects: dict[tuple, Document] = {}
    files: dict[str, Side] = {}
    for side in sides:
        plain = [d for d in side.documents if d.kind != "kubernetes"]
        for doc in side.documents:
            if doc.kind == "kubernetes":
                objects.setdefault(identity(doc.data, namespace), doc)
        if plain:
            files[side.rel] = Side(side.rel, plain)
    return objects, files


def by_index(desired: Side | None, live: Side | None) -> Iterator[tuple[Document | None, Document | None]]:
    """Documents of a paired file, by their place in the stream."""
    d = {doc.index: doc for doc in desired.documents} if desired else {}
    l = {doc.index: doc for doc in live.documents} if live else {}
    for index in sorted(set(d) | set(l)):
        yield d.get(index), l.get(index)
