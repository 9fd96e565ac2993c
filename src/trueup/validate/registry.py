"""Schemas by path, compiled once per run. Local ``$ref`` files resolve inside the repository;
nothing is fetched from the network."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator
from urllib.parse import unquote, urlparse


from ..errors import ParseError, SchemaError
from ..load import load_path, read_text
from ..tree import not_found, real_path
from .fast import meta_valid

if TYPE_CHECKING:
    from referencing import Registry, Resource


def read_schema(path: Path, display: str) -> Any:
    """A schema file as data: JSON, or YAML for ``.yaml``/``.yml`` files."""
    if not path.is_file():
        raise SchemaError(not_found(path, "schema file not found"), display)
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            loaded = load_path(path, file=display, name=display, fmt="yaml", kind="config")
            return loaded.documents[0].data if loaded.documents else None
        return json.loads(read_text(path, display))
    except json.JSONDecodeError as exc:
        raise SchemaError(f"schema is not valid JSON: {exc.msg}", display, exc.lineno, exc.colno) from None
    except ParseError as exc:
        raise SchemaError(f"schema unreadable: {exc.cause}", exc.file, exc.line, exc.column) from None


class Detailed:
    """python-jsonschema's validator for a schema, built (and python-jsonschema imported) on first
    use. Nearly every document is valid, and jsonschema-rs says so without it (validate/fast.py):
    a run whose documents are all valid, such as a clean pre-commit hook, never imports it."""

    def __init__(self, schema: Any, registry: Callable[[], Registry] | None = None) -> None:
        self.schema = schema
        self._registry = registry
        self._built: Any = None

    def validator(self) -> Any:
        if self._built is None:
            from jsonschema import Draft202012Validator
            from jsonschema.validators import validator_for

            cls = validator_for(self.schema, default=Draft202012Validator)
            self._built = cls(self.schema) if self._registry is None else cls(self.schema, registry=self._registry())
        return self._built

    def iter_errors(self, instance: Any) -> Iterator[Any]:
        return self.validator().iter_errors(instance)

    def is_valid(self, instance: Any) -> bool:
        return bool(self.validator().is_valid(instance))


def compile_schema(schema: Any, display: str, registry: Callable[[], Registry] | None = None, *,
                   trusted: bool = False) -> Detailed:
    """A validator for ``schema`` (its ``$ref``s resolved in the ``registry`` the callable gives);
    ``trusted`` schemas (shipped in a package and checked by the test suite) skip the metaschema
    check, which costs more than validating a document, as does one jsonschema-rs vouches for."""
    if not isinstance(schema, (dict, bool)):
        raise SchemaError("a JSON Schema must be an object or a boolean", display)
    if not trusted and not meta_valid(schema):
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError as JsonSchemaError
        from jsonschema.validators import validator_for

        try:
            validator_for(schema, default=Draft202012Validator).check_schema(schema)
        except JsonSchemaError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
            raise SchemaError(f"invalid JSON Schema at {where}: {exc.message}", display) from None
    return Detailed(schema, registry)


class LocalSchemas:
    """The user's schemas: by path relative to the repository root (trueup.yaml), or absolute
    (named on the command line). ``$ref`` files resolve inside the repository or inside the
    directory of a schema named on the command line, never elsewhere and never remotely."""

    def __init__(self, root: Path) -> None:
        self.root = real_path(root)
        self.roots = [self.root]
        self._validators: dict[str, Detailed] = {}
        self._registry: Registry | None = None

    def registry(self) -> Registry:
        """The registry ``$ref``s resolve in (built on first use: it imports referencing)."""
        if self._registry is None:
            from referencing import Registry

            self._registry = Registry(retrieve=self._retrieve)
        return self._registry

    def _inside(self, path: Path) -> Path | None:
        return next((r for r in self.roots if r in path.parents), None)

    def _retrieve(self, uri: str) -> Resource:
        from referencing import Resource
        from referencing.exceptions import NoSuchResource
        from referencing.jsonschema import DRAFT202012

        parsed = urlparse(uri)
        if parsed.scheme != "file":
            raise NoSuchResource(ref=uri)
        path = real_path(Path(unquote(parsed.path)))
        root = self._inside(path)
        if root is None:
            raise NoSuchResource(ref=uri)
        contents = read_schema(path, path.relative_to(root).as_posix())
        return Resource.from_contents(contents, default_specification=DRAFT202012)

    def validator(self, schema_path: str) -> Detailed:
        cached = self._validators.get(schema_path)
        if cached is not None:
            return cached
        if Path(schema_path).is_absolute():
            path = real_path(Path(schema_path))
            self.roots.append(path.parent)
        else:
            path = real_path(self.root / schema_path)
            if self.root not in path.parents:
                raise SchemaError("schema path leaves the repository", schema_path)
        schema = read_schema(path, self.display(path))
        if isinstance(schema, dict) and "$id" not in schema:
            schema = {**schema, "$id": path.as_uri()}
        validator = compile_schema(schema, self.display(path), self.registry)
        self._validators[schema_path] = validator
        return validator

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
