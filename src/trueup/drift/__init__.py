"""Drift: pair desired with live, normalize away noise, and report only real differences.

``drift(desired, live)`` takes two trees of loaded files and yields findings:
``drift.changed`` (a field differs), ``drift.missing`` (desired only; path ``""``
for a whole object or file) and ``drift.extra`` (live only; its pointer is into the
live document). Values shown in findings are masked where secret.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional, Sequence

from ..globs import match
from ..mask import add_known_secrets, display_value, is_secret_key, is_secret_path, known_scope, mask, secret_values
from ..model import Document, Finding, Severity, kubernetes_target
from ..pointer import array_index, escape_token, split_pointer
from .compare import Difference, Ignored, Rules, Walker
from .compose_compare import Noted, compose_differences
from .compose_env import compose_inputs
from .normalize_compose import Canonical
from .normalize_config import ConfigRules
from .managed_fields import DEFAULT_APPLIERS, Manual, Unapplied, by_ownership
from .normalize_k8s import kubernetes_differences
from .pair import Side, by_index, pair

__all__ = ["Delta", "IgnoreRule", "Side", "drift"]

SEVERITY = Severity.HIGH


@dataclass(frozen=True)
class IgnoreRule:
    """Like Argo CD's ignoreDifferences: pointer globs, optionally only for some kinds or names."""

    paths: tuple[str, ...]
    reason: str
    kinds: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    def applies(self, doc: Document | None, pointer: str) -> bool:
        data = doc.data if doc is not None and isinstance(doc.data, dict) else {}
        if self.kinds and data.get("kind") not in self.kinds:
            return False
        meta = data.get("metadata")
        if self.names and (meta.get("name") if isinstance(meta, dict) else None) not in self.names:
            return False
        return any(match(p.lstrip("/"), pointer.lstrip("/")) for p in self.paths)


@dataclass
class Context:
    namespace: str = "default"
    ignore: Sequence[IgnoreRule] = ()
    environment: str | None = None
    verbose: bool = False
    ignored: list[Finding] = field(default_factory=list)
    # When a list, every (not ignored) difference is also collected here as a Delta, for patches.
    changes: list[Any] | None = None
    # Desired files and objects that are missing live, for creation patches; and where live files live.
    creations: list[Any] | None = None
    live_root: str | None = None
    # Paths (under either root) of files that could not be read: an input.parse finding already
    # says so, and what they hold is unknown, so their counterparts are not missing nor extra.
    unreadable: frozenset[str] = frozenset()
    # Fields other components write (k8s-written.yaml) are ignored; True compares them all, a
    # tuple of writers (their ``by``) compares those (a target's ``compare_written``).
    compare_written: bool | tuple[str, ...] = False
    # Field managers that apply git (``drift.appliers``): a live field only other managers own
    # (managedFields) was not written from git; one a person's kubectl command owns is manual drift.
    appliers: tuple[str, ...] = DEFAULT_APPLIERS
    # Secret values of documents a drift shard read but left to other shards: masked here as they
    # would be in the unsharded run (a Secret's value quoted by a ConfigMap of another shard).
    secrets: tuple[Any, ...] = ()


def drift(desired: list[Side], live: list[Side], context: Context | None = None) -> Iterator[Finding]:
    # A secret read on either side is masked wherever else it appears in them (a ConfigMap's URL, a
    # script), while this drift runs: each target's findings are the same whatever else a run holds.
    with known_scope():
        add_known_secrets(value for side in (*desired, *live) for doc in side.documents
                          for value in secret_values(doc.data, kind=doc.kind))
        add_known_secrets((context or Context()).secrets)
        asks: list[_Ask] = []
        found = list(_drift(desired, live, context or Context(), asks))
    _place(found, asks)
    yield from found


# A finding's line asked of a document: (finding, document, pointer, whether it is ``live_line``
# rather than ``line`` and ``column``).
_Ask = tuple[Finding, Document, str, bool]


def _place(found: list[Finding], asks: list[_Ask]) -> None:
    """Fill in the lines of the findings a drift reports, file by file, each file's positions
    dropped once its findings have theirs: one file's node positions are held at a time, not every
    file's a big drift touches (a finding that is not reported is never looked up)."""
    reported = {id(f) for f in found}
    by_file: dict[int, list[_Ask]] = {}
    for ask in asks:
        if id(ask[0]) in reported:
            by_file.setdefault(id(ask[1].source), []).append(ask)
    for file_asks in by_file.values():
        for finding, doc, pointer, live in file_asks:
            pos = doc.locate(pointer)
            if live:
                finding.live_line = pos[0] if pos else None
            else:
                finding.line, finding.column = (pos[0], pos[1]) if pos else (None, None)
        file_asks[0][1].source.forget_positions()


