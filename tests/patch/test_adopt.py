"""patch/adopt.py: reverse changes for plain desired files only; templates and live-only things become notes."""
from __future__ import annotations

from pathlib import Path

import pytest

from trueup.load import load_text
from trueup.model import Document
from trueup.patch import Change
from trueup.patch.adopt import adopt


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # notes name files relative to the working directory


def _doc(path: Path, text: str, on_disk: str | bytes | None = None) -> Document:
    """The document trueup compared (``text``); the file holds ``on_disk`` (default: the same text)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(on_disk, bytes):
        path.write_bytes(on_disk)
    else:
        path.write_bytes((text if on_disk is None else on_disk).encode("utf-8"))
    return load_text(text, file=str(path), name=path.name, fmt="yaml").documents[0]


def _change(desired: Document, live: Document) -> Change:
    change = Change("changed", desired, live, "/a", "/a", 1, 2)
    change.reverse = lambda: Change("changed", live, desired, "/a", "/a", 2, 1)
    return change


def test_a_plain_desired_file_gets_the_reverse_change(tmp_path: Path) -> None:
    desired = _doc(tmp_path / "templates/app.yaml", "a: 1\n")
    live = _doc(tmp_path / "live/app.yaml", "a: 2\n")
    changes, gone, notes = adopt([_change(desired, live)], [])
    assert [(c.kind, c.live is desired, c.desired is live, c.live_path, c.desired_value) for c in changes] == [
        ("changed", True, True, "/a", 2)]
    assert (gone, notes) == ([], [])


@pytest.mark.parametrize("on_disk", ["a: {{ a }}\n", b"a: \xff\n", "a: 1\r\n"],
                         ids=["template", "not-utf8", "other-line-endings"])
def test_a_desired_file_whose_text_is_not_what_was_compared_is_a_note(tmp_path: Path, on_disk: str | bytes) -> None:
    desired = _doc(tmp_path / "templates/app.yaml", "a: 1\n", on_disk)
    live = _doc(tmp_path / "live/app.yaml", "a: 2\n")
    assert adopt([_change(desired, live), _change(desired, live)], []) == (
        [], [], ["templates/app.yaml: rendered from a template; adopt edits plain files only"])


def test_a_byte_order_mark_does_not_make_a_file_a_template(tmp_path: Path) -> None:
    desired = _doc(tmp_path / "templates/app.yaml", "a: 1\n", b"\xef\xbb\xbfa: 1\n")
    live = _doc(tmp_path / "live/app.yaml", "a: 2\n")
    changes, _, notes = adopt([_change(desired, live)], [])
    assert (len(changes), notes) == (1, [])


def test_a_desired_file_that_is_gone_is_a_note(tmp_path: Path) -> None:
    desired = _doc(tmp_path / "templates/app.yaml", "a: 1\n")
    live = _doc(tmp_path / "live/app.yaml", "a: 2\n")
    (tmp_path / "templates/app.yaml").unlink()
    assert adopt([_change(desired, live)], [])[2] == ["templates/app.yaml: rendered from a template; adopt edits plain files only"]


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"


def test_what_only_desired_has_is_taken_out_of_plain_files(tmp_path: Path) -> None:
    obj = _doc(tmp_path / "templates/cm.yaml", CM)
    file = _doc(tmp_path / "templates/extra.yaml", "x: 1\n")
    tpl = _doc(tmp_path / "templates/tpl.yaml", "y: 1\n", "y: {{ y }}\n")
    changes, gone, notes = adopt([], [("object", obj, "shop"), ("file", file, "live/extra.yaml"), ("file", tpl, "live/tpl.yaml")])
    assert changes == []
    assert gone == [("delete-object", obj, "shop"), ("delete-file", file, "live/extra.yaml")]
    assert notes == ["templates/tpl.yaml: rendered from a template; adopt edits plain files only"]


def test_what_only_live_has_is_named_to_copy_by_hand(tmp_path: Path) -> None:
    obj = _doc(tmp_path / "live/cm.yaml", CM)
    other = _doc(tmp_path / "live/other.yaml", CM.replace("name: cm", "name: other\n  namespace: ops"))
    file = _doc(tmp_path / "live/extra.yaml", "x: 1\n")
    changes, gone, notes = adopt([], [("delete-object", obj, "shop"), ("delete-object", other, None),
                                      ("delete-file", file, None)])
    assert (changes, gone) == ([], [])
    assert notes == ["ConfigMap/ops/other: exists only live; copy it into the desired state by hand",
                     "ConfigMap/shop/cm: exists only live; copy it into the desired state by hand",
                     "live/extra.yaml: exists only live; copy it into the desired state by hand"]
