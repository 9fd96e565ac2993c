"""The Kubernetes field tables shipped beside this module, resolved per kind.

Three data files hold facts taken from Kubernetes' code, each entry citing its source:
``k8s-defaults.yaml`` (contexts, and what the API server fills in), ``k8s-written.yaml``
(fields controllers and tools write) and ``k8s-fields.yaml`` (pointer fields whose zero
the server keeps, list semantics). Entries name where they apply with ``in``: a kind, a
list of kinds, or a context (a struct's places in each kind: the pod spec of a Deployment
is at ``spec/template/spec``); this module turns that into absolute shapes for one kind.

A *shape* is a tuple of keys from the object's root with ``*`` for any list item; in a
pattern, a key holding ``*`` elsewhere is a glob over map keys.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

import yaml

Shape = tuple[str, ...]

OBJECT = "object"  # every kind, at the root


def _load(name: str) -> dict:
    text = resources.files("trueup.drift").joinpath(name).read_text("utf-8")
    data = yaml.safe_load(text)
    return data if isinstance(data, dict) else {}


@lru_cache(maxsize=1)
def _raw() -> tuple[dict, dict, dict]:
    return _load("k8s-defaults.yaml"), _load("k8s-written.yaml"), _load("k8s-fields.yaml")


def _names(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else (str(value),)


@lru_cache(maxsize=2048)
def prefixes(where: tuple[str, ...], kind: str) -> tuple[Shape, ...]:
    """Every shape at which ``where`` (kinds and contexts) sits in an object of ``kind``."""
    contexts = _raw()[0].get("contexts") or {}
    out: list[Shape] = []
    for name in where:
        if name == OBJECT or name == kind:
            out.append(())
        elif name in contexts:
            for row in contexts[name]:
                at = tuple(str(t) for t in row.get("at", ()))
                out.extend(p + at for p in prefixes(_names(row["in"]), kind))
    return tuple(dict.fromkeys(out))


def key_matches(pattern: str, key: str) -> bool:
    """``*`` alone is a list item; a key with ``*`` in it is a glob; anything else is itself."""
    if pattern == "*" or "*" not in pattern:
        return pattern == key
    return key != "*" and fnmatch.fnmatchcase(str(key), pattern)


def shape_matches(pattern: Shape, shape: Shape) -> bool:
    return len(pattern) == len(shape) and all(key_matches(p, s) for p, s in zip(pattern, shape))


@dataclass(frozen=True)
class Default:
    """One defaulting rule of k8s-defaults.yaml, placed: ``prefixes`` are where its ``in`` sits."""

    prefixes: tuple[Shape, ...]
    path: Shape
    spec: dict  # value / from / from-sibling / compute / clear / merge / when / source


@dataclass(frozen=True)
class Written:
    shape: Shape
    by: str
    value: Any = None
    has_value: bool = False
    match: dict | None = None

    def item(self, item: Any) -> bool:
        """Whether a list item (or a scalar value) is the one this entry names."""
        if self.has_value:
            return item == self.value and type(item) is type(self.value)
        if self.match is not None:
            return isinstance(item, dict) and all(
                isinstance(item.get(k), (str, int)) and fnmatch.fnmatchcase(str(item.get(k)), str(v))
                for k, v in self.match.items())
        return True


@dataclass(frozen=True)
class ListRule:
    type: str  # map | set | atomic
    keys: tuple[str, ...] = ()
    defaults: dict = field(default_factory=dict)


def builtin(api_version: str) -> bool:
    """Whether the apiVersion's group is one of Kubernetes' own (not a custom resource's)."""
    group = api_version.rpartition("/")[0] if "/" in api_version else ("" if api_version else None)
    groups = (_raw()[2].get("builtin_groups") or {}).get("groups") or ()
    return group is not None and group in groups


@lru_cache(maxsize=1)
def map_fields() -> frozenset[str]:
    return frozenset((_raw()[2].get("maps") or {}).get("fields") or ())


@dataclass
class KindTables:
    """Everything the tables say about one kind (and apiVersion), by absolute shape."""

    builtin: bool
    defaults: list[Default]
    meaningful_zero: frozenset[Shape]
    lists: dict[Shape, ListRule]
    written_exact: dict[Shape, list[Written]]
    written_globs: list[Written]
    written_parents: frozenset[Shape]

    def written(self, shape: Shape) -> list[Written]:
        found = list(self.written_exact.get(shape, ()))
        found.extend(w for w in self.written_globs if shape_matches(w.shape, shape))
        return found

    def below_written(self, shape: Shape) -> bool:
        """Whether some written field lies strictly below ``shape``."""
        return any(len(p) == len(shape) and shape_matches(p, shape) for p in self.written_parents)


def _paths(raw: Any) -> Iterable[Shape]:
    for path in raw or ():
        if isinstance(path, list):
            yield tuple(str(t) for t in path)


@lru_cache(maxsize=256)
def tables(kind: str, api_version: str = "") -> KindTables:
    """The tables for ``kind``; a custom resource (a group not Kubernetes' own) gets only the
    entries for every object (``in: object``), as its kind name may be anyone's."""
    defaults_raw, written_raw, fields_raw = _raw()
    is_builtin = builtin(api_version)
    kind = kind if is_builtin else ""
    defaults = []
    for entry in defaults_raw.get("defaults") or ():
        versions = entry.get("apiVersions")
        if versions and api_version not in versions:
            continue
        where = prefixes(_names(entry["in"]), kind)
        if where:
            defaults.append(Default(where, tuple(str(t) for t in entry["path"]), entry))
    zero = {p + path for entry in fields_raw.get("meaningful_zero") or ()
            for p in prefixes(_names(entry["in"]), kind) for path in _paths(entry.get("paths"))}
    lists: dict[Shape, ListRule] = {}
    for entry in fields_raw.get("lists") or ():
        rule = ListRule(entry["type"], tuple(entry.get("keys") or ()), dict(entry.get("defaults") or {}))
        for p in prefixes(_names(entry["in"]), kind):
            lists[p + tuple(str(t) for t in entry["path"])] = rule
    exact: dict[Shape, list[Written]] = {}
    globs: list[Written] = []
    parents: set[Shape] = set()
    for entry in written_raw.get("written") or ():
        for p in prefixes(_names(entry["in"]), kind):
            shape = p + tuple(str(t) for t in entry["path"])
            written = Written(shape, str(entry["by"]), entry.get("value"), "value" in entry, entry.get("match"))
            if any("*" in t and t != "*" for t in shape):
                globs.append(written)
            else:
                exact.setdefault(shape, []).append(written)
            parents.update(shape[:i] for i in range(1, len(shape)))
    return KindTables(is_builtin, defaults, frozenset(zero), lists, exact, globs, frozenset(parents))
