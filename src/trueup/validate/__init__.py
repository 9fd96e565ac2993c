"""Schema validation of Documents: Kubernetes and compose built in, the user's schemas by glob."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import SchemaError
from ..globs import match_any
from ..mask import display_value
from ..model import Document, Finding, Severity, finding_at
from ..pointer import value_at
from .fast import Quick
from .messages import explain, is_unknown_field

# Where a user's schema forbids additional properties, an unknown key in a config file
# is a warning of its own (the config pack's rule), not a schema error.
CONFIG_UNKNOWN_KEY = "CONFIG-UNKNOWN-KEY"


class SchemaValidator:
    """Holds every compiled schema for one run; ``check(doc)`` yields its schema findings."""

    def __init__(
        self,
        root: Path,
        mappings: Sequence[Any] = (),
        *,
        kubernetes_version: str | None = None,
        strict: bool = False,
        missing_schemas: str = "ignore",
    ) -> None:
        from .registry import LocalSchemas

        self.local = LocalSchemas(root)
        self.mappings = list(mappings)
        self.kubernetes_version = kubernetes_version
        self.strict = strict
        self.missing_schemas = missing_schemas
        self._kubernetes: Any = None
        self.policy: Any = None

    def kubernetes(self) -> Any:
        if self._kubernetes is None:
            from .kubernetes import KubernetesSchemas

            self._kubernetes = KubernetesSchemas(self.kubernetes_version, self.strict)
        return self._kubernetes

    def check(self, doc: Document) -> Iterator[Finding]:
        names = (doc.source.name, doc.source.file)
        for mapping in self.mappings:
            if any(match_any(mapping.files, n) for n in names):
                validator = self.local.validator(mapping.schema)
                yield from self._run(doc, validator, self.local.display(Path(mapping.schema)), user=True)
        if doc.kind == "kubernetes":
            yield from self._kubernetes_check(doc)
        elif doc.kind == "compose" and isinstance(doc.data, dict):
            from .compose import compose_quick, compose_validator

            yield from self._run(doc, compose_validator(), "compose-spec schema", quick=compose_quick())

    def _kubernetes_check(self, doc: Document) -> Iterator[Finding]:
        schemas = self.kubernetes()
        api_version, kind = doc.data["apiVersion"], doc.data["kind"]
        validator = schemas.validator(api_version, kind)
        if validator is not None:
            yield from self._run(doc, validator, f"{schemas.label} schema for {api_version} {kind}",
                                 quick=schemas.quick(api_version, kind))
        elif self.missing_schemas != "ignore":
            yield finding_at(
                doc,
                "",
                rule="schema.missing",
                severity=Severity.HIGH if self.missing_schemas == "error" else Severity.LOW,
                message=f"no {schemas.label} schema for {api_version} {kind}; not validated",
            )

    def _run(
        self, doc: Document, validator: Any, schema: str, user: bool = False, quick: Quick | None = None
    ) -> Iterator[Finding]:
        from referencing.exceptions import Unresolvable

        if quick is not None and quick(doc.data):
            return
        try:
            problems = explain(validator.iter_errors(doc.data))
        except Unresolvable as exc:
            ref = getattr(exc, "ref", None) or str(exc)
            raise SchemaError(
                f"cannot resolve $ref {ref!r}: nothing is downloaded at run time; "
                "keep referenced schemas in the repository and refer to them by relative path",
                schema,
            ) from None
        except RecursionError:
            yield finding_at(
                doc, "", rule="input.parse", severity=Severity.CRITICAL,
                message="nesting too deep to validate",
            )
            return
        findings = []
        for pointer, message in problems:
            value = value_at(doc.data, pointer)
            shown = display_value(doc.data, pointer, value, doc.kind)
            warning = user and doc.kind == "config" and is_unknown_field(message)
            findings.append(
                finding_at(
                    doc,
                    pointer,
                    rule=CONFIG_UNKNOWN_KEY if warning else "schema",
                    severity=Severity.MEDIUM if warning else Severity.HIGH,
                    message=message,
                    desired=shown if not isinstance(shown, (dict, list)) else None,
                )
            )
        yield from sorted(findings, key=lambda f: (f.line or 0, f.column or 0))
