"""Schemas for custom resources: from CustomResourceDefinition manifests and from local folders
laid out as kubeconform's ``-schema-location`` templates (e.g. the datreeio CRDs-catalog).

A CRD's OpenAPI v3 schema becomes a Draft 4 JSON Schema (OpenAPI 3.0's boolean
``exclusiveMinimum``/``exclusiveMaximum`` are Draft 4's) with the Kubernetes extensions
translated as the API server applies them. Sources, read for facts only:

- [docs] kubernetes.io "Extend the Kubernetes API with CustomResourceDefinitions"
  (structural schemas, field pruning, IntOrString, RawExtension, validation);
- [types] k8s.io/apiextensions-apiserver pkg/apis/apiextensions/v1/types_jsonschema.go and
  v1beta1/types.go, v1beta1/defaults.go;
- [prune] apiextensions-apiserver pkg/apiserver/schema/pruning/algorithm.go;
- [meta] apiextensions-apiserver pkg/apiserver/schema/objectmeta/validation.go;
- [kubeconform] github.com/yannh/kubeconform pkg/registry/registry.go, pkg/validator/validator.go.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence



from ..errors import SchemaError
from ..tree import real_path
from .registry import Detailed, compile_schema

DRAFT4 = "http://json-schema.org/draft-04/schema#"
_META = ("apiVersion", "kind", "metadata")
# OpenAPI keys with no JSON Schema meaning, or that CRDs may not use ([docs] "Validation":
# id, $ref, definitions... cannot be set); "format" is a hint here: int32, date-time etc. are
# not checked (kube-openapi has begun to range-check int32/float, a newer server may reject more).
_DROPPED = frozenset({"format", "nullable", "id", "$schema", "$ref", "example", "externalDocs", "default"})
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "definitions")
_JUNCTORS = ("allOf", "anyOf", "oneOf")
# [kubeconform] registry.New: a location that does not end in "json" is a folder of this layout.
KUBECONFORM_DEFAULT_FILE = (
    "/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
)
_VARIABLE = re.compile(r"\{\{-?\s*\.(\w+)\s*-?\}\}")
_VARIABLES = ("NormalizedKubernetesVersion", "StrictSuffix", "ResourceKind", "ResourceAPIVersion", "Group", "KindSuffix")


def _meta_schema(key: str) -> dict[str, Any]:
    # [meta] validateEmbeddedResource: apiVersion and kind must be non-empty strings, metadata an
    # object. ObjectMeta's own fields are not checked here (the API server prunes unknown ones).
    return {"type": "object"} if key == "metadata" else {"type": "string", "minLength": 1}


def _with_meta(out: dict[str, Any]) -> None:
    """Admit and type ``apiVersion``/``kind``/``metadata``; require the first two.

    [types] x-kubernetes-embedded-resource: "kind, apiVersion and metadata are validated
    automatically"; [meta] "require apiVersion and kind, but not metadata"; the resource root is
    treated as an embedded resource ([meta] Validate, [prune] PruneWithOptions isResourceRoot).
    """
    props = out.get("properties")
    props = dict(props) if isinstance(props, dict) else {}
    for key in _META:
        given = props.get(key)
        props[key] = {**_meta_schema(key), **given} if isinstance(given, dict) else _meta_schema(key)
    out["properties"] = props
    required = out.get("required") if isinstance(out.get("required"), list) else []
    out["required"] = list(required) + [k for k in ("apiVersion", "kind") if k not in required]


def _python_regex(pattern: Any) -> bool:
    try:
        re.compile(pattern)
        return True
    except (re.error, TypeError):
        return False


def openapi_to_jsonschema(node: Any, *, close: bool, preserving: bool = False, resource: bool = False) -> Any:
    """One OpenAPI v3 schema node as a Draft 4 JSON Schema.

    ``close``: forbid fields the API server would prune (strict field validation rejects them);
    ``preserving``: the node sits under an array whose schema preserves unknown fields;
    ``resource``: the node is the resource root or an embedded resource.
    """
    if not isinstance(node, dict):
        return node
    # [types] x-kubernetes-preserve-unknown-fields; [prune] prune()/skipPrune(): a preserving node
    # keeps its unknown fields with everything under them; fields it declares (properties,
    # additionalProperties) are pruned as usual; array items inherit the preserving.
    preserve = node.get("x-kubernetes-preserve-unknown-fields") is True or preserving
    embedded = resource or node.get("x-kubernetes-embedded-resource") is True
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED or key.startswith("x-"):
            # x-kubernetes-list-type, -list-map-keys, -map-type and -validations (CEL rules) are
            # not evaluated: trueup checks the OpenAPI part of the schema only.
            continue
        if key in _SUBSCHEMA_MAPS and isinstance(value, dict):
            out[key] = {
                name: openapi_to_jsonschema(sub, close=close and not (embedded and name == "metadata"))
                for name, sub in value.items()
            }
        elif key in ("additionalProperties", "additionalItems", "not"):
            # Inside "not" (a logical junctor) nothing is closed: [docs] structural rule 3.
            out[key] = openapi_to_jsonschema(value, close=close and key != "not")
        elif key == "items":
            items = value if isinstance(value, list) else [value]
            done = [openapi_to_jsonschema(i, close=close, preserving=preserve) for i in items]
            out[key] = done if isinstance(value, list) else done[0]
        elif key in _JUNCTORS and isinstance(value, list):
            out[key] = [openapi_to_jsonschema(sub, close=False) for sub in value]
        elif key == "dependencies" and isinstance(value, dict):
            out[key] = {k: openapi_to_jsonschema(v, close=False) for k, v in value.items()}
        elif key == "pattern" and isinstance(value, str) and not _python_regex(value):
            continue  # RE2 syntax Python's re cannot read (e.g. a mid-pattern (?i)): not checked
        else:
            out[key] = value
    if node.get("x-kubernetes-int-or-string") is True:
        # [types] x-kubernetes-int-or-string: "either an integer or a string"; [docs] IntOrString.
        out["type"] = ["integer", "string"]
    if node.get("nullable") is True and "type" in out:
        # [types] Nullable (OpenAPI 3.0): null is admitted besides the declared type; an enum
        # still applies to null, as kube-openapi's common validator applies it to nil.
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*types, "null"] if "null" not in types else types
    if embedded:
        _with_meta(out)
    objectish = node.get("type") == "object" or "properties" in out
    if close and not preserve and objectish and "additionalProperties" not in out:
        # [prune] a field neither in properties nor matched by additionalProperties is pruned, and
        # strict field validation ("fail the request if any unknown fields would be dropped",
        # kubectl's default --validate=strict) turns that into an error.
        out["additionalProperties"] = False
    return out


@dataclass
class _Served:
    """One served version of one CRD: its raw schema, translated and compiled on first use."""

    crd: str
    where: str
    schema: Any
    preserve_all: bool
    validator: Detailed | None = field(default=None, repr=False)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def schema_path(template: str, api_version: str, kind: str, kubernetes_version: str, strict: bool) -> str:
    """A kubeconform location template filled in, as kubeconform's ``schemaPath`` does.

    ``NormalizedKubernetesVersion`` is the version prefixed by "v" ("master" stays);
    ``StrictSuffix`` "-strict" or ""; ``ResourceKind`` the lower-case kind; ``ResourceAPIVersion``
    and ``Group`` the apiVersion's last and first "/" parts (so "v1" for both in core "v1");
    ``KindSuffix`` "-" + the group's first dot-part, + "-" + the version when there is a group.
    """
    group_parts = api_version.split("/")
    suffix = "-" + group_parts[0].split(".")[0].lower()
    if len(group_parts) > 1:
        suffix += "-" + group_parts[1].lower()
    values = {
        "NormalizedKubernetesVersion": kubernetes_version if kubernetes_version == "master" else f"v{kubernetes_version}",
        "StrictSuffix": "-strict" if strict else "",
        "ResourceKind": kind.lower(),
        "ResourceAPIVersion": group_parts[-1],
        "Group": group_parts[0],
        "KindSuffix": suffix,
    }
    return _VARIABLE.sub(lambda m: values[m.group(1)], template)


class CustomSchemas:
    """Schemas for custom resources: from CRD manifests and from kubeconform-style local schema folders.

    CRD manifests take precedence over locations; locations are tried in order and the first
    existing file wins ([kubeconform] validator.downloadSchema). Nothing is downloaded.
    """

    def __init__(
        self,
        *,
        strict: bool = True,
        locations: Sequence[str] = (),
        root: Path | None = None,
        kubernetes_version: str | None = None,
    ) -> None:
        self.strict = strict
        self.root = real_path(root or Path.cwd())
        # kubeconform's -kubernetes-version defaults to "master"; a leading "v" is not doubled.
        self.kubernetes_version = (kubernetes_version or "master").removeprefix("v")
        self.templates = [self._template(loc) for loc in locations]
        self._served: dict[tuple[str, str], _Served] = {}
        self._files: dict[tuple[str, str], tuple[Detailed, str] | None] = {}

    @staticmethod
    def _template(location: str) -> str:
        lowered = location.strip().lower()
        if lowered == "default" or "://" in lowered and not lowered.startswith("file://"):
            # "default" is kubeconform's alias for its https schema registry.
            raise SchemaError(f"schema location {location} is a URL; trueup reads schemas only from local folders")
        template = location.strip().removeprefix("file://")
        if not template.endswith("json"):
            template = template.rstrip("/") + KUBECONFORM_DEFAULT_FILE
        names = _VARIABLE.findall(template)
        unknown = [n for n in names if n not in _VARIABLES]
        if unknown or "{{" in _VARIABLE.sub("", template):
            what = f"unknown variable .{unknown[0]}" if unknown else "a template action other than {{ .Variable }}"
            raise SchemaError(f"schema location {location} has {what} (known: {', '.join(_VARIABLES)})")
        return template

    def add_crd(self, data: Any, where: str) -> str | None:
        """Register every served version of one CRD document; a one-line problem, or None. Never raises."""
        if not isinstance(data, dict):
            return f"CustomResourceDefinition in {where} is not a mapping"
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        spec = data.get("spec")
        name = _text(meta.get("name")) or "(unnamed)"
        if not isinstance(spec, dict):
            return f"CustomResourceDefinition {name} has no spec"
        names = spec.get("names") if isinstance(spec.get("names"), dict) else {}
        group, kind = _text(spec.get("group")), _text(names.get("kind"))
        if not group:
            return f"CustomResourceDefinition {name} has no spec.group"
        if not kind:
            return f"CustomResourceDefinition {name} has no spec.names.kind"
        beta = data.get("apiVersion") == "apiextensions.k8s.io/v1beta1"
        versions = spec.get("versions")
        if not versions and beta and _text(spec.get("version")):
            # [types]/defaults.go v1beta1: no versions list -> one served version from spec.version.
            versions = [{"name": spec["version"], "served": True}]
        if not isinstance(versions, list) or not versions:
            return f"CustomResourceDefinition {name} has no spec.versions"
        # [types] spec.preserveUnknownFields: nothing is pruned (so nothing is unknown) when true;
        # it defaults to true in v1beta1 ([types] v1beta1/defaults.go), false in v1.
        preserve_all = spec.get("preserveUnknownFields", beta) is True
        shared = _schema_of(spec.get("validation")) if beta else None
        problems = []
        for index, version in enumerate(versions):
            vname = _text(version.get("name")) if isinstance(version, dict) else ""
            if not vname:
                problems.append(f"CustomResourceDefinition {name} spec.versions[{index}] has no name")
                continue
            if version.get("served") is not True:
                continue  # [types] served: only served versions exist in the API
            schema = _schema_of(version.get("schema"))
            if schema is None:
                schema = shared  # [types] v1beta1 spec.validation: "used to validate all versions"
            if schema is None and not beta:
                problems.append(f"CustomResourceDefinition {name} version {vname} has no schema.openAPIV3Schema")
                continue
            if schema is not None and not isinstance(schema, dict):
                problems.append(f"CustomResourceDefinition {name} version {vname}: openAPIV3Schema is not a mapping")
                continue
            key = (f"{group}/{vname}", kind)
            first = self._served.get(key)
            if first is not None:
                if first.schema != schema:
                    problems.append(f"CustomResourceDefinition {name} defines {key[0]} {kind} again "
                                    f"(first in {first.where}); the first definition is used")
                continue
            self._served[key] = _Served(name, where, schema or {}, preserve_all)
        return "; ".join(problems) or None

    def validator(self, api_version: str, kind: str) -> Detailed | None:
        """The compiled validator for a custom resource, or None when no schema is known.

        Raises SchemaError for a schema that cannot be compiled (a location's file that is not
        JSON or not a JSON Schema, or a CRD schema whose keywords have impossible values).
        """
        served = self._served.get((api_version, kind))
        if served is None:
            found = self._from_locations(api_version, kind)
            return found[0] if found else None
        if served.validator is None:
            close = self.strict and not served.preserve_all
            try:
                schema = openapi_to_jsonschema(served.schema, close=close, resource=True)
                served.validator = compile_schema({**schema, "$schema": DRAFT4}, served.where)
            except SchemaError as exc:
                cause = exc.cause
            except RecursionError:
                cause = "schema nested too deeply"
            else:
                return served.validator
            raise SchemaError(f"CustomResourceDefinition {served.crd}, {api_version}: {cause}", served.where)
        return served.validator

    def label(self, api_version: str, kind: str) -> str:
        served = self._served.get((api_version, kind))
        if served is not None:
            return f"CRD {served.crd} ({served.where}) schema for {api_version} {kind}"
        found = self._from_locations(api_version, kind)
        if found:
            return f"schema {found[1]} for {api_version} {kind}"
        return f"no custom resource schema for {api_version} {kind}"

    def known(self, api_version: str, kind: str) -> bool:
        return (api_version, kind) in self._served or self._from_locations(api_version, kind) is not None

    def _from_locations(self, api_version: str, kind: str) -> tuple[Detailed, str] | None:
        key = (api_version, kind)
        if key in self._files:
            return self._files[key]
        self._files[key] = None
        parts = [*api_version.split("/"), kind]
        # Values from a document name a file: no path separators or "..", so none leaves its folder.
        if not self.templates or any(not p or p in (".", "..") or "\\" in p for p in parts) or "/" in kind:
            return None
        for template in self.templates:
            path = Path(schema_path(template, api_version, kind, self.kubernetes_version, self.strict))
            path = path if path.is_absolute() else self.root / path
            if path.is_file():
                shown = self._display(path)
                try:
                    schema = json.loads(path.read_text(encoding="utf-8"))
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    raise SchemaError(f"schema file is not valid JSON: {exc}", shown) from None
                if isinstance(schema, dict) and "$schema" not in schema:
                    schema = {**schema, "$schema": DRAFT4}  # [kubeconform] compiler.DefaultDraft(Draft4)
                self._files[key] = (compile_schema(schema, shown), shown)
                break
        return self._files[key]

    def _display(self, path: Path) -> str:
        try:
            return real_path(path).relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def _schema_of(validation: Any) -> Any:
    """``openAPIV3Schema`` of a CustomResourceValidation (v1 version.schema, v1beta1 spec.validation)."""
    return validation.get("openAPIV3Schema") if isinstance(validation, dict) else None
