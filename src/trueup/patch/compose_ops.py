"""Compose drift as edits of the live file, in the live file's own syntax.

Drift compares canonical forms (short and long syntax are one thing), but a patch
edits the file as written: an environment variable written ``- LOG_LEVEL=info`` is
fixed by rewriting that item, not by setting ``/environment/LOG_LEVEL``. Each
difference becomes a change at the live file's own pointer, with the desired value
as the live file writes it: the desired element as written where the syntaxes
agree, ``KEY=value`` in a list of them, and the desired section as a whole when the
live syntax cannot say what desired says (a ``depends_on`` condition in a list).
"""
from __future__ import annotations

from typing import Any

from ..drift.compare import Difference
from ..load.compose_syntax import parse_ports, port_text
from ..drift.normalize_compose import Canonical
from ..model import Document
from ..pointer import resolves, split_pointer, value_at
from .edits import Change

LISTED = {"environment", "labels", "annotations", "extra_hosts", "sysctls"}
SECTIONS = LISTED | {"depends_on", "networks", "ports", "volumes"}
DEFAULTS = {"depends_on": {"condition": "service_started", "required": True}, "networks": {}}
_KINDS = {"set": "changed", "add": "missing", "remove": "extra"}


def _parent(pointer: str) -> str:
    return pointer.rsplit("/", 1)[0]


def _in_live_syntax(element: str, cd: Canonical, d: Document, desired_element: tuple[str, str, bool] | None) -> Any:
    """The desired element as an item of a list in the live file; None if such an item cannot say it."""
    section, key = split_pointer(element)[-2:]
    value = value_at(cd.data, element)
    if section in LISTED:
        return key if value is None else f"{key}={value}"
    if section in DEFAULTS:
        return key if value == DEFAULTS[section] else None
    if desired_element is not None:
        raw = value_at(d.data, desired_element[1])
        if section == "ports" and desired_element[2] and len(parse_ports(raw)) > 1:
            return port_text(value)  # one port of a range: the range itself would add its other ports twice
        return raw
    return None


def _change(op: str, pointer: str, value: Any, diff: Difference, d: Document, l: Document, dp: str) -> Change:
    return Change(_KINDS[op], d, l, dp, pointer, value, diff.live)


def compose_change(diff: Difference, cd: Canonical, cl: Canonical, d: Document, l: Document) -> Change:
    """The edit of the live compose file that removes ``diff`` (pointers canonical)."""
    dp, lp = cd.original(diff.desired_path), cl.original(diff.live_path)
    ed, el = cd.element(diff.desired_path), cl.element(diff.live_path)
    element = (ed or el or (_section_item(diff.desired_path),))[0]
    if element is None:
        return _outside_elements(diff, d, l, dp)
    section = _parent(element)
    if diff.desired_path == element or diff.live_path == element:
        if diff.kind == "extra":
            return _change("remove", el[1] if el else lp, None, diff, d, l, dp)
        live_section = value_at(l.data, section)
        if isinstance(live_section, dict):
            return _change("add" if diff.kind == "missing" else "set", lp, value_at(cd.data, element), diff, d, l, dp)
        item = _in_live_syntax(element, cd, d, ed)
        if item is not None and diff.kind == "missing" and isinstance(live_section, list):
            return _change("add", section + "/-", item, diff, d, l, dp)
        if item is not None and el is not None:
            return _change("set", el[1], item, diff, d, l, dp)
        return _change("set", section, value_at(d.data, section), diff, d, l, dp)
    if el is None or not el[2]:
        # Live writes the element long (a mapping): edit the field itself.
        if diff.kind == "extra":
            return _change("remove", lp, None, diff, d, l, dp)
        raw = ed is not None and not ed[2] and resolves(d.data, dp)
        return _change("set" if diff.kind == "changed" else "add", lp, value_at(d.data, dp) if raw else diff.desired,
                       diff, d, l, dp)
    item = _in_live_syntax(element, cd, d, ed)
    if item is None:
        return _change("set", section, value_at(d.data, section), diff, d, l, dp)
    return _change("set", el[1], item, diff, d, l, dp)


def _section_item(pointer: str) -> str | None:
    """``/services/api/environment/KEY`` (and below) -> that item's pointer, written as a map on both sides."""
    tokens = pointer.split("/")
    if len(tokens) >= 5 and tokens[1] == "services" and tokens[3] in SECTIONS:
        return "/".join(tokens[:5])
    return None


def _outside_elements(diff: Difference, d: Document, l: Document, dp: str) -> Change:
    """A difference where both files write the same pointers: take the desired value as written."""
    if diff.kind == "extra":
        return _change("remove", diff.live_path, None, diff, d, l, dp)
    if diff.kind == "missing" and resolves(d.data, dp) and isinstance(value_at(l.data, _parent(dp)), dict):
        # The live file may write the field with its default (``networks: {default: null}``),
        # which the canonical form leaves out: then the field is replaced, not added twice.
        return _change("set" if resolves(l.data, dp) else "add", dp, value_at(d.data, dp), diff, d, l, dp)
    pointer = dp
    while pointer and not (resolves(d.data, pointer) and resolves(l.data, pointer)):
        pointer = _parent(pointer)
    return _change("set", pointer, value_at(d.data, pointer), diff, d, l, dp)
