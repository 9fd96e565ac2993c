"""Where each document (and each ``kind: List`` item) of a YAML file is, and what names it,
without building it: how a drift shard reads the files it shares with other shards.

A shard keeps only its own objects, yet every file holds some of them. libyaml's event stream
(``CParser``: no nodes, no Python values, about a third of a full parse) gives each document's
and each List item's span in the text and the few scalars an object's identity is made of
(``apiVersion``, ``kind``, ``metadata.name``, ``namespace`` and ``generateName``). The shard then
builds only the spans it keeps, each parsed alone (:meth:`Span.text` pads it to its place, so
its values and lines are the file's).

That is exact only where a span means the same alone as in its file, and where the scan sees
every error a full parse would report; anything else returns None (read the file whole): an
anchor, alias or tag anywhere (a span may lean on another; a tag may fail to construct), a
``%YAML``/``%TAG`` directive, a merge key or a key that is a collection (the builder refuses or
merges them), nesting past the depth limit, and any syntax error (the full parse reports it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from .yaml_compose import libyaml_wanted

try:
    from yaml.cyaml import CParser as _EventParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml: read files whole
    _EventParser = None
if not libyaml_wanted():  # the slow path the tests compare with: every file read whole, as without libyaml
    _EventParser = None

# The top-level keys and metadata keys an object's identity and a document's kind are read from.
_TOP = frozenset({"apiVersion", "kind"})
_META = frozenset({"name", "namespace", "generateName"})

# A scalar as written: its text and whether it is plain (resolved by the schema) or quoted.
Scalar = tuple[str, bool]


class _Unsure(Exception):
    """The file holds something a span alone would read differently: read it whole."""


@dataclass(frozen=True)
class Span:
    start: int  # character offsets of the node in the text
    end: int
    line: int  # 0-based line and column of its start
    column: int

    def text(self, text: str) -> str:
        """The node alone, at its own line and column: parsed, it gives the file's values and lines."""
        return "\n" * self.line + " " * self.column + text[self.start:self.end]


@dataclass
class Names:
    """What a mapping says about itself: ``apiVersion`` and ``kind`` (None where the value is a
    collection), and its ``metadata`` mapping's name, namespace and generateName (empty when
    metadata is missing or not a mapping, as the identity reads it). The last of a repeated key wins."""

    top: dict[str, Scalar | None] = field(default_factory=dict)
    meta: dict[str, Scalar | None] = field(default_factory=dict)


@dataclass
class Unit:
    """A document, or an item of a document's top-level ``items`` list."""

    span: Span
    names: Names | None  # None: not a mapping
    scalar: Scalar | None = None  # a document that is one scalar


@dataclass
class ScannedDocument:
    unit: Unit
    # The last top-level ``items`` value, when it is a list: its mapping items, each with its place
    # in the list (an item that is not a mapping is no object, but still counts in the places).
    items: list[tuple[int, Unit]] | None


def scan(text: str, max_depth: int) -> list[ScannedDocument] | None:
    """Each document of ``text`` with its spans and names, or None when the file must be read whole."""
    if _EventParser is None:
        return None
    # A leading byte-order mark is no part of the YAML, and libyaml's marks do not count it (the pure
    # Python reader's do): it is left out of what is parsed and added back to every offset, so each
    # span is a slice of ``text`` as given, with or without one.
    bom = 1 if text.startswith("\ufeff") else 0
    parser = _EventParser(text[bom:] if bom else text)
    try:
        return _Scan(parser, max_depth, bom).documents()
    except (_Unsure, yaml.YAMLError, RecursionError, ValueError):
        return None
    finally:
        parser.dispose()


