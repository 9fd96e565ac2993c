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
from .bestmatch import best_path
from .fastcheck import Unsupported, compile_check
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

    @property
    def forbidden(self) -> str | None:
        """The pattern of a rule that only forbids strings matching it (``not: {type: string,
        pattern: P}``): the one-walk pass tests all such patterns with one search per string."""
        schema = self.schema
        if isinstance(schema, dict) and schema.keys() == {"not"}:
            inner = schema["not"]
            if isinstance(inner, dict) and inner.keys() == {"type", "pattern"} and inner["type"] == "string":
                return str(inner["pattern"])
        return None

    @property
    def everywhere(self) -> bool:
        """Whether the rule looks at every value (``/**``) with a fast check: ``Policy`` walks
        each document once for all such rules instead of once per rule."""
        return self.selects == ("/**",) and self.fast is not None

    def check(self, doc: Document) -> Iterator[Finding]:
        kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
        fast = self.fast
        for pattern in self.selects:
            for concrete in expand(pattern, kind):
                for pointer, value in select(doc.data, concrete):
                    if fast is not None and fast(value):
                        continue
                    finding = self.explain(doc, pointer, value)
                    if finding is not None:
                        yield finding

    def explain(self, doc: Document, pointer: str, value: Any) -> Finding | None:
        """The finding for ``value`` (at ``pointer``) if it fails the rule's schema, else None."""
        try:
            path = best_path(self.schema, value)
        except Unsupported:
            error = best_match(self.validator.iter_errors(value))
            path = None if error is None else tuple(error.absolute_path)
        if path is None:
            return None
        at = pointer + join_pointer(path)
        failing = value_at(doc.data, at)
        shown = None if isinstance(failing, (dict, list)) else display_value(doc.data, at, failing, doc.kind)
        return finding_at(
            doc, at, rule=self.id, severity=self.severity, message=self.message or self.title, desired=shown,
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
