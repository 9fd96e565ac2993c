"""Structural edits of JSON text: set, add and remove members and items, keep every other byte.

A small scanner (the loader's tokenizer, kept apart so the load path stays one
``json.loads``) records where each value and each member (key to value end) lies.
New members go after the container's last one in its layout: a multi-line
container gets a new line at its members' indentation, a one-line one an inline
``, "k": v``; a removed member takes its separating comma with it. A replaced
container or a changed type is the dumped value, re-indented to fit.
"""
from __future__ import annotations

import json
from typing import Any, Sequence

from ..load.json_ import _TOKEN
from ..pointer import array_index, split_pointer
from .ops import Op, ordered
from .ops import NotSurgical


class _Node:
    """A value's span; for a member, where it starts (its key) and where its key ends."""

    __slots__ = ("start", "end", "obj", "key", "mstart", "kend", "members")

    def __init__(self, start: int, obj: bool | None, key: str | None, mstart: int, kend: int) -> None:
        self.start, self.end, self.obj = start, start, obj  # obj: True object, False array, None scalar
        self.key, self.mstart, self.kend = key, mstart, kend
        self.members: list[_Node] = []


def _tree(text: str) -> _Node:
    stack: list[_Node] = []
    root = None
    key, kstart, kend = None, -1, -1
    expect_key = False
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is None:
            break
        token, (start, end) = match.group(kind), match.span(kind)
        if kind == "punct":
            if token in "{[":
                stack.append(_Node(start, token == "{", key, start if key is None else kstart, kend))
                key, expect_key = None, token == "{"
            elif token in "}]":
                node = stack.pop()
                node.end, expect_key = end, False
                if stack:
                    stack[-1].members.append(node)
                else:
                    root = node
            elif token == ",":
                expect_key = bool(stack and stack[-1].obj)
            continue
        if expect_key and kind == "str":
            key, kstart, kend, expect_key = json.loads(token), start, end, False
            continue
        node = _Node(start, None, key, start if key is None else kstart, kend)
        node.end, key = end, None
        if stack:
            stack[-1].members.append(node)
        else:
            root = node
    if root is None or stack:
        raise NotSurgical("the file holds no complete JSON value")
    return root


def _child(node: _Node, token: str) -> int | None:
    """The index among ``node``'s members of ``token`` (of a repeated key, the last, which wins)."""
    if node.obj:
        hits = [i for i, member in enumerate(node.members) if member.key == token]
        return hits[-1] if hits else None
    if node.obj is False:
        return array_index(token, len(node.members))
    return None


