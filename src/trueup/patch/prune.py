"""``--prune``: whole live-only objects taken out of the files that hold them.

An object that is one document of a YAML stream goes with its ``---`` line; an item
of a ``kind: List`` export goes with its lines; a file left with no document is
deleted. Comments and every other document stay byte-identical, and the result is
read back: the documents left must be exactly the ones that were there but the
pruned.
"""
from __future__ import annotations

import re
from typing import Any, Sequence

from ..errors import TrueupError
from ..load import format_module
from ..load.yaml_compose import iter_nodes
from ..model import Document
from .ops import Op, apply_ops
from .ops import NotSurgical
from .yaml_edit import edit_document

_MARKER = re.compile(r"---(?:[ \t]|\r?$)")
_CONTENT = re.compile(r"^[ \t]*[^\s#%]", re.M)


def _raw(text: str, fmt: str) -> list[Any]:
    try:
        return format_module(fmt).parse(text, "").documents
    except TrueupError:
        raise NotSurgical("the file would not parse after pruning") from None


def _chunks(text: str) -> tuple[list[str], int]:
    """The text cut before each ``---`` line, and the index of the chunk holding document 0."""
    lines = text.splitlines(keepends=True)
    chunks = [""]
    for line in lines:
        if _MARKER.match(line):
            chunks.append("")
        chunks[-1] += line
    first = 0 if _CONTENT.search(chunks[0]) else 1
    if len(chunks) - first != len(list(iter_nodes(text, ""))):
        raise NotSurgical("its documents could not be told apart by their --- lines")
    return chunks, first


def remove_objects(text: str, documents: Sequence[Document], fmt: str = "yaml") -> str:
    """``text`` (in ``fmt``) without ``documents`` (objects of that file); "" when nothing would be left."""
    from .line_edit import edit_text

    items: dict[int, list[Op]] = {}
    whole: set[int] = set()
    for doc in documents:
        if doc.base:
            items.setdefault(doc.index, []).append(Op("remove", doc.base))
        else:
            whole.add(doc.index)
    raw = _raw(text, fmt)
    expected = list(raw)
    for index, ops in items.items():
        target = apply_ops(raw[index], ops)
        text = edit_document(text, index, "", ops, target) if fmt == "yaml" else edit_text(text, fmt, ops, target)
        expected[index] = target
    if whole and fmt != "yaml":
        return ""
    if whole:
        chunks, first = _chunks(text)
        for index in sorted(whole, reverse=True):
            del chunks[first + index]
            del expected[index]
        text = "".join(chunks)
    left = [d for d in expected if d is not None]
    if not left:
        return ""
    if [d for d in _raw(text, fmt) if d is not None] != left:
        raise NotSurgical("pruning would change other documents")
    return text
