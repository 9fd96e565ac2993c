"""From drift changes to new texts of the files they live in.

Each drifted document's changes become ``Op``s in that file's own pointers: a changed
value is set, a missing key is added (a missing list item appended), and with
``prune`` a live-only key or item is removed. The format's editor makes them in the
text; the result is read back and must equal the live data with the ops applied, or
the file gets a note instead of a patch: a patch is never written that would not
leave the file as the desired state says.
"""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Sequence

from ..errors import TrueupError
from ..load import load_text
from ..pointer import resolves, value_at
from .ops import Op, apply_ops, outermost, same_data
from .ops import NotSurgical
from .yaml_edit import edit_document

if TYPE_CHECKING:
    from ..model import Document, Source
    from .edits import Change, FileEdit


def change_op(change: Change, prune: bool) -> Op | None:
    """The edit of the live file that removes this difference (None: leave it, as without prune)."""
    if change.kind == "changed":
        return Op("set", change.live_path, change.desired_value)
    if change.kind == "extra":
        return Op("remove", change.live_path) if prune else None
    parent = change.live_path.rsplit("/", 1)[0]
    if resolves(change.live.data, parent) and isinstance(value_at(change.live.data, parent), list):
        return Op("add", parent + "/-", change.desired_value)
    return Op("add", change.live_path, change.desired_value)


def _edit_other(text: str, source: Source, index: int, base: str, ops: list[Op], target: Any) -> str:
    """JSON, TOML, INI, .env: the editors take pointers into the whole file (a ``kind: List``
    export's items sit under ``/items/N``)."""
    from ..load import format_module
    from .line_edit import edit_text

    if not base:
        return edit_text(text, source.format, ops, target)
    try:
        whole = format_module(source.format).parse(text, source.file).documents[index]
    except TrueupError:
        raise NotSurgical("the file would not parse") from None
    full = [Op(op.op, base + op.pointer, op.value) for op in ops]
    return edit_text(text, source.format, full, apply_ops(whole, full))


def edited_text(source: Any, by_doc: dict[tuple[int, str], tuple[Any, list[Op]]]) -> str:
    """The source text with each document's ops made, checked by reading it back."""
    text = source.text
    targets = {}
    for (index, base), (data, all_ops) in sorted(by_doc.items()):
        ops = outermost(all_ops)
        try:
            target = apply_ops(data, ops)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise NotSurgical(f"the changes do not fit the file ({type(exc).__name__})") from None
        targets[(index, base)] = target
        if source.format == "yaml":
            text = edit_document(text, index, base, ops, target)
        else:
            text = _edit_other(text, source, index, base, ops, target)
    try:
        loaded = load_text(text, file=source.file, name=source.name, fmt=source.format)
    except TrueupError:
        raise NotSurgical("the edited file would not parse") from None
    found = {(doc.index, doc.base): doc.data for doc in loaded.documents}
    for where, target in targets.items():
        if where not in found or not same_data(found[where], target):
            raise NotSurgical("the edited file would not read back as desired")
    return text


def _only_plain(source: Source) -> bool:
    """A live-only file goes whole only when no Kubernetes object in it is paired on its own."""
    try:
        loaded = load_text(source.text, file=source.file, name=source.name, fmt=source.format)
    except TrueupError:
        return False
    return all(doc.kind != "kubernetes" for doc in loaded.documents)


def plan_file_edits(changes: list[Change], prune: bool = False,
                    deletions: Sequence[Document] = ()) -> tuple[list[FileEdit], list[str]]:
    """New texts for live files, and a note for each file whose drift could not be patched.

    ``deletions``: live-only Kubernetes objects, taken out of their files, and documents of
    live-only files, which go whole; both only when ``prune`` is on."""
    from .edits import FileEdit, relative_name, text_holds_secret
    from .prune import remove_objects

    by_file: dict[str, list[Change]] = defaultdict(list)
    sources: dict[str, Source] = {}
    for change in changes:
        by_file[change.live.source.file].append(change)
        sources[change.live.source.file] = change.live.source
    pruned: dict[str, list[Document]] = defaultdict(list)
    for doc in deletions if prune else ():
        if doc.kind != "kubernetes" and not _only_plain(doc.source):
            continue
        pruned[doc.source.file].append(doc)
        sources[doc.source.file] = doc.source
    edits: list[FileEdit] = []
    notes: list[str] = []
    for file in sorted(sources):
        name = relative_name(file)
        source = sources[file]
        by_doc: dict[tuple[int, str], tuple[Any, list[Op]]] = {}
        for change in by_file.get(file, []):
            op = change_op(change, prune)
            if op is not None:
                key = (change.live.index, change.live.base)
                by_doc.setdefault(key, (change.live.data, []))[1].append(op)
        if not by_doc and not pruned.get(file):
            continue
        try:
            text = edited_text(source, by_doc) if by_doc else source.text
            if pruned.get(file) and any(d.kind != "kubernetes" for d in pruned[file]):
                text = ""
            elif pruned.get(file):
                text = remove_objects(text, pruned[file], source.format)
        except NotSurgical as exc:
            notes.append(f"{name}: {exc}")
            continue
        if text != source.text:
            secret = text_holds_secret(source.text, source) or (bool(text) and text_holds_secret(text, source))
            edits.append(FileEdit(name, source, text, secret, deleted=not text))
    return edits, notes
