"""Surgical edits of YAML text: replace a scalar value's exact characters, touch nothing else.

Comments, key order, quoting and indentation of everything but the edited values
stay byte-identical, so the unified diff changes only the drifted lines. The new
value keeps the old one's quoting style where it can (a plain scalar stays plain
when it would read back as the same value).
"""
from __future__ import annotations

import json
from typing import Any, Sequence

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..load.positions import LineIndex
from ..load.yaml_ import MERGE, _plain_scalar, iter_nodes
from ..pointer import split_pointer


class NotSurgical(Exception):
    """The edit needs structure (a new key, a list item, a block value): not a scalar swap."""


def _value_node(node: Node, pointer: str) -> Node:
    for token in split_pointer(pointer):
        if isinstance(node, SequenceNode) and token.isdigit() and int(token) < len(node.value):
            node = node.value[int(token)]
        elif isinstance(node, MappingNode):
            found = [v for k, v in node.value if isinstance(k, ScalarNode) and k.tag != MERGE and k.value == token]
            if not found:
                raise NotSurgical(f"{pointer}: {token!r} is not in the file (merged or missing)")
            node = found[-1]
        else:
            raise NotSurgical(f"{pointer}: no such place in the file")
    return node


def scalar_text(value: Any, style: str | None) -> str:
    """YAML text for ``value``, in the original's style where that reads back the same."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if not isinstance(value, str):
        raise NotSurgical(f"cannot write {type(value).__name__} as a scalar")
    if not style and _plain_ok(value):
        return value
    if style == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)


def _plain_ok(value: str) -> bool:
    if not value or value != value.strip() or "\n" in value:
        return False
    if value[0] in "!&*-?{}[],#|>@`\"'%:" or ": " in value or " #" in value or value.endswith(":"):
        return False
    return _plain_scalar(value) == value


def _block(key: str, value: Any, indent: int) -> str:
    """``key: value`` as block YAML lines at ``indent``: a scalar inline, a collection below it."""
    name = key if _plain_ok(key) else json.dumps(key, ensure_ascii=False)
    if not isinstance(value, (dict, list)) or not value:
        inline = scalar_text(value, None) if not isinstance(value, (dict, list)) else ("{}" if isinstance(value, dict) else "[]")
        return f"{' ' * indent}{name}: {inline}\n"
    import yaml

    body = yaml.safe_dump(value, default_flow_style=False, sort_keys=False, allow_unicode=True, width=10**6)
    return f"{' ' * indent}{name}:\n" + "".join(f"{' ' * (indent + 2)}{line}\n" for line in body.splitlines())


def replace_scalars(text: str, doc_index: int, edits: Sequence[tuple[str, Any]],
                    additions: Sequence[tuple[str, Any]] = (), removals: Sequence[str] = ()) -> str:
    """``text`` with each (pointer, value) of document ``doc_index`` replaced in place, each
    (pointer, value) of ``additions`` (a key missing from a block mapping) inserted after its
    siblings, and each pointer of ``removals`` (a key only live has) taken out with its lines."""
    nodes = list(iter_nodes(text, ""))
    if doc_index >= len(nodes) or nodes[doc_index] is None:
        raise NotSurgical("no such document")
    lines = LineIndex(text)
    starts = [0] + [n + 1 for n in lines.newlines]
    spans = []
    inserts: dict[int, list[tuple[int, str]]] = {}
    for pointer, value in additions:
        parent_pointer, _, key = pointer.rpartition("/")
        parent = _value_node(nodes[doc_index], parent_pointer)
        if not isinstance(parent, MappingNode) or parent.flow_style or not parent.value:
            raise NotSurgical(f"{pointer}: its parent is not a block mapping")
        end = parent.value[-1][1].end_mark
        at = starts[end.line] if end.column == 0 else (starts[end.line + 1] if end.line + 1 < len(starts) else len(text))
        indent = parent.value[0][0].start_mark.column
        inserts.setdefault(at, []).append((indent, _block(split_pointer("/" + key)[0], value, indent)))
    for pointer in removals:
        parent_pointer, _, key = pointer.rpartition("/")
        parent = _value_node(nodes[doc_index], parent_pointer)
        token = split_pointer("/" + key)[0]
        pairs = [(k, v) for k, v in getattr(parent, "value", []) if isinstance(k, ScalarNode) and k.value == token]
        if not isinstance(parent, MappingNode) or parent.flow_style or len(pairs) != 1 or len(parent.value) < 2:
            raise NotSurgical(f"{pointer}: not a key of its own in a block mapping")
        key_node, value_node = pairs[0]
        while isinstance(value_node, (MappingNode, SequenceNode)) and not value_node.flow_style and value_node.value:
            last = value_node.value[-1]
            value_node = last[1] if isinstance(value_node, MappingNode) else last
        start = starts[key_node.start_mark.line]
        if text[start:start + key_node.start_mark.column].strip():
            raise NotSurgical(f"{pointer}: shares its line with another key")
        end_mark = value_node.end_mark
        end = starts[end_mark.line] if end_mark.column == 0 else text.find("\n", starts[end_mark.line] + end_mark.column)
        end = len(text) if end == -1 else end + (0 if end_mark.column == 0 else 1)
        if end_mark.column and text[starts[end_mark.line] + end_mark.column:end].strip(" \r\n").split("#")[0].strip():
            raise NotSurgical(f"{pointer}: something else follows on its last line")
        spans.append((start, end, ""))
    for pointer, value in edits:
        node = _value_node(nodes[doc_index], pointer)
        if not isinstance(node, ScalarNode) or node.style in ("|", ">"):
            raise NotSurgical(f"{pointer}: not a one-line scalar")
        start = starts[node.start_mark.line] + node.start_mark.column
        end = starts[node.end_mark.line] + node.end_mark.column
        if node.start_mark.line != node.end_mark.line:
            raise NotSurgical(f"{pointer}: a scalar over several lines")
        spans.append((start, end, scalar_text(value, node.style or None)))
    for at, blocks in inserts.items():
        # At one place, deeper mappings end first: their new keys go before the shallower ones'.
        joined = "".join(block for _, block in sorted(blocks, key=lambda b: -b[0]))
        if "\r\n" in text:
            joined = joined.replace("\n", "\r\n")
        spans.append((at, at, ("" if at < len(text) or text.endswith("\n") else "\n") + joined))
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text
