"""YAML: libyaml's C parser composes nodes (``yaml_compose``); a small constructor of our own builds
plain data, and a Locator finds a JSON Pointer's line in the same node graphs.

Why not ``yaml.safe_load``: it keeps the last of duplicate keys silently, turns
timestamps into datetime objects that JSON Schema rejects, reads ``on``/``no`` as
booleans and ``22:22`` as a base-60 integer (YAML 1.1), fails on compose's
``!reset``/``!override`` tags, and expands alias bombs into data that later walks
cannot finish. This constructor reads YAML 1.2 core scalars, keeps every mapping
key as a string (as Kubernetes and compose do), reports duplicate keys, bounds
nesting and alias expansion, and treats unknown tags as their plain value.

Two departures from YAML 1.2 follow the Go YAML libraries that read these files
for real: a leading-zero integer (``0644``) is octal, as in go-yaml v2 and v3;
and the YAML 1.1 boolean words (``yes``, ``off``, ``y``...) are recorded where
they stand plain, so Kubernetes documents (read by kubectl with go-yaml v2)
can turn them into booleans while compose files (go-yaml v3) keep strings.
"""
from __future__ import annotations

import math
from sys import intern
from typing import Any, Iterator

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import ParseError
from ..pointer import array_index, escape_token, split_pointer
from .parsed import Duplicate, Limits, Parsed
from .yaml_compose import BOOL, FLOAT, INT, MERGE, NULL, STR, PositionComposer, iter_nodes, plain_tag


def _to_int(text: str) -> int:
    body = text.lstrip("+-").replace("_", "")
    sign = -1 if text.startswith("-") else 1
    if body.startswith(("0o", "0O")):
        return sign * int(body[2:], 8)
    if body.startswith(("0x", "0X")):
        return sign * int(body[2:], 16)
    if body.startswith(("0b", "0B")):
        return sign * int(body[2:], 2)
    if len(body) > 1 and body[0] == "0" and body.isascii() and body.isdigit() and "8" not in body and "9" not in body:
        return sign * int(body, 8)
    return sign * int(body, 10)


def _to_float(text: str) -> float:
    lowered = text.lower().replace("_", "")
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered.endswith(".nan"):
        return math.nan
    return float(lowered)


def plain_scalar(text: str) -> Any:
    """An untagged plain scalar, resolved by the core schema (used for unknown tags)."""
    tag = plain_tag(text)
    return _SCALARS.get(tag, _str)(text)


def _str(text: str) -> str:
    return text


def _null(text: str) -> None:
    return None


def _bool(text: str) -> bool:
    return text.lower() == "true"


_SCALARS = {STR: _str, INT: _to_int, FLOAT: _to_float, BOOL: _bool, NULL: _null}
YAML11_BOOLS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False),
}


class _Builder:
    """Builds plain data from one document's node graph, depth-first, with limits."""

    def __init__(self, file: str, limits: Limits, doc_index: int) -> None:
        self.file = file
        self.max_depth = limits.max_depth
        self.max_nodes = limits.max_alias_nodes
        self.doc_index = doc_index
        self.nodes = 0
        self.aliased = 0
        self.built: dict[int, tuple[Any, int]] = {}
        self.building: set[int] = set()
        self.path: list[str] = []
        self.duplicates: list[Duplicate] = []
        self.yaml11: list[tuple[tuple[str, ...], bool]] = []

    def fail(self, node: Node, cause: str) -> ParseError:
        mark = node.start_mark
        return ParseError(cause, self.file, mark.line + 1, mark.column + 1)

    def build(self, node: Node, depth: int) -> Any:
        if isinstance(node, ScalarNode):
            self.nodes += 1
            convert = _SCALARS.get(node.tag)
            if convert is _str and not node.style and node.value in YAML11_BOOLS:
                self.yaml11.append((tuple(self.path), YAML11_BOOLS[node.value]))
            if convert is not None:
                try:
                    return convert(node.value)
                except ValueError:
                    raise self.fail(node, f"invalid {node.tag.rsplit(':', 1)[-1]} value") from None
            if not node.style:
                return plain_scalar(node.value)
            return node.value
        key = id(node)
        seen = self.built.get(key)
        if seen is not None:
            value, size = seen
            self.nodes += size
            self.aliased += size
            if self.aliased > self.max_nodes:
                raise self.fail(
                    node, f"aliases expand to more than {self.max_nodes} values (an alias bomb?)"
                )
            return value
        if key in self.building:
            raise self.fail(node, "an alias refers to the collection that contains it (recursive data)")
        if depth > self.max_depth:
            raise self.fail(node, f"nesting deeper than {self.max_depth} levels")
        self.building.add(key)
        start = self.nodes
        if isinstance(node, SequenceNode):
            value = self._sequence(node, depth)
        else:
            value = self._mapping(node, depth)
        self.building.discard(key)
        self.nodes += 1
        self.built[key] = (value, self.nodes - start)
        return value

    def _sequence(self, node: SequenceNode, depth: int) -> list:
        out: list = []
        path = self.path
        for i, child in enumerate(node.value):
            path.append(str(i))
            out.append(self.build(child, depth + 1))
            path.pop()
        return out

    def _mapping(self, node: MappingNode, depth: int) -> dict:
        out: dict = {}
        merged: dict | None = None
        merged_notes: list[tuple[tuple[str, ...], bool]] = []  # yaml11 notes of the merged sources
        path = self.path
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise self.fail(key_node, "a mapping key must be a plain value, not a list or mapping")
            if key_node.tag == MERGE:
                noted = len(self.yaml11)
                merged = self._merge(value_node, depth, merged)
                merged_notes.extend(self.yaml11[noted:])
                del self.yaml11[noted:]
                continue
            name = key_node.value if len(key_node.value) > 64 else intern(key_node.value)
            if name in out:
                mark = key_node.start_mark
                pointer = "".join("/" + escape_token(p) for p in (*path, name))
                self.duplicates.append(
                    Duplicate(self.doc_index, pointer, name, mark.line + 1, mark.column + 1)
                )
                self._forget_notes((*path, name))  # the last value wins: the first one's notes go
            path.append(name)
            out[name] = self.build(value_node, depth + 1)
            path.pop()
        if merged:
            # A merged value an explicit key overrides is gone, and so are its notes.
            depth_of_key = len(path)
            self.yaml11.extend(n for n in merged_notes if n[0][depth_of_key] not in out)
            merged.update(out)
            return merged
        return out

    def _forget_notes(self, prefix: tuple[str, ...]) -> None:
        size = len(prefix)
        self.yaml11[:] = [note for note in self.yaml11 if note[0][:size] != prefix]

    def _merge(self, node: Node, depth: int, merged: dict | None) -> dict:
        """``<<: *base`` or ``<<: [*a, *b]``: explicit keys win, then earlier sources."""
        sources = node.value if isinstance(node, SequenceNode) else [node]
        result = merged if merged is not None else {}
        for source in sources:
            if not isinstance(source, MappingNode):
                raise self.fail(source, "a merge key (<<) needs a mapping or a list of mappings")
            value = self.build(source, depth + 1)
            for k, v in value.items():
                result.setdefault(k, v)
        return result


