"""Edits of YAML text that touch only what drifted.

A changed one-line scalar has its characters swapped in the original's quoting
style; a key or list item missing from a block collection is inserted after its
siblings in the file's indentation; a live-only key or item (with ``--prune``) is
taken out with its lines. Anything else (a multi-line value, a flow collection, a
value whose type changed, the last key of a mapping) rewrites the smallest block
around it from the target data. Every other byte stays as it was.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any, Sequence

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..load.positions import LineIndex
from ..load.yaml_compose import MERGE, iter_nodes
from ..pointer import array_index, escape_token, split_pointer
from .ops import Op
from .ops import NotSurgical
from .yaml_emit import (after_dash, after_key, flow_text, key_text, scalar_text, sequences_indented,
                        top_level)

__all__ = ["NotSurgical", "edit_document"]

Span = tuple[int, int, str]
_ALIAS = re.compile(r"\*[^\s,\[\]{}]+")
_COMMENT = re.compile(r"(?:^|(?<=\s))#")


def _quoted_like(sibling: Node, value: Any) -> str | None:
    """A new one-line string quoted as its sibling is (``- "8080:80"`` after ``- "443:443"``), else None."""
    if isinstance(value, str) and "\n" not in value and isinstance(sibling, ScalarNode) and sibling.style in ("'", '"'):
        return scalar_text(value, sibling.style)
    return None


def _parent(pointer: str) -> str:
    return pointer.rsplit("/", 1)[0] if pointer else ""


def _inside(pointer: str, outer: str) -> bool:
    return pointer == outer or pointer.startswith(outer + "/") or outer == ""


class _Document:
    def __init__(self, text: str, root: Node, base: str, target: Any) -> None:
        self.text, self.root, self.base, self.target = text, root, base, target
        lines = LineIndex(text)
        self.starts = [0] + [n + 1 for n in lines.newlines]
        self.indented = sequences_indented(root)
        # Memos, so that n edits in one object cost O(n), not O(n^2): a mapping's keys by name, and
        # the floors of a block sequence's items computed so far (each depends on the one before).
        self._keys: dict[int, dict[str, tuple[ScalarNode, Node]]] = {}
        self._floors: dict[int, list[int]] = {}

    def offset(self, mark: Any) -> int:
        return self.starts[mark.line] + mark.column

    def locate(self, pointer: str) -> tuple[Node | None, ScalarNode | None, Node]:
        """(parent node, key node when the parent is a mapping, node) at ``pointer``."""
        parent: Node | None = None
        key: ScalarNode | None = None
        node = self.root
        for token in split_pointer(pointer):
            parent = node
            if isinstance(node, SequenceNode) and (index := array_index(token, len(node.value))) is not None:
                key, node = None, node.value[index]
            elif isinstance(node, MappingNode):
                found = self._by_key(node).get(token)
                if found is None:
                    raise NotSurgical(f"{pointer}: not in the file as written (merged or missing)")
                key, node = found
            else:
                raise NotSurgical(f"{pointer}: no such place in the file")
        return parent, key, node

    def _by_key(self, node: MappingNode) -> dict[str, tuple[ScalarNode, Node]]:
        """The mapping's (key node, value node) by key as written; the last of a repeated key wins."""
        keys = self._keys.get(id(node))
        if keys is None:
            keys = self._keys[id(node)] = {k.value: (k, v) for k, v in node.value
                                           if isinstance(k, ScalarNode) and k.tag != MERGE}
        return keys

    def value(self, pointer: str) -> Any:
        if not pointer.startswith(self.base):
            raise NotSurgical(f"{pointer}: outside the object")
        value = self.target
        for token in split_pointer(pointer[len(self.base):]):
            value = value[int(token)] if isinstance(value, list) else value[token]
        return value

    # An alias (``*name``) composes to the anchored node itself, whose marks are where the anchor
    # is: a node that starts before the place its own text must start at (after its key, after
    # the item before it) is an alias written there, and its text there is just ``*name``.

    def item_floor(self, seq: SequenceNode, index: int) -> int:
        """The earliest offset the text of block item ``index`` can start at."""
        floors = self._floors.setdefault(id(seq), [self.offset(seq.start_mark)])
        while len(floors) <= index:
            floors.append(self.end(seq.value[len(floors) - 1], floors[-1]))
        return floors[index]

    def floor(self, pointer: str) -> int | None:
        parent, key, _ = self.locate(pointer)
        if key is not None:
            return self.offset(key.end_mark)
        if isinstance(parent, SequenceNode) and not parent.flow_style:
            return self.item_floor(parent, int(split_pointer(pointer)[-1]))
        return None

    def is_alias(self, pointer: str) -> bool:
        if not pointer:
            return False
        floor, node = self.floor(pointer), self.locate(pointer)[2]
        return floor is not None and self.offset(node.start_mark) < floor

    def alias_token(self, floor: int) -> tuple[int, int]:
        """Where the first ``*name`` after ``floor`` starts and ends, comments skipped."""
        at = floor
        while at < len(self.text):
            newline = self.text.find("\n", at)
            line_end = len(self.text) if newline < 0 else newline
            found = _ALIAS.search(_COMMENT.split(self.text[at:line_end], 1)[0])
            if found:
                return at + found.start(), at + found.end()
            at = line_end + 1
        raise NotSurgical("an alias could not be found in the text")

    def alias_end(self, floor: int) -> int:
        return self.alias_token(floor)[1]

    def alias_above(self, pointer: str) -> str | None:
        """The outermost place at or above ``pointer`` written as an alias: an edit there or below
        that only this place wants rewrites the alias as the value, leaving the anchor alone."""
        tokens = split_pointer(pointer)
        for depth in range(1, len(tokens) + 1):
            place = "".join("/" + escape_token(token) for token in tokens[:depth])
            if self.is_alias(place):
                return place
        return None

    def alias_dash(self, pointer: str) -> tuple[int, int] | None:
        """(column of the dash, offset of ``*``) of a list item written ``- *name``, else None."""
        floor = self.floor(pointer)
        if floor is None:
            return None
        start, _ = self.alias_token(floor)
        line = self.text.rfind("\n", 0, start) + 1
        head = self.text[line:start]
        if head.rstrip().endswith("-") and not head.rstrip()[:-1].strip():
            return head.index("-"), start
        return None

    def end(self, node: Node, floor: int | None = None) -> int:
        """Where the node's last character ends (a block collection: its last leaf's); ``floor``:
        where its own text can start at the earliest, to tell an alias."""
        while True:
            if floor is not None and self.offset(node.start_mark) < floor:
                return self.alias_end(floor)
            if not (isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value):
                break
            if isinstance(node, MappingNode):
                key, node = node.value[-1]
                floor = self.offset(key.end_mark)
            else:
                floor, node = self.item_floor(node, len(node.value) - 1), node.value[-1]
        at = self.offset(node.end_mark)
        if node.end_mark.column == 0 and at > 0:
            at -= 1
            if at > 0 and self.text[at - 1] == "\r":
                at -= 1
        return at

    def line_after(self, node: Node, floor: int | None = None) -> int:
        newline = self.text.find("\n", self.end(node, floor))
        return len(self.text) if newline < 0 else newline + 1

    def dash(self, item: Node) -> int | None:
        """The column of the ``-`` that opens ``item`` when it stands alone before it on the line."""
        start = self.starts[item.start_mark.line]
        at = self.text.rfind("-", start, self.offset(item.start_mark))
        if at < 0 or self.text[start:at].strip():
            return None
        return at - start

    def whole_lines(self, first: Node, node: Node, item: bool, floor: int | None) -> Span | None:
        """The lines from ``first`` (a key, or a list item after its dash) through ``node``'s end,
        if nothing else is on them."""
        start = self.starts[first.start_mark.line]
        head = self.text[start:self.offset(first.start_mark)].strip()
        if head != ("-" if item else ""):
            return None
        end = self.end(node, floor)
        rest_end = self.line_after(node, floor)
        if self.text[end:rest_end].split("#")[0].strip():
            return None
        return start, rest_end, ""

    # Plans: a span to change, or None when the op needs the block around it rewritten.

    def plan(self, op: Op, removals: Counter) -> Span | None:
        parent, key, node = self.locate(op.pointer if op.op == "set" else _parent(op.pointer))
        if self.alias_above(op.pointer if op.op == "set" else _parent(op.pointer)):
            return None  # this place alone: the alias becomes the value written out
        if op.op == "set":
            flow = bool(getattr(parent, "flow_style", False))
            if isinstance(node, ScalarNode) and node.style not in ("|", ">") \
                    and node.start_mark.line == node.end_mark.line and not isinstance(op.value, (dict, list)):
                try:
                    return self.offset(node.start_mark), self.offset(node.end_mark), scalar_text(op.value, node.style, flow)
                except NotSurgical:
                    return None
            return None
        container = node
        if isinstance(container, (MappingNode, SequenceNode)) and (container.flow_style or not container.value):
            return None
        token = split_pointer(op.pointer)[-1]
        if op.op == "add" and isinstance(container, MappingNode):
            indent = container.value[0][0].start_mark.column
            quoted = _quoted_like(container.value[-1][1], op.value)
            rest = f": {quoted}" if quoted else after_key(op.value, indent, self.indented)
            line = " " * indent + key_text(token) + rest + "\n"
            return self._insert(self.line_after(container), line)
        if op.op == "add" and isinstance(container, SequenceNode) and token == "-":
            column = None if self.is_alias(_parent(op.pointer) + "/0") else self.dash(container.value[0])
            if column is None:
                return None
            quoted = _quoted_like(container.value[-1], op.value)
            line = " " * column + "- " + (quoted or after_dash(op.value, column, self.indented)) + "\n"
            return self._insert(self.line_after(container), line)
        if op.op == "remove" and isinstance(container, (MappingNode, SequenceNode)):
            if removals[_parent(op.pointer)] >= len(container.value):
                return None
            _, key, value = self.locate(op.pointer)
            item = isinstance(container, SequenceNode)
            if item and self.is_alias(op.pointer):
                return None
            return self.whole_lines(value if item else key, value, item, self.floor(op.pointer))
        raise NotSurgical(f"{op.pointer}: no such place in the file")

    def once(self, ops: list[Op]) -> list[Op]:
        """Without ops that repeat, through an alias, an earlier op at another pointer: they are one
        edit of the anchored text (the read-back check then holds every alias to the desired state)."""
        seen: dict[tuple, str] = {}
        kept = []
        for op in ops:
            try:
                where = op.pointer if op.op == "set" else _parent(op.pointer)
                node = self.locate(where)[2]
            except NotSurgical:
                kept.append(op)
                continue
            last = "" if op.op == "set" else split_pointer(op.pointer)[-1]
            key = (id(node), last, op.op, json.dumps(op.value, sort_keys=True, default=repr))
            if seen.setdefault(key, op.pointer) == op.pointer:
                kept.append(op)
        return kept

    def _insert(self, at: int, line: str) -> Span:
        prefix = "" if at == 0 or self.text[at - 1] == "\n" else "\n"
        return at, at, prefix + line

    def writable(self, pointer: str) -> str:
        """The nearest pointer at or above ``pointer`` whose value can be rewritten as a block."""
        pointer = self.alias_above(pointer) or pointer
        while pointer:
            parent, key, node = self.locate(pointer)
            if isinstance(parent, MappingNode) and not parent.flow_style and key is not None:
                return pointer
            if isinstance(parent, SequenceNode) and not parent.flow_style and (
                    self.alias_dash(pointer) if self.is_alias(pointer) else self.dash(node)) is not None:
                return pointer
            pointer = _parent(pointer)
        return pointer

    def rewrite(self, pointer: str) -> Span:
        parent, key, node = self.locate(pointer)
        value = self.value(pointer)
        alias = self.is_alias(pointer)
        end = self.end(node, self.floor(pointer) if pointer else None)
        if not alias and getattr(node, "flow_style", False) and isinstance(value, (dict, list)) and "\n" not in flow_text(value):
            new = flow_text(value)
            start = self.offset(node.start_mark)
            return start, end, new
        if not pointer:
            return self.offset(node.start_mark), end, top_level(value, self.indented)
        if isinstance(parent, MappingNode) and key is not None:
            column = key.start_mark.column
            return self.offset(key.end_mark), end, after_key(value, column, self.indented)
        if alias:
            found = self.alias_dash(pointer)
            assert found is not None
            column, start = found
            return start, end, after_dash(value, column, self.indented)
        column = self.dash(node)
        assert column is not None
        return self.offset(node.start_mark), end, after_dash(value, column, self.indented)


