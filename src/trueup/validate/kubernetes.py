"""Kubernetes object schemas, as shipped by the kubernetes-validate package (offline, per version).

Its tree holds ``v<version>-local[-strict]/<kind>-<group>-<version>.json`` files that
refer to one ``_definitions.json``; strict variants forbid unknown fields.
"""
from __future__ import annotations

import importlib.util
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SchemaError
from .fast import Quick, quick_registry, quick_validator
from .registry import Detailed, compile_schema

if TYPE_CHECKING:
    from referencing import Registry

_VERSION_DIR = re.compile(r"^v(\d+)\.(\d+)\.(\d+)-local$")


@lru_cache(maxsize=1)
def schema_root() -> Path:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise SchemaError("the kubernetes-validate package (Kubernetes schemas) is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "kubernetes-json-schema"


@lru_cache(maxsize=1)
def available_versions() -> list[tuple[int, int]]:
    found = []
    for entry in schema_root().iterdir():
        match = _VERSION_DIR.match(entry.name)
        if match:
            found.append((int(match.group(1)), int(match.group(2))))
    return sorted(found)


def _parse_version(text: str) -> tuple[int, int]:
    match = re.match(r"^v?(\d+)\.(\d+)", text.strip())
    if not match:
        raise SchemaError(f"Kubernetes version {text!r} is not MAJOR.MINOR")
    return int(match.group(1)), int(match.group(2))


def resolve_version(requested: str | None) -> tuple[int, int]:
    """The newest schema version not newer than the one requested (the newest of all by default)."""
    versions = available_versions()
    if not versions:
        raise SchemaError("no Kubernetes schemas found in kubernetes-validate")
    if requested is None:
        return versions[-1]
    wanted = _parse_version(requested)
    usable = [v for v in versions if v <= wanted]
    if not usable or wanted[:2] > versions[-1]:
        shown = ", ".join(f"{a}.{b}" for a, b in (versions[0], versions[-1]))
        raise SchemaError(f"no Kubernetes {wanted[0]}.{wanted[1]} schemas here (available: {shown.replace(', ', ' to ')})")
    return usable[-1]


def schema_file_name(api_version: str, kind: str) -> str | None:
    """``apps/v1`` + ``Deployment`` -> ``deployment-apps-v1.json``; None for custom resource groups."""
    group, _, version = api_version.rpartition("/")
    if group and "." in group and not group.endswith(".k8s.io"):
        return None
    prefix = f"{group.split('.')[0]}-" if group else ""
    return f"{kind.lower()}-{prefix}{version}.json"


class KubernetesSchemas:
    def __init__(self, version: str | None, strict: bool) -> None:
        self.version = resolve_version(version)
        self.strict = strict
        major, minor = self.version
        self.directory = schema_root() / f"v{major}.{minor}.0-local{'-strict' if strict else ''}"
        self._registry: Registry | None = None
        self._definitions_data: Any = None
        self._validators: dict[str, Detailed | None] = {}
        self._quick: dict[str, Quick | None] = {}
        self._quick_registry: Any = False

    @property
    def label(self) -> str:
        return f"Kubernetes {self.version[0]}.{self.version[1]}{' strict' if self.strict else ''}"

    def _definitions(self) -> Registry:
        """The registry the schemas' ``$ref``s resolve in: built when python-jsonschema first
        explains an invalid document (it imports referencing)."""
        if self._registry is None:
            from referencing import Registry, Resource

            self._registry = Resource.from_contents(self.definitions()) @ Registry()
        return self._registry

    def definitions(self) -> Any:
        """The version's ``_definitions.json``, read once (the validators and the API catalog share it)."""
        if self._definitions_data is None:
            with open(self.directory / "_definitions.json", encoding="utf-8") as handle:
                self._definitions_data = json.load(handle)
        return self._definitions_data

    def validator(self, api_version: str, kind: str) -> Detailed | None:
        name = schema_file_name(api_version, kind)
        if name is None:
            return None
        if name in self._validators:
            return self._validators[name]
        path = self.directory / name
        validator = None
        if path.is_file():
            with open(path, encoding="utf-8") as handle:
                schema = json.load(handle)
            validator = compile_schema(schema, f"{self.label} schema {name}", self._definitions, trusted=True)
            if self._quick_registry is False:
                definitions = self.definitions()
                self._quick_registry = quick_registry([(definitions.get("$id", ""), definitions)])
            self._quick[name] = quick_validator(schema, self._quick_registry)
        self._validators[name] = validator
        return validator

    def quick(self, api_version: str, kind: str) -> Quick | None:
        """The fast validity check for the schema ``validator`` returned (compiled with it)."""
        return self._quick.get(schema_file_name(api_version, kind) or "")