def _drift(desired: list[Side], live: list[Side], ctx: Context, asks: list[_Ask]) -> Iterator[Finding]:
    pairs = pair(desired, live, ctx.namespace)
    unknown = {id(doc) for side in (*desired, *live) if side.rel in ctx.unreadable for doc in side.documents}
    for d, l in pairs.objects:
        if (d is None or l is None) and id(d if l is None else l) in unknown:
            continue
        if ctx.creations is not None and (d is None) != (l is None):
            ctx.creations.append(("object", d, ctx.namespace) if l is None else ("delete-object", l, ctx.namespace))
        yield from _documents(d, l, ctx, asks)
    consumed = compose_inputs(desired)
    for d_side, l_side in pairs.files:
        if d_side is None or l_side is None:
            if (d_side or l_side).rel in ctx.unreadable:  # type: ignore[union-attr]
                continue
            if l_side is None and d_side is not None and d_side.rel in consumed:
                continue  # a compose file's .env or env_file: live holds what compose made of it
            if l_side is None and d_side is not None and ctx.creations is not None and ctx.live_root is not None:
                ctx.creations.append(("file", d_side.documents[0], f"{ctx.live_root}/{d_side.rel}"))
            if d_side is None and l_side is not None and ctx.creations is not None:
                ctx.creations.append(("delete-file", l_side.documents[0], None))
            yield _whole_file(d_side, l_side, ctx)
            continue
        for d, l in by_index(d_side, l_side):
            yield from _documents(d, l, ctx, asks)


def _target(doc: Document, ctx: Context) -> str:
    if doc.kind == "kubernetes" and isinstance(doc.data, dict):
        return kubernetes_target(doc.data, ctx.namespace)
    return doc.source.name


def _whole_file(d: Side | None, l: Side | None, ctx: Context) -> Finding:
    side = d or l
    assert side is not None
    doc = side.documents[0]
    if d is not None:
        return Finding("drift.missing", SEVERITY, "file is missing live", _target(doc, ctx), "",
                       doc.source.file, 1, 1, environment=ctx.environment)
    return Finding("drift.extra", SEVERITY, "file exists live but not in desired state", _target(doc, ctx), "",
                   doc.source.file, 1, 1, environment=ctx.environment, live_file=doc.source.file, live_line=1)


def _documents(d: Document | None, l: Document | None, ctx: Context, asks: list[_Ask]) -> Iterator[Finding]:
    if d is None and l is None:
        return
    if l is None:
        assert d is not None
        what = "object" if d.kind == "kubernetes" else "document"
        finding = Finding("drift.missing", SEVERITY, f"{what} is missing live", _target(d, ctx), "",
                          d.source.file, None, None, environment=ctx.environment)
        asks.append((finding, d, "", False))
        yield finding
        return
    if d is None:
        what = "object" if l.kind == "kubernetes" else "document"
        finding = Finding("drift.extra", SEVERITY, f"{what} exists live but not in desired state", _target(l, ctx),
                          "", l.source.file, None, None, environment=ctx.environment, live_file=l.source.file)
        asks.extend([(finding, l, "", False), (finding, l, "", True)])
        yield finding
        return
    for diff, desired_path, live_path, canon in _differences(d, l, ctx):
        finding = _finding(diff, desired_path, live_path, d, l, ctx, asks)
        if isinstance(diff, Noted):  # compose normalisation could not decide it: never drift, never patched
            if ctx.verbose:
                finding.rule, finding.severity = "drift.ignored", Severity.INFO
                finding.message = f"{_field(split_pointer(finding.path))} {diff.reason}"
                yield finding
            continue
        if isinstance(diff, Manual):
            finding.message += f" (changed by hand: {diff.by}" + (f" at {diff.at})" if diff.at else ")")
        elif isinstance(diff, Unapplied):
            finding.message += " (git set it before: kubectl apply would remove it)"
        if isinstance(diff, Ignored):  # another component writes it live: never drift, never patched
            if ctx.verbose:
                finding.rule, finding.severity = "drift.ignored", Severity.INFO
                finding.message += f" (ignored: {diff.reason})"
                yield finding
            continue
        ignored = any(rule.applies(d, finding.path) for rule in ctx.ignore)
        if ctx.changes is not None and not ignored:
            ctx.changes.append(Delta(diff, d, l, desired_path, live_path, canon, ctx.namespace))
        if ignored:
            if ctx.verbose:
                reason = next(r.reason for r in ctx.ignore if r.applies(d, finding.path))
                finding.rule, finding.severity = "drift.ignored", Severity.INFO
                finding.message += f" (ignored: {reason})"
                yield finding
            continue
        yield finding


Canon = Optional[tuple[Canonical, Canonical]]


@dataclass(frozen=True)
class Delta:
    """A difference drift reports, with what an edit needs to remove it: both documents, the
    pointers into each, compose's two canonical forms, the namespace. ``patch.changes`` turns it
    into an edit; drift knows nothing of edits."""

    difference: Difference
    desired: Document
    live: Document
    desired_path: str
    live_path: str
    canon: Canon
    namespace: str