def _indent(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = start
    while end < len(text) and text[end] in " \t":
        end += 1
    return text[start:end]


def _multiline(text: str, node: _Node) -> bool:
    """Members on lines of their own: a newline between the opening bracket and the first member."""
    first = node.members[0].mstart if node.members else node.end
    return "\n" in text[node.start:first]


class _Style:
    """The file's indent step and key separator, for dumped values."""

    def __init__(self, text: str, root: _Node) -> None:
        self.unit, self.colon = None, None
        stack = [root]
        while stack and (self.unit is None or self.colon is None):
            node = stack.pop()
            if node.obj is None or not node.members:
                continue
            if self.unit is None and _multiline(text, node):
                outer, inner = _indent(text, node.start), _indent(text, node.members[0].mstart)
                if inner.startswith(outer) and len(inner) > len(outer):
                    self.unit = inner[len(outer):]
            if self.colon is None and node.obj:
                gap = text[node.members[0].kend:node.members[0].start]
                self.colon = gap if "\n" not in gap else None
            stack.extend(reversed(node.members))
        self.unit = self.unit or "  "
        self.colon = self.colon or ": "

    def separators(self, text: str, node: _Node) -> tuple[str, str]:
        """(item, key) separators of a one-line container, as it writes them."""
        item, colon = ", ", self.colon
        if len(node.members) >= 2:
            gap = text[node.members[0].end:node.members[1].mstart]
            item = gap if "\n" not in gap else item
        if node.obj and node.members:
            gap = text[node.members[-1].kend:node.members[-1].start]
            colon = gap if "\n" not in gap else colon
        return item, colon


def _dump(value: Any, multi: bool, indent: str, style: _Style, seps: tuple[str, str], nl: str) -> str:
    try:
        if multi and isinstance(value, (dict, list)) and value:
            out = json.dumps(value, indent=style.unit, ensure_ascii=False, separators=(",", seps[1]), allow_nan=False)
            return out.replace("\n", nl + indent)
        # JSON has no infinities nor NaN (RFC 8259 section 6): allow_nan=False refuses them
        return json.dumps(value, ensure_ascii=False, separators=seps, allow_nan=False)
    except (TypeError, ValueError):
        raise NotSurgical("a value with no JSON form") from None


def edit_json(text: str, ops: Sequence[Op]) -> str:
    """``text`` with each op made in turn (in ``ordered`` order, as ``apply_ops`` makes them)."""
    nl = "\r\n" if "\r\n" in text else "\n"
    for op in ordered(ops):
        text = _edit(text, op, nl)
    return text


def _edit(text: str, op: Op, nl: str) -> str:
    root = _tree(text)
    style = _Style(text, root)
    tokens = split_pointer(op.pointer)
    if not tokens:
        if op.op == "remove":
            raise NotSurgical("cannot remove the whole document")
        return _replace(text, root, None, op.value, style, nl)
    chain = [root]
    for token in tokens[:-1]:
        index = _child(chain[-1], token)
        if index is None:
            raise NotSurgical(f"{op.pointer}: its parent is not in the file")
        chain.append(chain[-1].members[index])
    parent, last = chain[-1], tokens[-1]
    if parent.obj is None:
        raise NotSurgical(f"{op.pointer}: its parent is not an object or array")
    index = _child(parent, last)
    if op.op == "remove":
        if index is None:
            raise NotSurgical(f"{op.pointer}: not in the file")
        text = _remove(text, parent, index)
        if parent.obj and sum(member.key == last for member in parent.members) > 1:
            return _edit(text, op, nl)  # a repeated key: every occurrence goes
        return text
    if parent.obj is False and last == "-" or index is None and parent.obj:
        return _add(text, chain, last if parent.obj else None, op.value, style, nl)
    if index is None:
        raise NotSurgical(f"{op.pointer}: no such item in the file")
    return _replace(text, parent.members[index], parent, op.value, style, nl)


def _replace(text: str, node: _Node, parent: _Node | None, value: Any, style: _Style, nl: str) -> str:
    if "\n" in text[node.start:node.end]:
        multi = True
    elif node.obj is not None and node.members:
        multi = False
    else:
        multi = parent is None or _multiline(text, parent)
    seps = style.separators(text, node if node.obj and node.members else parent or node)
    new = _dump(value, multi, _indent(text, node.mstart), style, seps, nl)
    return text[:node.start] + new + text[node.end:]


def _add(text: str, chain: list[_Node], key: str | None, value: Any, style: _Style, nl: str) -> str:
    """A new last member (``key`` None: a new array item) of the container at the end of ``chain``."""
    node = chain[-1]
    if not node.members:
        whole = {key: value} if node.obj else [value]
        return _replace(text, node, chain[-2] if len(chain) > 1 else None, whole, style, nl)
    last = node.members[-1]
    item, colon = style.separators(text, node)
    head = "" if key is None else json.dumps(key, ensure_ascii=False) + colon
    if _multiline(text, node):
        indent = _indent(text, last.mstart)
        new = "," + nl + indent + head + _dump(value, True, indent, style, (",", colon), nl)
    else:
        new = item + head + _dump(value, False, "", style, (item, colon), nl)
    return text[:last.end] + new + text[last.end:]


def _remove(text: str, node: _Node, index: int) -> str:
    """The member without its separating comma: the one before it, or for the first, the one after."""
    members = node.members
    if len(members) == 1:
        return text[:node.start + 1] + text[node.end - 1:]
    if index:
        start, end = members[index - 1].end, members[index].end
    else:
        start, end = members[0].mstart, members[1].mstart
    return text[:start] + text[end:]
