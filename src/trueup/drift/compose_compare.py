"""Compare two compose files in canonical form: paths relative to their project, unresolved
``${VAR}`` as patterns, environments an unreadable ``env_file`` leaves open, and the project
name compose picks by itself.

Paths. ``docker compose config`` writes every local path absolute (compose-go
``paths/resolve.go``: ``build.context``, ``additional_contexts``, bind mount sources,
``configs``/``secrets`` ``file``, a local volume's bind ``device``), resolved against the
project directory of the host it ran on; the hand-written file says ``./web``. Comparing final
path components alone would call ``.`` equal to any directory, and a live file's own directory
on the machine running trueup says nothing of where it was rendered. So each pair is compared
as a path *relative to the project*: the live project directory is recovered from the file
itself, as the directory that makes most of its absolute paths line up with the desired
relative ones (``/srv/shop/web`` for ``./web`` gives ``/srv/shop``); a path that does not
line up with it is drift. With no pair to recover it from, a relative path matches an
absolute one that ends with the same components.
"""
from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterator

from ..model import Document
from ..pointer import array_index, escape_token, join_pointer, split_pointer, value_at
from .compare import Difference, Rules, Shape, Walker
from .compose_env import project_name, project_of
from ..load.compose_syntax import is_host_path
from .normalize_compose import Canonical, canonical


@dataclass
class Noted(Difference):
    """Not drift, but worth a line with ``--verbose``: why this place was not compared."""

    reason: str = ""


_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|github\.com/|service:)", re.IGNORECASE)


def _parts(path: str) -> list[str]:
    return [p for p in posixpath.normpath(path).split("/") if p not in ("", ".")]


def _path_pairs(cd: Any, cl: Any) -> Iterator[tuple[str, str]]:
    """(desired, live) of every path-valued field both canonical forms have at one pointer."""
    for pointer in _path_pointers(cd):
        d, l = value_at(cd, pointer), value_at(cl, pointer)
        if isinstance(d, str) and isinstance(l, str):
            yield d, l


def _path_pointers(data: Any) -> Iterator[str]:
    if not isinstance(data, dict):
        return
    for name, svc in (data.get("services") or {}).items() if isinstance(data.get("services"), dict) else ():
        if not isinstance(svc, dict):
            continue
        base = f"/services/{escape_token(str(name))}"
        build = svc.get("build")
        if isinstance(build, dict):
            yield base + "/build/context"
            contexts = build.get("additional_contexts")
            for key in contexts if isinstance(contexts, dict) else ():
                yield f"{base}/build/additional_contexts/{escape_token(str(key))}"
        for target, volume in (svc.get("volumes") or {}).items() if isinstance(svc.get("volumes"), dict) else ():
            if isinstance(volume, dict) and volume.get("type") == "bind":
                yield f"{base}/volumes/{escape_token(str(target))}/source"
    for section in ("configs", "secrets"):
        for key in data.get(section) or {} if isinstance(data.get(section), dict) else ():
            yield f"/{section}/{escape_token(str(key))}/file"
    for key in data.get("volumes") or {} if isinstance(data.get("volumes"), dict) else ():
        yield f"/volumes/{escape_token(str(key))}/driver_opts/device"


def _project_dir(pairs: list[tuple[str, str]]) -> str | None:
    """The directory relative paths were resolved against: the one most (relative, absolute)
    pairs agree on (a ``.`` pair only counts when no other pair says anything)."""
    strong: Counter[str] = Counter()
    weak: Counter[str] = Counter()
    for rel, absolute in pairs:
        parts, whole = _parts(rel), _parts(absolute)
        if ".." in parts or rel.startswith("~"):
            continue
        if not parts:
            weak["/" + "/".join(whole)] += 1
        elif len(whole) > len(parts) and whole[-len(parts):] == parts:
            strong["/" + "/".join(whole[:-len(parts)])] += 1
    votes = strong or weak
    if not votes:
        return None
    best = max(votes.values())
    return min((p for p, n in votes.items() if n == best), key=len)


