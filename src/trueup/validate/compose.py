"""The compose-spec JSON Schema, from check-jsonschema's vendored, checksummed copy (offline)."""
from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path
from typing import Any



from ..errors import SchemaError
from .fast import Quick, enabled, quick_validator
from .registry import Detailed, compile_schema


@lru_cache(maxsize=1)
def schema_path() -> Path:
    spec = importlib.util.find_spec("check_jsonschema")
    if spec is None or not spec.submodule_search_locations:
        raise SchemaError("the check-jsonschema package (compose-spec schema) is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / "builtin_schemas" / "vendor" / "compose-spec.json"
    if not path.is_file():
        raise SchemaError("compose-spec.json is missing from check-jsonschema", str(path))
    return path


@lru_cache(maxsize=1)
def _schema() -> Any:
    with open(schema_path(), encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=1)
def compose_validator() -> Detailed:
    return compile_schema(_schema(), "compose-spec schema", trusted=True)


def compose_quick() -> Quick | None:
    return _compose_quick() if enabled() else None


@lru_cache(maxsize=1)
def _compose_quick() -> Quick | None:
    return quick_validator(_schema())