class _Scan:
    def __init__(self, parser: Any, max_depth: int, offset: int = 0) -> None:
        self.next = parser.get_event
        self.max_depth = max_depth
        self.offset = offset  # characters of ``text`` before what the parser reads (a byte-order mark)

    def span(self, start: Any, end: Any) -> Span:
        """From ``start``'s first character to ``end``'s last, as offsets into the whole text."""
        return Span(start.start_mark.index + self.offset, end.end_mark.index + self.offset,
                    start.start_mark.line, start.start_mark.column)

    def documents(self) -> list[ScannedDocument]:
        out = []
        event = self.next()
        if type(event) is not StreamStartEvent:
            raise _Unsure
        while True:
            event = self.next()
            if type(event) is StreamEndEvent:
                return out
            if type(event) is not DocumentStartEvent or event.version or event.tags:
                raise _Unsure
            out.append(self.document())
            if type(self.next()) is not DocumentEndEvent:
                raise _Unsure

    def document(self) -> ScannedDocument:
        event = self.next()
        kind = type(event)
        if kind is ScalarEvent:
            self.check_scalar(event, key=False)
            return ScannedDocument(Unit(self.span(event, event), None, (event.value, not event.style)), None)
        if kind is SequenceStartEvent:
            self.check_collection(event, 1)
            end = self.skip(1, False)
            return ScannedDocument(Unit(self.span(event, end), None), None)
        if kind is not MappingStartEvent:
            raise _Unsure
        return self.object(event, 1, items=True)

    def items(self, event: Any, depth: int) -> list[tuple[int, Unit]] | None:
        if type(event) is not SequenceStartEvent:
            self.any(event, depth)
            return None
        self.check_collection(event, depth)
        out = []
        place = 0
        while True:
            item = self.next()
            if type(item) is SequenceEndEvent:
                return out
            if type(item) is MappingStartEvent:
                out.append((place, self.object(item, depth + 1).unit))
            else:
                self.any(item, depth + 1)
            place += 1

    def object(self, start: Any, depth: int, items: bool = False) -> ScannedDocument:
        """A mapping at ``depth`` (a document's, or a List item's): its names and span, and (for a
        document, ``items``) the last top-level ``items`` list's objects."""
        self.check_collection(start, depth)
        names = Names()
        found: list[tuple[int, Unit]] | None = None
        while True:
            key = self.next()
            if type(key) is MappingEndEvent:
                return ScannedDocument(Unit(self.span(start, key), names), found)
            name = self.key(key)
            value = self.next()
            if name in _TOP:
                names.top[name] = self.value(value, depth + 1)
            elif name == "metadata":
                names.meta = self.metadata(value, depth + 1)
            elif name == "items" and items:
                found = self.items(value, depth + 1)
            else:
                self.any(value, depth + 1)

    def metadata(self, event: Any, depth: int) -> dict[str, Scalar | None]:
        if type(event) is not MappingStartEvent:
            self.any(event, depth)
            return {}
        self.check_collection(event, depth)
        out: dict[str, Scalar | None] = {}
        while True:
            key = self.next()
            if type(key) is MappingEndEvent:
                return out
            name = self.key(key)
            value = self.next()
            if name in _META:
                out[name] = self.value(value, depth + 1)
            else:
                self.any(value, depth + 1)

    def key(self, event: Any) -> str:
        if type(event) is not ScalarEvent:
            raise _Unsure  # a collection as a key: the builder refuses it
        self.check_scalar(event, key=True)
        return event.value

    def value(self, event: Any, depth: int) -> Scalar | None:
        if type(event) is ScalarEvent:
            self.check_scalar(event, key=False)
            return event.value, not event.style
        self.any(event, depth)
        return None

    def any(self, event: Any, depth: int) -> None:
        kind = type(event)
        if kind is ScalarEvent:
            self.check_scalar(event, key=False)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            self.check_collection(event, depth)
            self.skip(depth, kind is MappingStartEvent)
        else:
            raise _Unsure  # an alias

    def skip(self, depth: int, mapping: bool) -> Any:
        """Past the rest of a collection already opened at ``depth``; its end event. The hot loop
        of a scan: ``stack`` holds, per open collection, -1 for a sequence, and for a mapping 0 when
        a key comes next, 1 when its value does."""
        next_event = self.next
        room = self.max_depth - depth + 1  # open collections allowed, this one included
        stack = [0 if mapping else -1]
        while True:
            event = next_event()
            kind = event.__class__
            top = stack[-1]
            if kind is ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    raise _Unsure
                if top >= 0:
                    if not top and not event.style and event.value == "<<":
                        raise _Unsure  # a merge key
                    stack[-1] = 1 - top
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if not top or event.anchor is not None or event.tag is not None or len(stack) >= room:
                    raise _Unsure  # a collection as a key, a node property, nesting past the limit
                if top > 0:
                    stack[-1] = 0
                stack.append(0 if kind is MappingStartEvent else -1)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                stack.pop()
                if not stack:
                    return event
            else:
                raise _Unsure  # an alias

    def check_scalar(self, event: Any, key: bool) -> None:
        if event.anchor is not None or event.tag is not None:
            raise _Unsure
        if key and not event.style and event.value == "<<":
            raise _Unsure  # a merge key

    def check_collection(self, event: Any, depth: int) -> None:
        if event.anchor is not None or event.tag is not None or depth > self.max_depth:
            raise _Unsure