class Paths:
    """Equality of two local paths, each relative to its own project directory."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.live_dir = _project_dir([(d, l) for d, l in pairs if _relative(d) and l.startswith("/")])
        self.desired_dir = _project_dir([(l, d) for d, l in pairs if _relative(l) and d.startswith("/")])

    def same(self, d: str, l: str) -> bool:
        if _REMOTE.match(d) or _REMOTE.match(l) or "\\" in d + l:
            return d == l
        if d.startswith("/") == l.startswith("/") and (d.startswith("~") == l.startswith("~")):
            return posixpath.normpath(d) == posixpath.normpath(l)
        if l.startswith("/"):
            return _under(self.live_dir, d, l)
        if d.startswith("/"):
            return _under(self.desired_dir, l, d)
        return False


def _relative(path: str) -> bool:
    return not path.startswith("/") and not _REMOTE.match(path)


def _under(directory: str | None, rel: str, absolute: str) -> bool:
    """Whether ``rel`` (``~/x`` is relative to an unknown home) names ``absolute``."""
    if directory is not None and not rel.startswith("~"):
        return posixpath.normpath(posixpath.join(directory, rel)) == posixpath.normpath(absolute)
    parts = [p for p in _parts(rel.lstrip("~")) if p != ".."]
    whole = _parts(absolute)
    return not parts or whole[-len(parts):] == parts


def _is_path(shape: Shape) -> bool:
    if len(shape) == 4 and shape[0] == "services" and shape[2:] == ("build", "context"):
        return True
    if len(shape) == 5 and shape[0] == "services" and shape[2:4] == ("build", "additional_contexts"):
        return True
    if len(shape) == 5 and shape[0] == "services" and shape[2] == "volumes" and shape[4] == "source":
        return True
    if len(shape) == 3 and shape[0] in ("configs", "secrets") and shape[2] == "file":
        return True
    return len(shape) == 4 and shape[0] == "volumes" and shape[2:] == ("driver_opts", "device")


def _is_argv(shape: Shape) -> bool:
    """command, entrypoint, a health check's test (compose-go types: ShellCommand, HealthCheckTest)."""
    return len(shape) == 3 and shape[0] == "services" and shape[2] in ("command", "entrypoint") or (
        len(shape) == 4 and shape[0] == "services" and shape[2:] == ("healthcheck", "test"))


def _shape_of(data: Any, pointer: str) -> Shape:
    """The walker's shape of ``pointer``: its keys, ``*`` for list items."""
    shape, node = [], data
    for token in split_pointer(pointer):
        if isinstance(node, list):
            shape.append("*")
            index = array_index(token, len(node))
            node = node[index] if index is not None else None
        else:
            shape.append(token)
            node = node.get(token) if isinstance(node, dict) else None
    return tuple(shape)


def _unset(names: tuple[str, ...]) -> str:
    listed = ", ".join(names) or "a variable"
    return f"compared as interpolated: {listed} {'is' if len(names) < 2 else 'are'} not set in the project's .env"


def _open(side: str) -> str:
    return f"not compared: an env_file of the {side} file could not be read (missing, or outside its root)"


