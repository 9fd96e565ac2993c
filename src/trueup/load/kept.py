"""A drift shard's reading of a file it shares with other shards: only the documents it keeps are built.

``keep`` judges a Document; for a Kubernetes object whose names the event scan read
(:mod:`.yaml_units`) it judges a stand-in holding just those names, so the objects another shard
compares are never built. Their secret values are still wanted (the shard masks them where they
turn up in its own objects, as the unsharded run does): an object whose text cannot hold one
(:func:`~trueup.mask.may_hold_secrets`) is passed over, any other is built for them alone.
Everything the scan is unsure of is built and judged as a full read would: the documents kept,
their values and lines are those of :func:`load_text`.

The file's own findings (duplicate keys) come from a full read only: a caller that reports them
asks for one (``whole``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ..mask import may_hold_secrets, secret_values
from ..model import Document, Source
from ..errors import ParseError
from . import Limits, Loaded, as_yaml11_booleans, documents_of, load_text
from .yaml_ import YAML11_BOOLS, Locator, plain_scalar, parse
from .yaml_units import Names, ScannedDocument, Span, Unit, scan

KUBERNETES = "kubernetes"


@dataclass
class Kept:
    loaded: Loaded  # the kept documents, on the whole file's Source
    total: int = 0  # documents the file holds, kept or not
    left: list[Any] = field(default_factory=list)  # secret values of the documents left out


def left_secrets(documents: Iterable[Document], kept: Iterable[Document]) -> list[Any]:
    """Secret values of the ``documents`` not ``kept`` (another shard's): a shard masks them where they
    turn up in its own, as the unsharded run does."""
    held = {id(doc) for doc in kept}
    return [v for doc in documents if id(doc) not in held for v in secret_values(doc.data, kind=doc.kind)]


def load_kept(text: str, *, file: str, name: str, fmt: str, keep: Callable[[Document], bool],
              limits: Limits = Limits(), kind: str | None = None, line_map: Any = None, whole: bool = False) -> Kept:
    """The documents of ``text`` that ``keep`` keeps; raises ParseError as :func:`load_text` does.
    ``whole``: read the file whole, for its own findings too (duplicate keys)."""
    scanned = scan(text, limits.max_depth) if fmt == "yaml" and not whole else None
    if scanned is not None:
        source = Source(file=file, name=name, text=text, format=fmt, locator_factory=Locator, line_map=line_map)
        out = Kept(Loaded(source, [], []))
        reader = _Reader(text, source, limits, kind, keep, out)
        try:
            for index, document in enumerate(scanned):
                reader.document(index, document)
            return out
        except (ParseError, ValueError, IndexError):
            pass  # a span that does not read alone as it reads in its file: read the file whole
    loaded = load_text(text, file=file, name=name, fmt=fmt, limits=limits, line_map=line_map, kind=kind)
    kept = [doc for doc in loaded.documents if keep(doc)]
    return Kept(Loaded(loaded.source, kept, loaded.findings), len(loaded.documents),
                left_secrets(loaded.documents, kept))


@dataclass
class _Reader:
    text: str
    source: Source
    limits: Limits
    kind: str | None
    keep: Callable[[Document], bool]
    out: Kept

    def document(self, index: int, scanned: ScannedDocument) -> None:
        unit = scanned.unit
        if unit.names is None:
            if unit.scalar is not None and unit.scalar[1] and plain_scalar(unit.scalar[0]) is None:
                return  # an empty document: no Document
            self.built(index, unit.span)
            return
        top = _values(unit.names.top)
        if top is None or (self.kind or _detected(top)) != KUBERNETES:
            self.built(index, unit.span)  # not a Kubernetes object, or unsure: built, as a full read does
            return
        if str(_yaml11(unit.names.top.get("kind"), top.get("kind", ""))).endswith("List") \
                and scanned.items is not None:
            for place, item in scanned.items:
                self.object(index, f"/items/{place}", item)
            return
        self.object(index, "", unit)

    def object(self, index: int, base: str, unit: Unit) -> None:
        """A Kubernetes object: judged by its names, built only when kept (or unsure)."""
        assert unit.names is not None
        stand_in = _stand_in(unit.names)
        if stand_in is None:
            self.built(index, unit.span, base)
            return
        self.out.total += 1
        if self.keep(Document(stand_in, self.source, index, base, KUBERNETES)):
            self.out.loaded.documents.append(Document(self.object_data(unit.span), self.source, index, base,
                                                      KUBERNETES, span=(unit.span, "")))
        elif may_hold_secrets(self.text[unit.span.start:unit.span.end]):
            self.out.left.extend(secret_values(self.object_data(unit.span), kind=KUBERNETES))

    def built(self, index: int, span: Span, base: str = "") -> None:
        """A document (or List item) the names cannot judge: built, and judged as a full read does."""
        if base:  # a List item: an object whatever it says
            documents = [Document(self.object_data(span), self.source, index, base, KUBERNETES)]
        else:
            documents = documents_of(self.source, index, *self.parsed(span), self.kind)
        for doc in documents:
            self.out.total += 1
            doc.span = (span, "" if base else doc.base)
            if self.keep(doc):
                self.out.loaded.documents.append(doc)
            else:
                self.out.left.extend(secret_values(doc.data, kind=doc.kind))

    def parsed(self, span: Span) -> tuple[Any, list[tuple[tuple[str, ...], bool]]]:
        """The span's value, read alone, and its go-yaml v2 boolean notes."""
        parsed = parse(span.text(self.text), self.source.file, self.limits)
        return (parsed.documents[0] if parsed.documents else None), parsed.yaml11.get(0) or []

    def object_data(self, span: Span) -> Any:
        """A Kubernetes object's value: its plain ``yes``/``off`` read as go-yaml v2 reads them."""
        data, notes = self.parsed(span)
        as_yaml11_booleans(data, notes)
        return data


def _detected(top: dict[str, Any]) -> str | None:
    """What the content says a document is, as far as its names tell: a Kubernetes object when its
    ``apiVersion`` and ``kind`` are strings (``load.kinds.detect_kind``), else unknown here."""
    return KUBERNETES if isinstance(top.get("apiVersion"), str) and isinstance(top.get("kind"), str) else None


def _value(scalar: tuple[str, bool]) -> Any:
    text, plain = scalar
    return plain_scalar(text) if plain else text


def _yaml11(scalar: tuple[str, bool] | None, value: Any) -> Any:
    """A Kubernetes object's plain ``yes``/``off``/``y`` read as the boolean go-yaml v2 makes it."""
    if scalar is not None and scalar[1] and isinstance(value, str) and value in YAML11_BOOLS:
        return YAML11_BOOLS[value]
    return value


def _values(found: dict[str, tuple[str, bool] | None]) -> dict[str, Any] | None:
    """Each named scalar's value, or None when one of them is a collection (unsure)."""
    if any(scalar is None for scalar in found.values()):
        return None
    return {key: _value(scalar) for key, scalar in found.items() if scalar is not None}


def _stand_in(names: Names) -> dict[str, Any] | None:
    """The object as its identity reads it: its names' values as the full read makes them."""
    top, meta = _values(names.top), _values(names.meta)
    if top is None or meta is None:
        return None
    out: dict[str, Any] = {key: _yaml11(names.top[key], value) for key, value in top.items()}
    out["metadata"] = {key: _yaml11(names.meta[key], value) for key, value in meta.items()}
    return out