def edit_document(text: str, doc_index: int, base: str, ops: Sequence[Op], target: Any) -> str:
    """``text`` with ``ops`` (pointers into the object at ``base`` of document ``doc_index``) made;
    ``target`` is what that object must read as afterwards."""
    nodes = list(iter_nodes(text, ""))
    if doc_index >= len(nodes) or nodes[doc_index] is None:
        raise NotSurgical("no such document")
    doc = _Document(text, nodes[doc_index], base, target)
    full = doc.once([Op(op.op, base + op.pointer, op.value) for op in ops])
    removals = Counter(_parent(op.pointer) for op in full if op.op == "remove")
    planned: list[tuple[str, Span]] = []
    rewrites: set[str] = set()
    for op in full:
        span = doc.plan(op, removals)
        if span is not None:
            planned.append((op.pointer, span))
        else:
            rewrites.add(doc.writable(op.pointer if op.op == "set" else _parent(op.pointer)))
    if base and any(not p.startswith(base) for p in rewrites):
        raise NotSurgical(f"{base}: the object cannot be rewritten in place")
    rewrites = {p for p in rewrites if not any(q != p and _inside(p, q) for q in rewrites)}
    # At one place, deeper blocks end first: their new lines go before the shallower ones' (by
    # nesting, not indentation: an indentless list's items sit at its key's column).
    ranked = [(span, len(split_pointer(pointer))) for pointer, span in planned
              if not any(_inside(pointer, q) for q in rewrites)]
    ranked += [(doc.rewrite(p), 0) for p in sorted(rewrites)]
    ranked.sort(key=lambda r: (r[0][0], r[0][1], -r[1]))
    spans = [span for span, _ in ranked]
    for before, after in zip(spans, spans[1:]):
        if before[1] > after[0]:
            raise NotSurgical("edits overlap")
    crlf = "\r\n" in text
    pieces, at = [], 0
    for start, end, new in spans:
        pieces += [text[at:start], new.replace("\n", "\r\n") if crlf else new]
        at = end
    return "".join(pieces) + text[at:]
