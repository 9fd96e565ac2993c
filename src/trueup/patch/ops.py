"""Edits of one document as data, and what the document reads as once they are made.

Each format's editor turns a list of ``Op`` into text edits; ``apply_ops`` gives the
data the edited text must read back as, which is both the value an editor emits when
it has to rewrite a whole block and the check that an edit did what it meant.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..pointer import array_index, split_pointer



class NotSurgical(Exception):
    """The edit cannot be made without touching more of the file than it should."""


@dataclass(frozen=True)
class Op:
    """``set`` a value (replacing or adding), ``add`` a key or, with a pointer ending ``/-``,
    append a list item, or ``remove`` a key or list item. Pointers are into the document."""

    op: str
    pointer: str
    value: Any = None


def ordered(ops: Sequence[Op]) -> list[Op]:
    """Sets, then adds, then removals, list items from the highest index, so indices stay valid."""
    def key(op: Op) -> tuple:
        if op.op != "remove":
            return (0 if op.op == "set" else 1, 0, "")
        tokens = split_pointer(op.pointer)
        last = tokens[-1] if tokens else ""
        index = array_index(last)
        return (2, -index if index is not None else 0, op.pointer)
    return sorted(ops, key=key)


def outermost(ops: Sequence[Op]) -> list[Op]:
    """Without the ops inside a value another op sets whole (it already holds what they would do)."""
    whole = {op.pointer for op in ops if op.op == "set"}
    return [op for op in ops if not _below_any(op.pointer, whole)]


def _below_any(pointer: str, whole: set[str]) -> bool:
    """Whether a pointer strictly above ``pointer`` is in ``whole`` (one look-up per level)."""
    at = pointer.rfind("/")
    while at >= 0 and pointer:
        if pointer[:at] in whole:
            return True
        at = pointer.rfind("/", 0, at)
    return False


def _store(parent: Any, key: Any, value: Any) -> None:
    parent[key] = value


def make(root: Any, op: Op, store: Callable[[Any, Any, Any], None] = _store) -> None:
    """Make one op (not on the whole document) inside ``root``, in place. ``store(parent, key, value)``
    writes a set or added value (tomlkit's editor writes its own way); KeyError, IndexError or
    TypeError if the op does not fit."""
    tokens = split_pointer(op.pointer)
    parent = root
    for token in tokens[:-1]:
        parent = parent[int(token)] if isinstance(parent, list) else parent[token]
    last = tokens[-1]
    if not isinstance(parent, (list, dict)):
        raise TypeError(f"{op.pointer}: its parent is not a collection")
    key = int(last) if isinstance(parent, list) and last != "-" else last
    if op.op == "remove":
        del parent[key]
    elif isinstance(parent, list) and last == "-":
        parent.append(op.value)
    else:
        store(parent, key, op.value)


def unshared(value: Any) -> Any:
    """A copy in which no two places share one object. YAML aliases load as one object in several
    places, and ``deepcopy`` keeps that sharing: an op at one place would then seem to be made at
    every alias, as editing the anchored text would do, and a read-back check could not tell."""
    if isinstance(value, dict):
        return {key: unshared(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unshared(item) for item in value]
    return value


def apply_ops(data: Any, ops: Sequence[Op]) -> Any:
    """A copy of ``data`` with ``ops`` applied; KeyError/IndexError/TypeError if one does not fit."""
    result = unshared(data)
    for op in ordered(ops):
        if not op.pointer:
            if op.op == "remove":
                raise KeyError("cannot remove the whole document")
            result = copy.deepcopy(op.value)
            continue
        make(result, Op(op.op, op.pointer, copy.deepcopy(op.value)))
    return result


def same_data(a: Any, b: Any) -> bool:
    """Equal as data, a boolean never equal to a number nor an int to a float (unlike ``==``); NaN
    reads back as NaN."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_data(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return type(a) is type(b) and a == b
