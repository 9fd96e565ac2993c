"""Kubernetes comparison rules: what to skip, what equals absence, how lists pair, what is equal.

The facts come from the shipped tables (k8s_tables.py): server defaults are filled into the
desired object beforehand (defaults_k8s.py); here, per field shape,

- fields only the system keeps (status, uid, managedFields, ...) are skipped on both sides;
- a live-only field another component writes (k8s-written.yaml) is ignored, and named;
- a desired value the server does not keep (null, [], {}, or the zero of a non-pointer
  ``omitempty`` field) equals absence, while a pointer's zero (``replicas: 0``) does not;
- lists pair as their ``+listType`` markers say (by keys, as sets, or in order);
- quantities compare by value, resource lists after the server's rounding up to milli units.
"""
from __future__ import annotations

import json
import re
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any, Callable, Iterable

from .compare import KeyFunc, Rules, Shape, Walker
from .defaults_k8s import is_zero, materialize
from .k8s_tables import ListRule, map_fields, tables

SERVER_WRITTEN: frozenset[Shape] = frozenset(
    {("status",)}
    | {("metadata", f) for f in ("managedFields", "resourceVersion", "uid", "creationTimestamp",
                                  "generation", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds")}
)


def _by(*fields: str, defaults: dict[str, Any] | None = None) -> KeyFunc:
    """Items keyed by fields (a field an item lacks reads as its default)."""
    defaults = defaults or {}

    def key(item: Any) -> Any:
        if not isinstance(item, dict):
            return ("value", repr(item))
        return tuple(_canonical(item.get(f, defaults.get(f))) for f in fields)

    return key


def _canonical(value: Any) -> str:
    """A key part: scalars by type and value, lists regardless of order (Endpoints ports)."""
    if isinstance(value, list):
        return json.dumps(sorted(_canonical(v) for v in value))
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _set_key(item: Any) -> Any:
    return _canonical(item)


BY_NAME = _by("name")
# Lists no table entry names (custom resources embedding pod specs, say): by their last key.
FALLBACK_KEYS: dict[str, KeyFunc] = {
    "containers": BY_NAME, "initContainers": BY_NAME, "ephemeralContainers": BY_NAME,
    "env": BY_NAME, "volumes": BY_NAME, "imagePullSecrets": BY_NAME,
    "volumeMounts": _by("mountPath"), "volumeDevices": _by("devicePath"),
    "ports": _by("containerPort", "protocol", defaults={"protocol": "TCP"}),
}


def _list_key(rule: ListRule) -> KeyFunc | None:
    if rule.type == "map" and rule.keys:
        return _by(*rule.keys, defaults=rule.defaults)
    if rule.type == "set":
        return _set_key
    return None


_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")
_SUFFIX = {
    None: Decimal(1), "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"),
    "k": Decimal(10) ** 3, "M": Decimal(10) ** 6, "G": Decimal(10) ** 9, "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15, "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10, "Mi": Decimal(2) ** 20, "Gi": Decimal(2) ** 30, "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50, "Ei": Decimal(2) ** 60,
}
MILLI = Decimal("0.001")


def quantity(value: Any) -> Decimal | None:
    """A Kubernetes quantity's value: ``500m`` = 0.5, ``1Gi`` = 1024Mi, but ``1G`` != ``1Gi``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    match = _QUANTITY.match(str(value).strip())
    if not match:
        return None
    try:
        return Decimal(match.group(1)) * _SUFFIX[match.group(2)]
    except InvalidOperation:
        return None


def round_up_milli(value: Decimal) -> Decimal:
    """resource.Quantity.RoundUp(-3), which the server applies to every resource list
    (pkg/apis/core/v1/defaults.go SetDefaults_ResourceList): ``0.0001`` CPU is ``1m``;
    negative values round away from zero."""
    if not value.is_finite():
        return value
    return value.quantize(MILLI, rounding=ROUND_CEILING if value >= 0 else ROUND_FLOOR)


# Resource lists (v1.ResourceList): container and pod resources, quotas, volume capacities; and
# a LimitRange's items.
RESOURCE_LISTS = frozenset({"limits", "requests", "hard", "overhead", "capacity"})
LIMIT_RANGE_LISTS = frozenset({"max", "min", "default", "defaultRequest", "maxLimitRequestRatio"})


def _quantity_kind(shape: Shape, kind: str) -> str | None:
    """``list`` for a resource list's entry, ``value`` for another quantity, else None."""
    if len(shape) >= 2 and (shape[-2] in RESOURCE_LISTS or (kind == "LimitRange" and shape[-2] in LIMIT_RANGE_LISTS)):
        return "list"
    if shape and shape[-1] in ("sizeLimit", "divisor"):
        return "value"
    return None


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (list, dict)) and not value)


