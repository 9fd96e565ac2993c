"""Walk desired and live together and list their real differences.

Each side keeps its own JSON Pointer (list indices as in that document), and a
*shape path* (the keys, with ``*`` for any list item) lets per-kind rules be
looked up in O(1): which fields the server writes, which live-only values are
defaults, which lists have identity, which values are equal by meaning.

A live-only field (or list item) another component writes is not drift either, but it
is kept: it comes out as an ``Ignored`` difference naming the writer, which the caller
shows only when asked (``--verbose``).
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


@dataclass
class Ignored(Difference):
    """Not drift: a live-only field or item another component writes (``reason`` names it)."""

    reason: str = ""


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

    def written(self, shape: Shape, value: Any) -> str | None:
        """Who writes this live-only field (it is then ignored, for that reason), or None."""
        return None

    def written_item(self, shape: Shape, item: Any) -> str | None:
        """Who writes this live-only item of the list at ``shape``, or None."""
        return None

    def descend(self, shape: Shape) -> bool:
        """Whether a live-only mapping at ``shape`` is compared key by key (some keys below it
        are written by others) rather than reported whole."""
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
    """Type-aware: ``"8080"`` is not ``8080`` and ``True`` is not ``1``; ``1`` is ``1.0``. NaN is NaN:
    a file that says ``nan`` on both sides (TOML's ``nan``, YAML's ``.nan``) says the same thing,
    whatever IEEE 754 says of comparing them."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or (a != a and b != b)
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
            if rules.skip(sub):
                continue
            token = "/" + escape_token(key)
            by = rules.written(sub, lv)
            if by is not None:
                self.out.append(Ignored("extra", dp + token, lp + token, None, lv, by))
                continue
            if rules.live_default(sub, lv, l, d):
                continue
            if isinstance(lv, dict) and lv and rules.descend(sub):
                self._dict({}, lv, dp + token, lp + token, sub)
                continue
            if isinstance(lv, list) and lv and self._all_written(lv, dp + token, lp + token, sub):
                continue
            self.out.append(Difference("extra", dp + token, lp + token, None, lv))

    def _all_written(self, items: list, dp: str, lp: str, shape: Shape) -> bool:
        """A live-only list whose every item another component writes: each is ignored."""
        writers = [self.rules.written_item(shape, item) for item in items]
        if any(by is None for by in writers):
            return False
        for j, (item, by) in enumerate(zip(items, writers)):
            self.out.append(Ignored("extra", f"{dp}/{j}", f"{lp}/{j}", None, item, str(by)))
        return True

    def _list(self, d: list, l: list, dp: str, lp: str, shape: Shape) -> None:
        sub = (*shape, "*")
        live = self._not_written(d, l, dp, lp, shape)
        key = self.rules.list_key(shape, d) if d else None
        if key is None:
            for i in range(max(len(d), len(live))):
                if i >= len(live):
                    self.out.append(Difference("missing", f"{dp}/{i}", f"{lp}/{i}", d[i], None))
                elif i >= len(d):
                    j = live[i][0]
                    self.out.append(Difference("extra", f"{dp}/{j}", f"{lp}/{j}", None, live[i][1]))
                else:
                    self._value(d[i], live[i][1], f"{dp}/{i}", f"{lp}/{live[i][0]}", sub)
            return
        # Items sharing a key (NetworkPolicy ports have no containerPort) pair in their order.
        live_by_key: dict[Any, list[int]] = {}
        for j, item in live:
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
        for j, item in live:
            if j not in matched:
                self.out.append(Difference("extra", f"{dp}/{j}", f"{lp}/{j}", None, item))

    def _not_written(self, d: list, l: list, dp: str, lp: str, shape: Shape) -> list[tuple[int, Any]]:
        """The live items with their indices, less those another component wrote that desired
        does not hold (each of those is kept as ignored)."""
        kept: list[tuple[int, Any]] = []
        for j, item in enumerate(l):
            by = self.rules.written_item(shape, item)
            if by is not None and not any(_same(x, item) for x in d):
                self.out.append(Ignored("extra", f"{dp}/{j}", f"{lp}/{j}", None, item, by))
                continue
            kept.append((j, item))
        return kept


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return a == b
    return same_scalar(a, b)

