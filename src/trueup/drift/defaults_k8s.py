"""The desired object as the API server would store it: k8s-defaults.yaml applied, field by field.

``materialize`` copies the desired object and fills in, in the table's order, each default
whose field the object leaves unset and whose condition holds; it remembers where it did.
Comparing that copy with the live object makes a default the server wrote no drift, while a
value the user set is compared as written. ``Materialized.settle`` then turns what the
comparison found at filled-in places into what it means for the user's file: a live value
that differs from a default is a live-only value (reported where the user's file stops),
and a default that live lacks is no drift (an older server, or a feature gate turned off).

Conditions and computed values are small named functions (PREDICATES, COMPUTE) so that the
table stays data; each mirrors one piece of Kubernetes' defaulting code, cited in the table.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ..pointer import join_pointer, resolves, split_pointer, steps, value_at
from .compare import Difference, Ignored
from .k8s_tables import Default, KindTables, Shape, tables

_MISSING = object()
Path = tuple[Any, ...]  # concrete: keys and list indices


def is_zero(value: Any) -> bool:
    """Go's zero value of a scalar ("" / 0 / false), which a non-pointer ``omitempty`` field drops."""
    if isinstance(value, bool):
        return value is False
    if isinstance(value, (int, float)):
        return value == 0
    return value == ""


def is_unset(value: Any, shape: Shape, zero_kept: frozenset[Shape]) -> bool:
    """Absent, null, empty, or a zero the server would not keep (the field is not a pointer)."""
    if value is _MISSING or value is None:
        return True
    if isinstance(value, (list, dict)):
        return not value
    return is_zero(value) and shape not in zero_kept


@dataclass
class Site:
    """One place a default may go: the object, where its context sits, and the field's parent."""

    root: Any  # the object as defaulted so far
    original: Any  # the object as written
    prefix: Path  # where the entry's context sits
    below: Path  # from there to the field's parent
    parent: dict
    key: str
    shape: Shape
    tables: KindTables

    def at_prefix(self, path: Any) -> Any:
        """The value at a path below the context, in the object as defaulted so far."""
        return _get(self.root, (*self.prefix, *_tokens(path)))

    def set_in_desired(self, path: Any) -> bool:
        """Whether the object as written sets the field at a path below the context."""
        tokens = _tokens(path)
        value = _get(self.original, (*self.prefix, *tokens))
        shape = tuple("*" if isinstance(t, int) else str(t) for t in (*self.prefix, *tokens))
        return not is_unset(value, shape, self.tables.meaningful_zero)


def _tokens(path: Any) -> tuple[str, ...]:
    return tuple(str(t) for t in path) if isinstance(path, list) else ()


def _get(node: Any, path: Path) -> Any:
    for token in path:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and isinstance(token, int) and 0 <= token < len(node):
            node = node[token]
        else:
            return _MISSING
    return node


def _service_type(site: Site) -> str:
    spec = site.root.get("spec") if isinstance(site.root, dict) else None
    kind = spec.get("type") if isinstance(spec, dict) else None
    return kind if isinstance(kind, str) and kind else "ClusterIP"


def _equals(arg: Any, site: Site) -> bool:
    if not isinstance(arg, dict):
        return False
    value = site.at_prefix(arg.get("path"))
    wanted = arg.get("value")
    options = wanted if isinstance(wanted, list) else [wanted]
    return any(value == o and type(value) is type(o) for o in options)


def _externally_accessible(arg: Any, site: Site) -> bool:
    kind = _service_type(site)
    ips = site.at_prefix(["spec", "externalIPs"])
    reachable = kind in ("LoadBalancer", "NodePort") or (kind == "ClusterIP" and isinstance(ips, list) and bool(ips))
    return reachable == bool(arg)


PREDICATES: dict[str, Callable[[Any, Site], bool]] = {
    "equals": _equals,
    "desired-set": lambda paths, site: all(site.set_in_desired(p) for p in paths or ()),
    "desired-unset": lambda paths, site: not any(site.set_in_desired(p) for p in paths or ()),
    "service-type": lambda types, site: _service_type(site) in (types or ()),
    "externally-accessible": _externally_accessible,
    "only-keys": lambda keys, site: set(site.parent) <= set(keys or ()),
}


def image_pull_policy(site: Site) -> Any:
    """Always for the ``latest`` tag - which an image without tag or digest has - else IfNotPresent."""
    image = site.parent.get("image", site.parent.get("reference"))
    if not isinstance(image, str) or not image:
        return None
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else ""
    if not tag and not digest:
        tag = "latest"
    return "Always" if tag == "latest" else "IfNotPresent"


def network_policy_types(site: Site) -> Any:
    egress = site.at_prefix(["spec", "egress"])
    return ["Ingress", "Egress"] if isinstance(egress, list) and egress else ["Ingress"]


COMPUTE: dict[str, Callable[[Site], Any]] = {
    "image-pull-policy": image_pull_policy,
    "network-policy-types": network_policy_types,
}


