"""What a rule's schema sees: values put in the form their runtime reads them in.

Kubernetes and compose read a key written with no value (``resources:``, ``limits:``) as a key not
set, but JSON Schema's ``required`` is met by it and ``type`` fails on it: every rule therefore sees
the selected value :func:`without_nulls` (mapping keys whose value is null left out). Folds (a rule's
``fold:``) turn selected values into their canonical form before the schema sees them. Findings
still point at, and show, the value as written.

- ``capabilities``: Linux capability names as the container runtimes read them, case ignored and
  the ``CAP_`` prefix optional (containerd and CRI-O upper-case the name and add ``CAP_``; Docker
  does the same for compose's ``cap_add``/``cap_drop``): ``nEt_aDmIn`` and ``CAP_NET_ADMIN`` are
  ``NET_ADMIN``, ``all`` is ``ALL``.
- ``interpolate``: compose's ``${VAR}`` references resolved from the project's ``.env``
  (``Document.variables``) and their defaults, as compose runs the file; one nothing resolves
  (a variable of the deploying host's shell) stays as written.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from ..load.compose_interpolate import resolved
from ..model import Document

def without_nulls(value: Any) -> Any:
    """``value`` with every mapping key whose value is null left out (the same object when none is)."""
    if isinstance(value, dict):
        if not any(v is None or isinstance(v, (dict, list)) for v in value.values()):
            return value
        out = {k: without_nulls(v) for k, v in value.items() if v is not None}
        return value if len(out) == len(value) and all(out[k] is value[k] for k in out) else out
    if isinstance(value, list):
        if not any(isinstance(v, (dict, list)) for v in value):
            return value
        items = [without_nulls(v) for v in value]
        return value if all(a is b for a, b in zip(items, value)) else items
    return value


class CleanedValues:
    """What one document's rules see of the values they select: :func:`without_nulls` of each, and
    each fold of it, worked out once (a dozen rules select the same container or service, and each
    would otherwise walk it again). Keyed by the value's identity, which is safe while the document
    (which holds every value) is alive and unchanged: one instance serves one document's checks."""

    def __init__(self) -> None:
        self._seen: dict[Any, tuple[Any, Any]] = {}

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, (dict, list)):
            return value
        found = self._seen.get(id(value))
        if found is None:
            found = self._seen[id(value)] = (value, without_nulls(value))  # the value kept: its id stays its own
        return found[1]

    def fold(self, name: str, value: Any, pointer: str, doc: Document) -> Any:
        """``FOLDS[name]`` of a value :meth:`__call__` gave (a fold reads the value, its place and
        the document's variables, all fixed for the document)."""
        key = (name, id(value), pointer)
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = (value, FOLDS[name](value, pointer, doc))
        return found[1]


def capability(name: str) -> str:
    upper = name.strip().upper()
    return upper[4:] if upper.startswith("CAP_") else upper


_CAPABILITY_LIST = re.compile(r"/(?:capabilities/(?:add|drop)|cap_add|cap_drop)/\d+$")
_CAPABILITY_KEYS = {"add", "drop"}


def _capabilities(value: Any, pointer: str, doc: Document | None = None) -> Any:
    if isinstance(value, str):
        return capability(value) if _CAPABILITY_LIST.search(pointer) else value
    if isinstance(value, list):
        folded = [_capabilities(v, f"{pointer}/{i}") for i, v in enumerate(value)]
        return folded if any(a is not b for a, b in zip(folded, value)) else value
    if isinstance(value, dict):
        changed = False
        out = {}
        for key, child in value.items():
            if key == "capabilities" and isinstance(child, dict):
                new = {k: [capability(c) if isinstance(c, str) else c for c in v]
                       if k in _CAPABILITY_KEYS and isinstance(v, list) else v for k, v in child.items()}
            elif key in ("cap_add", "cap_drop") and isinstance(child, list):
                new = [capability(c) if isinstance(c, str) else c for c in child]
            else:
                new = _capabilities(child, f"{pointer}/{key}")
            changed = changed or new != child
            out[key] = new
        return out if changed else value
    return value


def _interpolated(value: Any, pointer: str, doc: Document | None = None) -> Any:
    variables = (doc.variables if doc is not None else None) or {}

    def fold(item: Any) -> Any:
        if isinstance(item, str):
            return resolved(item, variables)
        if isinstance(item, dict):
            out = {k: fold(v) for k, v in item.items()}
            return item if all(out[k] is item[k] for k in out) else out
        if isinstance(item, list):
            items = [fold(v) for v in item]
            return item if all(a is b for a, b in zip(items, item)) else items
        return item

    return fold(value)


FOLDS: dict[str, Callable[[Any, str, Document], Any]] = {"capabilities": _capabilities, "interpolate": _interpolated}