def _differences(d: Document, l: Document, ctx: Context) -> Iterator[tuple[Difference, str, str, Canon]]:
    """Each difference with its pointers into the two files (compose: and both canonical forms)."""
    if d.kind == "kubernetes" and isinstance(d.data, dict):
        kind = str(d.data.get("kind"))
        found = kubernetes_differences(d.data, l.data, ctx.compare_written)
        for diff in by_ownership(found, l.data, ctx.appliers):
            yield diff, diff.desired_path, diff.live_path, None
        if kind == "Secret":
            for diff, dp, lp in _secret_payload(d.data, l.data):
                yield diff, dp, lp, None
        return
    if d.kind == "compose" and l.kind == "compose":
        found, cd, cl = compose_differences(d, l)
        for diff in found:
            yield diff, cd.original(diff.desired_path), cl.original(diff.live_path), (cd, cl)
        return
    rules = ConfigRules(d.source.format) if d.source.format == l.source.format else Rules()
    for diff in Walker(rules).run(d.data, l.data):
        yield diff, diff.desired_path, diff.live_path, None


def _secret_payload(d: dict, l: dict) -> Iterator[tuple[Difference, str, str]]:
    """A Secret's keys from ``data`` (base64) and ``stringData`` (plain) compared as bytes."""
    desired, live = _secret_bytes(d), _secret_bytes(l)
    for key, (value, where) in desired.items():
        if key not in live:
            yield Difference("missing", where, where, value, None), where, where
        elif live[key][0] != value:
            yield Difference("changed", where, live[key][1], value, live[key][0]), where, live[key][1]
    for key, (value, where) in live.items():
        if key not in desired:
            yield Difference("extra", where, where, None, value), where, where


def _secret_bytes(obj: dict) -> dict[Any, tuple[bytes, str]]:
    """Each key of a Secret's payload -> (its bytes, where it is written); ``stringData`` wins over
    ``data``, as the API server merges them. A ``data`` or ``stringData`` that is not a mapping (an
    invalid Secret, which the schema reports) is one value, compared whole under the key ``(field,)``."""
    out: dict[Any, tuple[bytes, str]] = {}
    for field_name in ("data", "stringData"):
        payload = obj.get(field_name)
        if payload is None:
            continue
        if not isinstance(payload, dict):
            out[(field_name,)] = (json.dumps(payload, sort_keys=True, default=str).encode(), f"/{field_name}")
            continue
        for key, value in payload.items():
            if field_name == "data":
                try:
                    decoded = base64.b64decode(str(value), validate=True)
                except (binascii.Error, ValueError):
                    decoded = str(value).encode()
            else:
                decoded = str(value).encode()
            out[str(key)] = (decoded, f"/{field_name}/{escape_token(str(key))}")
    return out


_MESSAGES = {
    "changed": "{field} differs live",
    "missing": "{field} is missing live",
    "extra": "{field} is set live but not in desired state",
}


def _finding(diff: Difference, desired_path: str, live_path: str, d: Document, l: Document, ctx: Context,
             asks: list[_Ask]) -> Finding:
    """The finding of one difference; its lines are asked (``asks``) and filled in by :func:`_place`."""
    field_name = _field(split_pointer(desired_path if diff.kind != "extra" else live_path))
    # One field, so one verdict: a value either side (or its canonical name: ``- KEY=value`` items
    # are /environment/KEY) calls secret is masked on both.
    secret = (is_secret_path(d.data, desired_path, d.kind) or is_secret_path(l.data, live_path, l.kind)
              or any(is_secret_key(token) for token in split_pointer(diff.desired_path or diff.live_path)))
    placed, path = (l, live_path) if diff.kind == "extra" else (d, desired_path)
    finding = Finding(
        rule=f"drift.{diff.kind}",
        severity=SEVERITY,
        message=_MESSAGES[diff.kind].format(field=field_name),
        target=_target(d, ctx),
        path=path,
        file=placed.source.file,
        line=None,
        column=None,
        desired=_shown(d, desired_path, diff.desired, secret),
        live=_shown(l, live_path, diff.live, secret),
        environment=ctx.environment,
        live_file=l.source.file,
    )
    asks.extend([(finding, placed, path, False), (finding, l, live_path, True)])
    return finding


def _field(tokens: list[str]) -> str:
    field_name = tokens[-1] if tokens else "document"
    if array_index(field_name) is not None and len(tokens) > 1:
        field_name = f"{tokens[-2]}[{field_name}]"
    return field_name


def _shown(doc: Document, pointer: str, value: Any, secret: bool = False) -> Any:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return mask(value, True) if secret else display_value(doc.data, pointer, value, doc.kind)
