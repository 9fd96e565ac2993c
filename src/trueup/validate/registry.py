"""Schemas by path, compiled once per run. Local ``$ref`` files resolve inside the repository;
nothing is fetched from the network."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError as JsonSchemaError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

from ..errors import ParseError, SchemaError
from ..load import load_path, read_text
from .fast import meta_valid


def read_schema(path: Path, display: str) -> Any:
    """A schema file as data: JSON, or YAML for ``.yaml``/``.yml`` files."""
    if not path.is_file():
        raise SchemaError("schema file not found", display)
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            loaded = load_path(path, file=display, name=display, fmt="yaml", kind="config")
            return loaded.documents[0].data if loaded.documents else None
        return json.loads(read_text(path, display))
    except json.JSONDecodeError as exc:
        raise SchemaError(f"schema is not valid JSON: {exc.msg}", display, exc.lineno, exc.colno) from None
    except ParseError as exc:
        raise SchemaError(f"schema unreadable: {exc.cause}", exc.file, exc.line, exc.column) from None


def compile_schema(schema: Any, display: str, registry: Registry | None = None, *, trusted: bool = False) -> Validator:
    """A validator for ``schema``; ``trusted`` schemas (shipped in a package and checked by the
    test suite) skip the metaschema check, which costs more than validating a document."""
    if not isinstance(schema, (dict, bool)):
        raise SchemaError("a JSON Schema must be an object or a boolean", display)
    cls = validator_for(schema, default=Draft202012Validator)
    try:
        if not trusted and not meta_valid(schema):
            cls.check_schema(schema)
    except JsonSchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
        raise SchemaError(f"invalid JSON Schema at {where}: {exc.message}", display) from None
    if registry is None:
        return cls(schema)
    return cls(schema, registry=registry)


class LocalSchemas:
    """The user's schemas: by path relative to the repository root (trueup.yaml), or absolute
    (named on the command line). ``$ref`` files resolve inside the repository or inside the
    directory of a schema named on the command line, never elsewhere and never remotely."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.roots = [self.root]
        self._validators: dict[str, Validator] = {}
        self._registry: Registry = Registry(retrieve=self._retrieve)

    def _inside(self, path: Path) -> Path | None:
        return next((r for r in self.roots if r in path.parents), None)

    def _retrieve(self, uri: str) -> Resource:
        parsed = urlparse(uri)
        if parsed.scheme != "file":
            raise NoSuchResource(ref=uri)
        path = Path(unquote(parsed.path)).resolve()
        root = self._inside(path)
        if root is None:
            raise NoSuchResource(ref=uri)
        contents = read_schema(path, path.relative_to(root).as_posix())
        return Resource.from_contents(contents, default_specification=DRAFT202012)

    def validator(self, schema_path: str) -> Validator:
        cached = self._validators.get(schema_path)
        if cached is not None:
            return cached
        if Path(schema_path).is_absolute():
            path = Path(schema_path).resolve()
            self.roots.append(path.parent)
        else:
            path = (self.root / schema_path).resolve()
            if self.root not in path.parents:
                raise SchemaError("schema path leaves the repository", schema_path)
        schema = read_schema(path, self.display(path))
        if isinstance(schema, dict) and "$id" not in schema:
            schema = {**schema, "$id": path.as_uri()}
        validator = compile_schema(schema, self.display(path), self._registry)
        self._validators[schema_path] = validator
        return validator

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