def parse(text: str, file: str, limits: Limits = Limits()) -> Parsed:
    return _parse(text, file, limits, None)


def parse_with_positions(text: str, file: str, limits: Limits = Limits()) -> tuple[Parsed, "Locator"]:
    """The file parsed, and a Locator over the node graphs that parse composed: positions come from
    the first parse instead of a second composition, for a caller that will look lines up soon and
    then drop them (they hold the file's whole node graph)."""
    nodes: list[Node | None] = []
    parsed = _parse(text, file, limits, nodes)
    return parsed, Locator(text, nodes)


def _parse(text: str, file: str, limits: Limits, nodes: list[Node | None] | None) -> Parsed:
    documents: list[Any] = []
    duplicates: list[Duplicate] = []
    yaml11: dict[int, list[tuple[tuple[str, ...], bool]]] = {}
    for index, node in enumerate(iter_nodes(text, file)):
        if nodes is not None:
            nodes.append(node)
        if node is None:
            documents.append(None)
            continue
        builder = _Builder(file, limits, index)
        documents.append(builder.build(node, 1))
        duplicates.extend(builder.duplicates)
        if builder.yaml11:
            yaml11[index] = builder.yaml11
    return Parsed(documents, duplicates, yaml11)


class Locator:
    """Finds a JSON Pointer's line by walking the composed nodes (done once per file, on demand)."""

    def __init__(self, text: str, nodes: list[Node | None] | None = None) -> None:
        """``nodes``: every document's node graph, composed already (by :func:`parse_with_positions`);
        else the text's documents are composed as lines are asked for."""
        self.nodes: list[Node | None] = nodes if nodes is not None else []
        self._more: Iterator[Node | None] | None = None if nodes is not None else iter_nodes(text, "", PositionComposer)
        # Each mapping's keys indexed once, so that n look-ups in one mapping cost O(n), not O(n^2).
        self._keys: dict[int, tuple[dict[str, tuple[Any, Node]], list[Node]]] = {}

    def _document(self, doc_index: int) -> Node | None:
        """Documents are composed up to the one asked for, not beyond."""
        while self._more is not None and doc_index >= len(self.nodes):
            try:
                self.nodes.append(next(self._more))
            except (StopIteration, ParseError):
                self._more = None
        return self.nodes[doc_index] if doc_index < len(self.nodes) else None

    def position(self, doc_index: int, pointer: str) -> tuple[int, int] | None:
        if self._document(doc_index) is None:
            return None
        node: Node = self.nodes[doc_index]
        mark = node.start_mark
        for token in split_pointer(pointer):
            found = self._child(node, token)
            if found is None:
                break
            mark, node = found
        return mark.line + 1, mark.column + 1

    def _indexed(self, node: MappingNode) -> tuple[dict[str, tuple[Any, Node]], list[Node]]:
        """(key as written -> (its mark, its value), the last of a repeated key winning; the merged
        sources, last first)."""
        found = self._keys.get(id(node))
        if found is None:
            keys: dict[str, tuple[Any, Node]] = {}
            merges: list[Node] = []
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    continue
                if key_node.tag == MERGE:
                    merges.insert(0, value_node)
                else:
                    keys[key_node.value] = (key_node.start_mark, value_node)
            found = self._keys[id(node)] = (keys, merges)
        return found

    def _child(self, node: Node, token: str) -> tuple[Any, Node] | None:
        if isinstance(node, SequenceNode):
            index = array_index(token, len(node.value))
            if index is not None:
                child = node.value[index]
                return child.start_mark, child
            return None
        if isinstance(node, MappingNode):
            keys, merges = self._indexed(node)
            if token in keys:
                return keys[token]
            for merge in merges:
                for source in merge.value if isinstance(merge, SequenceNode) else [merge]:
                    found = self._child(source, token)
                    if found is not None:
                        return found
        return None
