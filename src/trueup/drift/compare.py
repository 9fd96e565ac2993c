"""Walk desired and live together and list their real differences.

Each side keeps its own JSON Pointer (list indices as in that document), and a
*shape path* (the keys, with ``*`` for any list item) lets per-kind rules be
looked up in O(1): which fields the server writes, which live-only values are
defaults, which lists have identity, which values are equal by meaning.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..pointer import escape_token

Shape = tuple[str, ...]
KeyFunc = Callable[[Any], Any]


@dataclass
class Difference:
    kind: str  # "changed" | "missing" (desired only) | "extra" (live only)
    desired_path: str
    live_path: str
    desired: Any = None
    live: Any = None


class Rules:
    """What a plain structural diff needs: nothing skipped, no defaults, positional lists."""

    def skip(self, shape: Shape) -> bool:
        """A field to leave out on both sides (written by the server, or ignored by config)."""
        return False

    def live_default(self, shape: Shape, value: Any, live_parent: dict, desired_parent: dict) -> bool:
        """A live-only field that is not drift (a default the server filled in)."""
        return False

    def absent_ok(self, shape: Shape, value: Any) -> bool:
        """A desired-only field that equals absence (``null``, ``[]``, ``{}`` where the API says so)."""
        return False

    def list_key(self, shape: Shape, items: list) -> KeyFunc | None:
        """How to match list items by identity; None compares by position."""
        return None

    def equal(self, shape: Shape, desired: Any, live: Any) -> bool | None:
        """Equal by meaning (quantities, say); None defers to the structural comparison."""
        return None

    def key_fold(self, shape: Shape, key: str, value: Any) -> str:
        """The form of a mapping's key under which the two sides' keys pair (an INI option's name
        in lower case); each side's own key stays in its pointer."""
        return key


def same_scalar(a: Any, b: Any) -> bool:
    """Type-aware: ``"8080"`` is not ``8080`` and ``True`` is not ``1``; ``1`` is ``1.0``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


class Walker:
    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.out: list[Difference] = []

    def run(self, desired: Any, live: Any, shape: Shape = ()) -> list[Difference]:
        self._value(desired, live, "", "", shape)
        return self.out

    def _value(self, d: Any, l: Any, dp: str, lp: str, shape: Shape) -> None:
        verdict = self.rules.equal(shape, d, l)
        if verdict is True:
            return
        if verdict is None:
            if isinstance(d, dict) and isinstance(l, dict):
                self._dict(d, l, dp, lp, shape)
                return
            if isinstance(d, list) and isinstance(l, list):
                self._list(d, l, dp, lp, shape)
                return
            if not isinstance(d, (dict, list)) and same_scalar(d, l):
                return
        self.out.append(Difference("changed", dp, lp, d, l))

    def _dict(self, d: dict, l: dict, dp: str, lp: str, shape: Shape) -> None:
        rules = self.rules
        fold = rules.key_fold
        folded = type(rules).key_fold is not Rules.key_fold
        live_keys = {fold(shape, k, v): k for k, v in l.items()} if folded else None
        paired: set = set()
        for key, dv in d.items():
            sub = (*shape, key)
            if rules.skip(sub):
                continue
            token = "/" + escape_token(key)
            live_key = key if live_keys is None else live_keys.get(fold(shape, key, dv), key)
            if live_key in l:
                paired.add(live_key)
                lv = l[live_key]
                if dv is lv:
                    continue
                self._value(dv, lv, dp + token, lp + "/" + escape_token(live_key), sub)
            elif not rules.absent_ok(sub, dv):
                self.out.append(Difference("missing", dp + token, lp + token, dv, None))
        for key, lv in l.items():
            if key in d if live_keys is None else key in paired:
                continue
            sub = (*shape, key)
            if rules.skip(sub) or rules.live_default(sub, lv, l, d):
                continue
            token = "/" + escape_token(key)
            self.out.append(Difference("extra", dp + token, lp + token, None, lv))

    def _list(self, d: list, l: list, dp: str, lp: str, shape: Shape) -> None:
        sub = (*shape, "*")
        key = self.rules.list_key(shape, d) if d else None
        if key is None:
            for i in range(max(len(d), len(l))):
                if i >= len(l):
                    self.out.append(Difference("missing", f"{dp}/{i}", f"{lp}/{i}", d[i], None))
                elif i >= len(d):
                    self.out.append(Difference("extra", f"{dp}/{i}", f"{lp}/{i}", None, l[i]))
                else:
                    self._value(d[i], l[i], f"{dp}/{i}", f"{lp}/{i}", sub)
            return
        # Items sharing a key (NetworkPolicy ports have no containerPort) pair in their order.
        live_by_key: dict[Any, list[int]] = {}
        for j, item in enumerate(l):
            live_by_key.setdefault(key(item), []).append(j)
        matched: set[int] = set()
        for i, item in enumerate(d):
            waiting = live_by_key.get(key(item))
            if not waiting:
                self.out.append(Difference("missing", f"{dp}/{i}", f"{lp}/{i}", item, None))
                continue
            j = waiting.pop(0)
            matched.add(j)
            self._value(item, l[j], f"{dp}/{i}", f"{lp}/{j}", sub)
        for j, item in enumerate(l):
            if j not in matched:
                self.out.append(Difference("extra", f"{dp}/{j}", f"{lp}/{j}", None, item))

