"""A rule is data: match a document, select values by pointer glob, assert a JSON Schema on each.

The interpreter compiles each rule's schema once; ``Rule.check(doc)`` yields a
finding per selected value that fails, at the failing value's own pointer (a
``required`` failure points at the value that lacks the field).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from ..globs import match_any
from ..mask import display_value
from ..model import Document, Finding, Severity, finding_at
from ..pointer import join_pointer, value_at
from .fastcheck import compile_check
from .select import expand, select


@dataclass
class Rule:
    id: str
    title: str
    severity: Severity
    description: str
    remediation: str
    pack: str
    kinds: tuple[str, ...]
    object_kinds: tuple[str, ...]
    api_versions: tuple[str, ...]
    files: tuple[str, ...]
    selects: tuple[str, ...]
    schema: Any
    message: str | None = None
    fix: tuple[dict, ...] = ()
    source: str = ""
    _validator: Any = None
    _fast: Any = False  # False: not compiled yet; None: no fast check for this schema

    def applies(self, doc: Document) -> bool:
        if self.kinds and doc.kind not in self.kinds:
            return False
        data = doc.data if isinstance(doc.data, dict) else {}
        if self.object_kinds and data.get("kind") not in self.object_kinds:
            return False
        if self.api_versions and data.get("apiVersion") not in self.api_versions:
            return False
        return not self.files or match_any(self.files, doc.source.name)

    @property
    def validator(self) -> Any:
        if self._validator is None:
            self._validator = Draft202012Validator(self.schema)
        return self._validator

    @property
    def fast(self) -> Any:
        """A plain-Python yes for values that pass (``fastcheck``); jsonschema explains the rest."""
        if self._fast is False:
            self._fast = compile_check(self.schema)
        return self._fast

    def check(self, doc: Document) -> Iterator[Finding]:
        kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
        fast = self.fast
        for pattern in self.selects:
            for concrete in expand(pattern, kind):
                for pointer, value in select(doc.data, concrete):
                    if fast is not None and fast(value):
                        continue
                    error = best_match(self.validator.iter_errors(value))
                    if error is None:
                        continue
                    at = pointer + join_pointer(error.absolute_path)
                    shown = display_value(doc.data, at, value_at(doc.data, at), doc.kind)
                    yield finding_at(
                        doc, at, rule=self.id, severity=self.severity, message=self.message or self.title,
                        desired=None if isinstance(shown, (dict, list)) else shown,
                    )


def rule_from_data(raw: dict[str, Any], pack: str, source: str) -> Rule:
    match = raw["match"]
    kind = match["kind"]
    kinds = () if kind == "any" else (kind,) if isinstance(kind, str) else tuple(kind)
    selects = raw["select"]

    def strings(value: Any) -> tuple[str, ...]:
        return () if value is None else (value,) if isinstance(value, str) else tuple(value)

    return Rule(
        id=raw["id"], title=raw["title"], severity=Severity.parse(raw["severity"]),
        description=raw["description"].strip(), remediation=raw["remediation"].strip(), pack=pack,
        kinds=kinds, object_kinds=strings(match.get("kinds")), api_versions=strings(match.get("apiVersions")),
        files=strings(match.get("files")), selects=strings(selects), schema=raw["assert"],
        message=raw.get("message"), fix=tuple(raw.get("fix", ())), source=source,
    )
