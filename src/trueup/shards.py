"""``drift --shard I/N``: one of N machines' share of a drift, by work unit.

A unit is a Kubernetes object (its identity: API group, kind, namespace, name, as drift pairs
objects) or, for every other document, the file that holds it (within its target). Each unit
belongs to exactly one shard, by a stable hash of its name, the same on every machine, so one
big target is split as evenly as many small ones. An object's file is not known before it is
read, so a shard renders and reads every file, but builds only its own objects
(:mod:`trueup.load.kept`), compares only those, and counts only the files it owns: the merged
reports of all N shards are the one unsharded run.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

from .drift.pair import Side, identity
from .model import Document, Part


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    total: int

    def owns(self, unit: str) -> bool:
        digest = hashlib.sha256(unit.encode("utf-8", "surrogatepass")).digest()
        return int.from_bytes(digest[:8], "big") % self.total == self.index - 1

    def keeps(self, doc: Document, scope: str, rel: str, namespace: str) -> bool:
        """Whether ``doc`` (of file ``rel`` in target ``scope``) is one of this shard's units."""
        if doc.kind == "kubernetes" and isinstance(doc.data, dict):
            return self.owns("object\0" + "\0".join(identity(doc.data, namespace)))
        return self.owns(f"file\0{scope}\0{rel}")

    def sides(self, sides: Sequence[Side], scope: str, namespace: str) -> list[Side]:
        """The files with only this shard's documents in them (files left empty dropped)."""
        out = []
        for side in sides:
            kept = [doc for doc in side.documents if self.keeps(doc, scope, side.rel, namespace)]
            if kept:
                out.append(Side(side.rel, kept))
        return out

    def part(self, scope: str, namespace: str, reported: str) -> Part:
        """This shard's part of a tree read for target ``scope``: its units, and the files whose own
        findings it reports (a finding of file F is reported by the shard that counts ``reported\0F``)."""
        return Part(lambda doc, rel: self.keeps(doc, scope, rel, namespace),
                    lambda file: self.counts(f"{reported}\0{file}"))

    def counts(self, name: str) -> bool:
        """Whether this shard counts the file ``name`` in its summary (one shard counts each)."""
        return self.owns(f"count\0{name}")

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"
