"""patch/plan.py: drift changes to ops, ops to new file texts, each read back before it is kept."""
from __future__ import annotations

from typing import Any

import pytest

from trueup.drift import Context, Side, drift
from trueup.load import load_text
from trueup.model import Document
from trueup.patch import Change, deletions
from trueup.patch.changes import changes_of
from trueup.patch.ops import NotSurgical, Op
from trueup.patch.plan import change_op, edited_text, plan_file_edits


def _load(text: str, file: str, fmt: str) -> list[Document]:
    return load_text(text, file=file, name=file.split("/", 1)[1], fmt=fmt).documents


def _plan(desired: str, live: str, name: str, fmt: str, prune: bool = False) -> tuple[list[tuple], list[str]]:
    deltas: list = []
    creations: list = []
    d, l = _load(desired, f"d/{name}", fmt), _load(live, f"l/{name}", fmt)
    list(drift([Side(name, d)], [Side(name, l)], Context(changes=deltas, creations=creations)))
    edits, notes = plan_file_edits(changes_of(deltas), prune, deletions(creations))
    return [(e.name, e.text, e.secret, e.deleted) for e in edits], notes


LIVE = _load("a: 1\nl: [x]\nm: {k: v}\n", "l/app.yaml", "yaml")[0]


@pytest.mark.parametrize("kind, path, value, prune, op", [
    ("changed", "/a", 2, False, Op("set", "/a", 2)),
    ("extra", "/a", None, True, Op("remove", "/a")),
    ("extra", "/a", None, False, None),
    ("missing", "/l/1", "y", False, Op("add", "/l/-", "y")),
    ("missing", "/m/j", "w", False, Op("add", "/m/j", "w")),
    ("missing", "/n/j", "w", False, Op("add", "/n/j", "w")),
], ids=["changed-sets", "extra-pruned-removes", "extra-kept", "missing-item-appends", "missing-key-adds",
        "missing-under-missing-parent"])
def test_change_op(kind: str, path: str, value: Any, prune: bool, op: Op | None) -> None:
    change = Change(kind, LIVE, LIVE, path, path, value, None)
    assert change_op(change, prune) == op


CASES = [
    ("a: 1\nb: [1]\n", "# c\na: 2  # k\nb: []\nz: 1\n", "app.yaml", "yaml", False,
     [("l/app.yaml", "# c\na: 1  # k\nb: [1]\nz: 1\n", False, False)]),
    ("a: 1\nb: [1]\n", "# c\na: 2  # k\nb: []\nz: 1\n", "app.yaml", "yaml", True,
     [("l/app.yaml", "# c\na: 1  # k\nb: [1]\n", False, False)]),
    ('{"a": 1}', '{"a": 2, "z": 3}', "app.json", "json", True, [("l/app.json", '{"a": 1}', False, False)]),
    ("A=1\n", "A=2\r\npassword=x\r\n", "app.env", "dotenv", True, [("l/app.env", "A=1\r\n", True, False)]),
    ("[s]\nk = 1\n", "; c\n[s]\nk = 2\n", "app.ini", "ini", False, [("l/app.ini", "; c\n[s]\nk = 1\n", False, False)]),
    ("a = 1\n", "a = 2  # c\n", "app.toml", "toml", False, [("l/app.toml", "a = 1  # c\n", False, False)]),
    ("password: new\n", "password: old\n", "app.yaml", "yaml", False, [("l/app.yaml", "password: new\n", True, False)]),
    ("a: 1\n", "a: 1\n", "app.yaml", "yaml", True, []),
    ("a: 1\n", "a: 1\nz: 2\n", "app.yaml", "yaml", False, []),
]
IDS = ["yaml-kept-extra", "yaml-pruned", "json", "dotenv-crlf-secret", "ini", "toml", "secret-yaml", "no-drift",
       "only-extra-without-prune"]


@pytest.mark.parametrize("desired, live, name, fmt, prune, expected", CASES, ids=IDS)
def test_plan_file_edits(desired: str, live: str, name: str, fmt: str, prune: bool, expected: list) -> None:
    assert _plan(desired, live, name, fmt, prune) == (expected, [])


def test_an_edit_that_would_not_read_back_is_a_note_not_an_edit() -> None:
    assert _plan("base:\n  x: 1\n  y: 2\nother:\n  x: 1\n", "base: &b\n  x: 1\nother: *b\n", "app.yaml", "yaml") == (
        [], ["l/app.yaml: the edited file would not read back as desired"])


A = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n"
B = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"


def test_live_only_objects_are_pruned_with_their_document() -> None:
    assert _plan(A, A.replace("k: v", "k: w") + "---\n" + B, "k.yaml", "yaml", prune=True) == (
        [("l/k.yaml", A, False, False)], [])
    assert _plan(A, A + "---\n" + B, "k.yaml", "yaml", prune=False) == ([], [])


def test_a_file_left_with_no_object_is_deleted() -> None:
    [doc] = _load(B, "l/b.yaml", "yaml")
    edits, notes = plan_file_edits([], prune=True, deletions=[doc])
    assert ([(e.name, e.text, e.deleted) for e in edits], notes) == ([("l/b.yaml", "", True)], [])
    assert plan_file_edits([], prune=False, deletions=[doc]) == ([], [])


def test_a_live_only_plain_file_goes_whole_but_not_one_holding_objects() -> None:
    [plain] = _load("a: 1\n", "l/extra.yaml", "yaml")
    edits, _ = plan_file_edits([], prune=True, deletions=[plain])
    assert [(e.name, e.text, e.deleted) for e in edits] == [("l/extra.yaml", "", True)]
    # a plain document of a file that also holds a Kubernetes object: left to the object's own pairing
    mixed = _load("a: 1\n---\n" + B, "l/mixed.yaml", "yaml")
    assert plan_file_edits([], prune=True, deletions=[mixed[0]]) == ([], [])


def test_edited_text_makes_each_documents_ops() -> None:
    text = "a: 1  # one\n---\nb: 2\n"
    docs = _load(text, "l/app.yaml", "yaml")
    source = docs[0].source
    by_doc = {(0, ""): (docs[0].data, [Op("set", "/a", 5)]), (1, ""): (docs[1].data, [Op("add", "/c", 3)])}
    assert edited_text(source, by_doc) == "a: 5  # one\n---\nb: 2\nc: 3\n"


def test_edited_text_edits_a_json_list_item_by_its_base() -> None:
    text = '{"kind": "List", "apiVersion": "v1", "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}]}'
    [doc] = _load(text, "l/list.json", "json")
    assert doc.base == "/items/0"
    out = edited_text(doc.source, {(0, "/items/0"): (doc.data, [Op("add", "/data", {"k": "v"})])})
    assert out == text[:-3] + ', "data": {"k": "v"}}]}'


@pytest.mark.parametrize("ops, words", [
    ([Op("set", "/missing/x", 1)], "the changes do not fit the file (KeyError)"),
    ([Op("set", "/a/x", 1)], "the changes do not fit the file (TypeError)"),
], ids=["missing-parent", "scalar-parent"])
def test_edited_text_refuses_changes_that_do_not_fit(ops: list[Op], words: str) -> None:
    [doc] = _load("a: 1\n", "l/app.yaml", "yaml")
    with pytest.raises(NotSurgical) as caught:
        edited_text(doc.source, {(0, ""): (doc.data, ops)})
    assert str(caught.value) == words