class ComposeRules(Rules):
    def __init__(self, cd: Canonical, cl: Canonical, notes: list[Difference]) -> None:
        self.cd, self.cl, self.notes = cd, cl, notes
        self.paths = Paths(list(_path_pairs(cd.data, cl.data)))
        # A map key holding an unresolved ${VAR} (a port or mount keyed by it) pairs with the one
        # live key it may stand for; the fields below are then compared (and noted) one by one.
        self.keys: dict[tuple[Shape, str], str] = {}
        for pointer, decoded in cd.unresolved_keys.items():
            parent = pointer.rsplit("/", 1)[0]
            desired_parent, live_parent = value_at(cd.data, parent), value_at(cl.data, parent)
            if not isinstance(live_parent, dict) or not isinstance(desired_parent, dict):
                continue
            for candidate in live_parent:
                if candidate not in desired_parent and decoded.matches(candidate) \
                        and candidate not in self.keys.values():
                    self.keys[(_shape_of(cd.data, parent), split_pointer(pointer)[-1])] = candidate
                    break

    def key_fold(self, shape: Shape, key: str, value: Any) -> str:
        return self.keys.get((shape, key), key)

    def equal(self, shape: Shape, desired: Any, live: Any) -> bool | None:
        if isinstance(desired, str) and isinstance(live, str) and _is_path(shape):
            if shape[2] == "volumes" and not (is_host_path(desired) and is_host_path(live)):
                return None  # a named volume's source is a name
            return self.paths.same(desired, live)
        if _is_argv(shape) and isinstance(desired, list) and isinstance(live, list):
            return self._argv(join_pointer(shape), desired, live)
        return None

    def _argv(self, pointer: str, desired: list, live: list) -> bool | None:
        """A word holding an unresolved ``${VAR}`` may stand for several words (compose
        interpolates before it splits): such a command matches as a whole. Others are compared
        word by word."""
        found = [self.cd.unresolved.get(f"{pointer}/{i}") for i in range(len(desired))]
        if not any(found) or not all(isinstance(w, str) for w in (*desired, *live)):
            return None
        pattern = "\x00".join(f.regex if f else re.escape(w) for f, w in zip(found, desired))
        if re.fullmatch(pattern, "\x00".join(live), re.DOTALL) is None:
            return False
        names = tuple(dict.fromkeys(n for f in found if f for n in f.names))
        self.notes.append(Noted("changed", pointer, pointer, desired, live, reason=_unset(names)))
        return True

    def live_default(self, shape: Shape, value: Any, live_parent: dict, desired_parent: dict) -> bool:
        if shape == ("name",):
            return True  # the desired file names no project: compose took the directory's name or -p
        here = join_pointer(shape)
        if here in self.cd.open_maps or here.rsplit("/", 1)[0] in self.cd.open_maps:
            self.notes.append(Noted("extra", here, here, None, value, reason=_open("desired")))
            return True
        return False

    def absent_ok(self, shape: Shape, value: Any) -> bool:
        here = join_pointer(shape)
        if here in self.cl.open_maps or here.rsplit("/", 1)[0] in self.cl.open_maps:
            self.notes.append(Noted("missing", here, here, value, None, reason=_open("live")))
            return True
        return False


class ComposeWalker(Walker):
    """The walker, where a value holding an unresolved ``${VAR}`` matches what it may stand for."""

    def __init__(self, rules: ComposeRules) -> None:
        super().__init__(rules)
        self.cd, self.cl, self.notes = rules.cd, rules.cl, rules.notes

    def _value(self, d: Any, l: Any, dp: str, lp: str, shape: Shape) -> None:
        du, lu = self.cd.unresolved.get(dp), self.cl.unresolved.get(lp)
        if du is None and lu is None:
            super()._value(d, l, dp, lp, shape)
            return
        if du is not None and lu is not None:
            if d != l:
                self.out.append(Difference("changed", dp, lp, d, l))
            return
        decoded, other = (du, l) if du is not None else (lu, d)
        assert decoded is not None
        if decoded.matches(other):
            self.notes.append(Noted("changed", dp, lp, d, l, reason=_unset(decoded.names)))
        else:
            self.out.append(Difference("changed", dp, lp, d, l))


def compose_differences(d: Document, l: Document) -> tuple[list[Difference], Canonical, Canonical]:
    """Every difference of two compose files (``Noted`` ones last) and both canonical forms."""
    pd, pl = project_of(d), project_of(l)
    pd.fallback_name = project_name(l.data, pl.env)
    pl.fallback_name = project_name(d.data, pd.env)
    cd, cl = canonical(d.data, pd), canonical(l.data, pl)
    notes: list[Difference] = []
    rules = ComposeRules(cd, cl, notes)
    found = ComposeWalker(rules).run(cd.data, cl.data)
    return [*found, *notes], cd, cl