class KubernetesRules(Rules):
    """Rules for one kind. ``compare_written``: True, or names of components (``by`` in
    k8s-written.yaml), whose fields are compared after all instead of ignored."""

    def __init__(self, kind: str, api_version: str = "", compare_written: bool | Iterable[str] = False,
                 extra_skip: Callable[[Shape], bool] | None = None) -> None:
        self.kind = kind
        self.tables = tables(kind, api_version)
        self.compare_all = compare_written is True
        self.compare = frozenset() if isinstance(compare_written, bool) else frozenset(compare_written)
        self.extra_skip = extra_skip

    def skip(self, shape: Shape) -> bool:
        if shape in SERVER_WRITTEN or shape[-2:] == ("metadata", "creationTimestamp"):
            return True
        if self.kind == "Secret" and shape in (("data",), ("stringData",)):
            return True
        return self.extra_skip is not None and self.extra_skip(shape)

    def _writer(self, shape: Shape, value: Any, item: bool) -> str | None:
        if self.compare_all:
            return None
        for entry in self.tables.written(shape):
            if entry.by in self.compare:
                continue
            if not item and entry.has_value and not entry.item(value):
                continue
            if item and not entry.item(value):
                continue
            return f"written by {entry.by}"
        return None

    def written(self, shape: Shape, value: Any) -> str | None:
        return self._writer(shape, value, item=False)

    def written_item(self, shape: Shape, item: Any) -> str | None:
        return self._writer((*shape, "*"), item, item=True)

    def descend(self, shape: Shape) -> bool:
        return not self.compare_all and self.tables.below_written(shape)

    def live_default(self, shape: Shape, value: Any, live_parent: dict, desired_parent: dict) -> bool:
        if _empty(value):
            return True
        if shape == ("metadata", "namespace"):
            return True
        # A live-only mapping holding only what the system keeps (a template's
        # ``metadata: {creationTimestamp: null}``) says nothing either.
        return isinstance(value, dict) and all(
            self.skip((*shape, k)) or self.live_default((*shape, k), v, value, {}) for k, v in value.items())

    def absent_ok(self, shape: Shape, value: Any) -> bool:
        if _empty(value):
            return True
        # A Go field's zero, unless it is a pointer's; a map's entry, or a custom resource's
        # field (stored as written), is kept whatever it holds.
        return (is_zero(value) and self.tables.builtin and shape not in self.tables.meaningful_zero
                and not (len(shape) >= 2 and shape[-2] in map_fields()))

    def list_key(self, shape: Shape, items: list) -> KeyFunc | None:
        rule = self.tables.lists.get(shape)
        if rule is not None:
            return _list_key(rule)
        key = FALLBACK_KEYS.get(shape[-1] if shape else "")
        if key is not None:
            return key
        if items and all(isinstance(i, dict) and "name" in i for i in items):
            names = [i["name"] for i in items]
            if len(set(map(str, names))) == len(names):
                return BY_NAME
        return None

    def equal(self, shape: Shape, desired: Any, live: Any) -> bool | None:
        if _empty(desired) and _empty(live):
            return True  # ``rules: []`` and ``rules: null`` (a Role without rules) are one
        kind = _quantity_kind(shape, self.kind) if shape else None
        if kind is not None and not isinstance(desired, (dict, list)):
            a, b = quantity(desired), quantity(live)
            if a is not None and b is not None:
                return round_up_milli(a) == round_up_milli(b) if kind == "list" else a == b
        return None


def kubernetes_differences(desired: dict, live: Any, compare_written: bool | Iterable[str] = False) -> list:
    """The differences of a desired Kubernetes object (with the server's defaults filled in)
    and its live counterpart, as they read against the user's file; fields other components
    write come out as ``Ignored``."""
    api_version = desired.get("apiVersion") or (live.get("apiVersion") if isinstance(live, dict) else None)
    kind, api_version = str(desired.get("kind")), str(api_version or "")
    defaulted = materialize(kind, api_version, desired)
    found = Walker(KubernetesRules(kind, api_version, compare_written)).run(defaulted.data, live)
    return defaulted.settle(found, live)
