"""Drift's differences as edits: each ``drift.Delta`` becomes the ``Change`` that removes it from the
live file, and ``change.reverse()`` the one that makes the desired file say what live says
(``--direction adopt``). Drift only reports differences; what an edit of them is belongs here."""
from __future__ import annotations

import base64
from typing import Any, Iterable

from ..drift import Delta
from ..drift.compare import Difference
from .edits import Change

_FLIP = {"changed": "changed", "missing": "extra", "extra": "missing"}


def changes_of(deltas: Iterable[Delta]) -> list[Change]:
    return [change_of(delta) for delta in deltas]


def change_of(delta: Delta) -> Change:
    """The difference with real values, as an edit of the live file (a Secret's payload as the
    base64 its ``data`` holds; compose in the live file's own syntax)."""
    diff, d, l = delta.difference, delta.desired, delta.live
    desired_path, live_path = delta.desired_path, delta.live_path
    if delta.canon is not None:
        from .compose_ops import compose_change

        cd, cl = delta.canon
        flipped = Difference(_FLIP[diff.kind], diff.live_path, diff.desired_path, diff.live, diff.desired)
        change = compose_change(diff, cd, cl, d, l)
        change.reverse = lambda: compose_change(flipped, cl, cd, l, d)
    else:
        forward_path, forward = _payload(live_path, diff.desired)
        back_path, back = _payload(desired_path, diff.live)
        change = Change(diff.kind, d, l, desired_path, forward_path, forward, _payload(live_path, diff.live)[1])
        change.reverse = lambda: Change(_FLIP[diff.kind], l, d, live_path, back_path, back,
                                        _payload(desired_path, diff.desired)[1], namespace=delta.namespace)
    change.namespace = delta.namespace
    return change


def _payload(pointer: str, value: Any) -> tuple[str, Any]:
    """A Secret payload value as the file at ``pointer`` writes it: plain text under ``stringData``
    when it is text, else base64 under ``data``; other values as they are."""
    if not isinstance(value, bytes):
        return pointer, value
    if pointer.startswith("/stringData/"):
        try:
            return pointer, value.decode("utf-8")
        except UnicodeDecodeError:
            pointer = "/data/" + pointer[len("/stringData/"):]
    return pointer, base64.b64encode(value).decode()
