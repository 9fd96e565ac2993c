"""Where a person changes a drifted desired value, when its template line cannot say.

A rendered line maps back to the template line that produced it (``render_lines``). When that
line only imports, includes or calls a macro (``{% import "_macros.j2" as m %}``,
``{{ m.deployment(api) }}``), it holds none of the YAML, and an annotation there is no help:
the value was set in a values file. A drift finding on such a line points instead at the
values-file line that sets the value: the one key of the environment's merged values named as
the drifted field and holding its desired value (in the last values file that sets it). When no
key or more than one fits, the finding stays where it was.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Iterator

from .model import Finding
from .pointer import array_index, escape_token, split_pointer

# A template line that holds no YAML of its own: a Jinja statement that brings in other text, or
# an expression that calls a macro.
_INDIRECT = re.compile(r"^\s*(?:\{%-?\s*(?:import|from|include|extends|call)\b|\{\{-?\s*[\w.]+\s*\()")
RELOCATED = ("drift.changed", "drift.missing")


def _leaves(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _leaves(child, f"{pointer}/{escape_token(str(key))}")
    elif not isinstance(value, list):
        yield pointer, value


def _same(a: Any, b: Any) -> bool:
    """Equal as rendered YAML reads them (``3`` rendered from ``3``; ``"1.0"`` from ``1.0``)."""
    return a == b or (not isinstance(a, (dict, list, bool)) and not isinstance(b, (dict, list, bool))
                      and a is not None and b is not None and str(a) == str(b))


def _values_line(finding: Finding, layers: list[Any]) -> tuple[str, int, int | None] | None:
    tokens = split_pointer(finding.path)
    if not tokens or array_index(tokens[-1]) is not None or isinstance(finding.desired, (dict, list)) or finding.desired is None:
        return None
    key = tokens[-1]
    last: dict[str, Any] = {}  # pointer -> the last values document that sets it
    for doc in layers:
        for pointer, value in _leaves(doc.data):
            if split_pointer(pointer)[-1:] == [key]:
                last[pointer] = (doc, value)
    matches = [(pointer, doc) for pointer, (doc, value) in last.items() if _same(value, finding.desired)]
    if len(matches) != 1:
        return None
    pointer, doc = matches[0]
    where = doc.locate(pointer)
    return None if where is None else (doc.source.file, where[0], where[1])


def where_set(findings: Iterable[Finding], root: Path, layers: dict[str, list[Any]]) -> Iterator[Finding]:
    """Findings as they come; drift on a template line that only brings in other text points at
    the values-file line that sets the value (``layers``: each environment's values documents)."""
    texts: dict[str, list[str]] = {}
    for finding in findings:
        if finding.rule in RELOCATED and finding.file and finding.line and finding.environment in layers:
            if finding.file not in texts:
                try:
                    texts[finding.file] = (root / finding.file).read_text(encoding="utf-8").splitlines()
                except (OSError, UnicodeDecodeError, ValueError):
                    texts[finding.file] = []
            lines = texts[finding.file]
            if 0 < finding.line <= len(lines) and _INDIRECT.match(lines[finding.line - 1]):
                found = _values_line(finding, layers[finding.environment or ""])
                if found is not None:
                    finding = replace(finding, file=found[0], line=found[1], column=found[2])
        yield finding