def _sites(node: Any, pattern: Shape, path: Path = ()) -> Iterator[tuple[Any, Path]]:
    """Each (node, concrete path) at which ``pattern`` resolves below ``node``."""
    if not pattern:
        yield node, path
        return
    token, rest = pattern[0], pattern[1:]
    if token == "*":
        if isinstance(node, list):
            for i, item in enumerate(node):
                yield from _sites(item, rest, (*path, i))
    elif isinstance(node, dict) and token in node:
        yield from _sites(node[token], rest, (*path, token))


@dataclass
class Materialized:
    """The defaulted copy of a desired object, and the JSON Pointers of what defaulting added."""

    data: Any
    original: Any
    defaulted: set[str] = field(default_factory=set)

    def _under_default(self, tokens: list[str]) -> bool:
        return any(join_pointer(tokens[:i]) in self.defaulted for i in range(1, len(tokens) + 1))

    def _live_has_default(self, tokens: list[str], live_path: str, live: Any) -> bool:
        """Whether live holds the defaulted field above a missing part (then it holds another value)."""
        depth = next(i for i in range(1, len(tokens) + 1) if join_pointer(tokens[:i]) in self.defaulted)
        return resolves(live, join_pointer(split_pointer(live_path)[:depth]))

    def _holds_default(self, pointer: str) -> bool:
        """Whether defaulting added something below ``pointer`` (its value is not the user's)."""
        return any(p.startswith(pointer + "/") for p in self.defaulted)

    def settle(self, diffs: list[Difference], live: Any) -> list[Difference]:
        """What each difference means for the user's file (see the module docstring)."""
        out: list[Difference] = []
        lifted: set[str] = set()
        for diff in diffs:
            tokens = split_pointer(diff.desired_path)
            if isinstance(diff, Ignored) or not self.defaulted or not self._under_default(tokens):
                if diff.kind != "extra" and self._holds_default(diff.desired_path):
                    diff.desired = value_at(self.original, diff.desired_path)  # as the user wrote it
                out.append(diff)
                continue
            if diff.kind == "missing" and not self._live_has_default(tokens, diff.live_path, live):
                continue  # a default live lacks: an older server, or a feature gate turned off
            depth = len(steps(self.original, diff.desired_path))
            if depth == len(tokens):
                out.append(diff)  # the user's file has the field (null or a zero): compare as is
                continue
            live_tokens = split_pointer(diff.live_path)[:depth + 1]
            live_path = join_pointer(live_tokens)
            if live_path in lifted:
                continue
            lifted.add(live_path)
            out.append(Difference("extra", join_pointer(tokens[:depth + 1]), live_path, None, value_at(live, live_path)))
        return out


def _value(entry: Default, site: Site) -> Any:
    spec = entry.spec
    if "value" in spec:
        return copy.deepcopy(spec["value"])
    if "from" in spec:
        found = site.at_prefix(spec["from"])
    elif "from-sibling" in spec:
        found = site.parent.get(str(spec["from-sibling"]), _MISSING)
    elif "compute" in spec and spec["compute"] in COMPUTE:
        found = COMPUTE[spec["compute"]](site)
    else:
        return None
    return None if found is _MISSING or found is None else copy.deepcopy(found)


def _holds(entry: Default, site: Site) -> bool:
    conditions = entry.spec.get("when") or {}
    return all(name in PREDICATES and PREDICATES[name](arg, site) for name, arg in conditions.items())


def _apply(entry: Default, site: Site, out: Materialized) -> None:
    current = site.parent.get(site.key, _MISSING)
    here = (*site.prefix, *site.below, site.key)
    if entry.spec.get("clear"):
        if current is not _MISSING and _holds(entry, site):
            del site.parent[site.key]
        return
    merge = bool(entry.spec.get("merge")) and isinstance(current, dict) and bool(current)
    if not merge and not is_unset(current, site.shape, site.tables.meaningful_zero):
        return
    if not _holds(entry, site):
        return
    value = _value(entry, site)
    if value is None:
        return
    if merge:
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in current:
                    current[key] = item
                    out.defaulted.add(join_pointer((*here, key)))
        return
    site.parent[site.key] = value
    out.defaulted.add(join_pointer(here))


def materialize(kind: str, api_version: str, data: Any) -> Materialized:
    """A copy of ``data`` with every applicable server default filled in."""
    out = Materialized(copy.deepcopy(data), data)
    if not isinstance(data, dict):
        return out
    kt = tables(kind, api_version)
    # Where each context (pod spec, container, probe...) sits, found once: defaults fill fields
    # inside those nodes and never make a new one.
    contexts: dict[Shape, list[tuple[Any, Path]]] = {}
    for entry in kt.defaults:
        for prefix in entry.prefixes:
            found = contexts.get(prefix)
            if found is None:
                found = contexts[prefix] = list(_sites(out.data, prefix))
            for node, concrete in found:
                for parent, below in list(_sites(node, entry.path[:-1])):
                    if not isinstance(parent, dict):
                        continue
                    shape = (*prefix, *entry.path)
                    site = Site(out.data, data, concrete, below, parent, entry.path[-1], shape, kt)
                    _apply(entry, site, out)
    return out
