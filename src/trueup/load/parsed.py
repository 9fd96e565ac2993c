"""What every format module (``yaml_``, ``json_``, ``toml_``...) shares with the loader that picks
it: the bounds it reads within, and what its ``parse`` returns. Kept apart from the package's
``__init__``, which imports the format modules by name, so that no format module imports it back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import ParseError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds that keep hostile input from exhausting time, memory or the stack."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = 100
    max_alias_nodes: int = 1_000_000


@dataclass
class Duplicate:
    doc_index: int
    pointer: str
    key: str
    line: int
    column: int


@dataclass
class Parsed:
    """What a format module returns: one entry per document in the stream (None for empty ones)."""

    documents: list[Any]
    duplicates: list[Duplicate] = field(default_factory=list)
    # YAML only: per document, where a plain YAML 1.1 boolean word stands, and its boolean.
    yaml11: dict[int, list[tuple[tuple[str, ...], bool]]] = field(default_factory=dict)


def check_depth(data: Any, limit: int, file: str) -> None:
    """Refuse data nested deeper than ``limit`` (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            raise ParseError(f"nesting deeper than {limit} levels", file)
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, (dict, list)))
