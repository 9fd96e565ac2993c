"""Schema validation of Documents: Kubernetes and compose built in, the user's schemas by glob."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path, PurePosixPath
from typing import Any, Iterator, Sequence

from ..errors import SchemaError
from ..globs import match_any
from ..mask import display_value
from ..model import Document, Finding, Severity, finding_at
from ..pointer import value_at
from .fast import Quick
from .messages import explain, is_unknown_field

def _complete_only(error: Any) -> bool:
    """An error a patch may have: a required field left out, or null (which deletes the field)."""
    return error.validator == "required" or (error.validator == "type" and error.instance is None)


def _directive(pointer: str) -> bool:
    """A strategic-merge directive key (``$patch``, ``$retainKeys``, ``$setElementOrder/...``)."""
    last = pointer.rsplit("/", 1)[-1]
    return last.startswith("$")


# Files with an ``apiVersion`` of their own that are no Kubernetes objects: Helm's chart metadata
# (helm.sh/docs/topics/charts: "The Chart.yaml file ... apiVersion: The chart API version").
_NOT_OBJECTS = frozenset({"Chart.yaml", "Chart.yml"})
_API_VERSION = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?v[0-9]+((alpha|beta)[0-9]+)?$")


def meant_as_object(data: dict, name: str = "") -> bool:
    """A mapping clearly meant as a Kubernetes object, though not a well-formed one: both keys (one
    empty or not a string), one of them beside ``metadata`` or ``spec``, an ``apiVersion`` shaped as
    Kubernetes' alone, or a bare empty ``kind``. A config file may well have a ``kind`` or an
    ``apiVersion`` key of its own (Grafana's provisioning files, Helm's Chart.yaml)."""
    has_api, has_kind = "apiVersion" in data, "kind" in data
    if PurePosixPath(name).name in _NOT_OBJECTS:
        return False
    if has_api and has_kind:
        return True
    if (has_api or has_kind) and ("metadata" in data or "spec" in data):
        return True
    if has_api:  # alone: only an apiVersion shaped as Kubernetes' (Grafana's provisioning files have ``apiVersion: 1``)
        return isinstance(data["apiVersion"], str) and _API_VERSION.match(data["apiVersion"]) is not None
    return has_kind and data["kind"] in (None, "")


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
        schema_locations: Sequence[str] = (),
    ) -> None:
        from .registry import LocalSchemas

        self.root = root
        self.local = LocalSchemas(root)
        self.mappings = list(mappings)
        self.kubernetes_version = kubernetes_version
        self.strict = strict
        self.missing_schemas = missing_schemas
        self.schema_locations = tuple(schema_locations)
        self._kubernetes: Any = None
        self._custom: Any = None
        self._catalog: Any = None
        self._crds = hashlib.sha256()

    @property
    def crd_digest(self) -> str:
        """A digest of every CRD learned so far (results of custom resources depend on them)."""
        return self._crds.hexdigest()

    def custom(self) -> Any:
        """Schemas of custom resources: the CRDs met in the run and the configured schema locations."""
        if self._custom is None:
            from .crds import CustomSchemas

            version = self.kubernetes().version
            self._custom = CustomSchemas(strict=self.strict, locations=self.schema_locations, root=self.root,
                                         kubernetes_version=f"{version[0]}.{version[1]}.0")
        return self._custom

    def add_crds(self, documents: Sequence[Document]) -> list[Finding]:
        """Learn the CustomResourceDefinitions among ``documents`` (before any custom resource is
        checked); a CRD that cannot be used is a finding at its document."""
        problems = []
        for doc in documents:
            data = doc.data
            if (doc.kind == "kubernetes" and data.get("kind") == "CustomResourceDefinition"
                    and str(data.get("apiVersion", "")).startswith("apiextensions.k8s.io/")):
                self._crds.update(json.dumps(data, sort_keys=True, default=str).encode())
                problem = self.custom().add_crd(data, doc.source.file)
                if problem is not None:
                    problems.append(finding_at(doc, "", rule="schema.crd", severity=Severity.HIGH, message=problem))
        return problems

    def _api_catalog(self) -> Any:
        if self._catalog is None:
            from .apis import Catalog

            self._catalog = Catalog.from_definitions(self.kubernetes().definitions())
        return self._catalog

    def kubernetes(self) -> Any:
        if self._kubernetes is None:
            from .kubernetes import KubernetesSchemas

            self._kubernetes = KubernetesSchemas(self.kubernetes_version, self.strict)
        return self._kubernetes

    def check(self, doc: Document, partial: bool = False) -> Iterator[Finding]:
        """Schema findings of ``doc``; ``partial``: a patch (kustomize), whose required fields may be
        left out and which may hold strategic-merge directives and nulls."""
        names = (doc.source.name, doc.source.file)
        for mapping in self.mappings:
            if any(match_any(mapping.files, n) for n in names):
                validator = self.local.validator(mapping.schema)
                yield from self._run(doc, validator, self.local.display(Path(mapping.schema)), user=True,
                                     partial=partial)
        if doc.kind == "kubernetes":
            yield from self._kubernetes_check(doc, partial)
        elif doc.kind == "compose" and isinstance(doc.data, dict):
            from .compose import compose_quick, compose_validator

            yield from self._run(doc, compose_validator(), "compose-spec schema", quick=compose_quick())
        elif isinstance(doc.data, dict) and meant_as_object(doc.data, doc.source.name):
            yield from self._api_problems(doc)

    def check_against(self, doc: Document, schema: Path) -> Iterator[Finding]:
        """``doc`` against one more schema (a Helm chart's ``values.schema.json`` for its values)."""
        validator = self.local.validator(str(schema.absolute()))
        yield from self._run(doc, validator, self.local.display(schema), user=True)

    def unvalidated(self, doc: Document) -> str | None:
        """What ``doc`` is (its kind, or ``config``) when no schema validates it, else None."""
        if doc.kind == "compose":
            return None
        names = (doc.source.name, doc.source.file)
        if any(match_any(m.files, n) for m in self.mappings for n in names):
            return None
        if doc.kind != "kubernetes":
            return "config file"
        api_version, kind = doc.data["apiVersion"], doc.data["kind"]
        if self.kubernetes().validator(api_version, kind) is not None or self.custom().known(api_version, kind):
            return None
        if self._api_problems_for(doc.data):
            return None  # judged: a removed API, an unknown kind or version is a finding of its own
        return kind

    def _api_problems_for(self, data: dict) -> list[Any]:
        from .apis import check_object

        return check_object(data, self.kubernetes().version, self._api_catalog())

    def _api_problems(self, doc: Document) -> Iterator[Finding]:
        for problem in self._api_problems_for(doc.data):
            yield finding_at(doc, problem.pointer, rule=problem.rule, severity=Severity.parse(problem.severity),
                             message=problem.message)

    def _kubernetes_check(self, doc: Document, partial: bool = False) -> Iterator[Finding]:
        schemas = self.kubernetes()
        api_version, kind = doc.data["apiVersion"], doc.data["kind"]
        problems = list(self._api_problems(doc))
        yield from problems
        validator = schemas.validator(api_version, kind)
        if validator is not None:
            yield from self._run(doc, validator, f"{schemas.label} schema for {api_version} {kind}",
                                 quick=schemas.quick(api_version, kind), partial=partial)
            return
        custom = self.custom()
        try:
            validator = custom.validator(api_version, kind)
        except SchemaError as exc:  # a CRD in the tree whose schema cannot compile: a finding, not the run's end
            yield finding_at(doc, "", rule="schema.crd", severity=Severity.HIGH, message=f"{exc}; not validated")
            return
        if validator is not None:
            yield from self._run(doc, validator, custom.label(api_version, kind), partial=partial)
        elif self.missing_schemas != "ignore" and not problems:
            yield finding_at(
                doc,
                "",
                rule="schema.missing",
                severity=Severity.HIGH if self.missing_schemas == "error" else Severity.LOW,
                message=f"no {schemas.label} schema or CRD for {api_version} {kind}; not validated",
            )

    def _run(
        self, doc: Document, validator: Any, schema: str, user: bool = False, quick: Quick | None = None,
        partial: bool = False,
    ) -> Iterator[Finding]:
        if quick is not None and quick(doc.data):
            return
        from referencing.exceptions import Unresolvable  # python-jsonschema explains: it is imported now
        try:
            errors = validator.iter_errors(doc.data)
            if partial:
                errors = (e for e in errors if not _complete_only(e))
            problems = explain(errors)
            if partial:
                problems = [(p, m) for p, m in problems if not (is_unknown_field(m) and _directive(p))]
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
