"""patch/__init__.py: diffs, secret masking, JSON Patch identity tests, and the patch files write_patches writes."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from trueup.drift import Context, Side, drift
from trueup.load import load_text
from trueup.model import Source
from trueup.patch import (FileEdit, Written, deletions, identity_tests, masked_diff, relative_name, text_holds_secret,
                          unified_diff, write_creations, write_patches)
from trueup.patch.changes import changes_of
from trueup.patch.outpaths import Places

SRC = Source(file="x.yaml", name="x.yaml", text="", format="yaml")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("old, new, diff", [
    ("a\nb\n", "a\nc\n", "--- a/x.yaml\n+++ b/x.yaml\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"),
    ("a\nb", "a\nc", "--- a/x.yaml\n+++ b/x.yaml\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n"
                     "+c\n\\ No newline at end of file\n"),
    ("", "n\n", "--- a/x.yaml\n+++ b/x.yaml\n@@ -0,0 +1 @@\n+n\n"),
    ("a\r\n", "b\r\n", "--- a/x.yaml\n+++ b/x.yaml\n@@ -1 +1 @@\n-a\r\n+b\r\n"),
    ("a\n", "a\n", ""),
], ids=["change", "no-final-newline", "new-file", "crlf", "same"])
def test_unified_diff(old: str, new: str, diff: str) -> None:
    assert unified_diff(old, new, "x.yaml") == diff


def test_relative_name(tmp_path: Path) -> None:
    assert (relative_name("a/b"), relative_name(str(tmp_path / "q/r")), relative_name("/etc/x")) == ("a/b", "q/r", "etc/x")


@pytest.mark.parametrize("text, secret", [("password: abcdef\n", True), ("a: 1\n", False), ("a: [\n", True)],
                         ids=["secret-key", "plain", "unreadable-counts-as-secret"])
def test_text_holds_secret(text: str, secret: bool) -> None:
    assert text_holds_secret(text, SRC) is secret


def test_masked_diff_masks_the_secret_values_of_both_sides() -> None:
    old, new = "user: u\npassword: abcdefg\n", "user: v\npassword: hijklmn\n"
    assert masked_diff(unified_diff(old, new, "x.yaml"), [old, new, ""], SRC) == (
        "--- a/x.yaml\n+++ b/x.yaml\n@@ -1,2 +1,2 @@\n-user: u\n-password: ********\n+user: v\n+password: ********\n")
    assert masked_diff("anything", ["a: [\n"], SRC) is None


def test_file_edit_diffs() -> None:
    source = Source(file="l/a.yaml", name="a.yaml", text="password: abcdefg\n", format="yaml")
    edit = FileEdit("l/a.yaml", source, "password: hijklmn\n", True)
    assert edit.diff == "--- a/l/a.yaml\n+++ b/l/a.yaml\n@@ -1 +1 @@\n-password: abcdefg\n+password: hijklmn\n"
    assert edit.shown_diff() == "--- a/l/a.yaml\n+++ b/l/a.yaml\n@@ -1 +1 @@\n-password: ********\n+password: ********\n"
    gone = FileEdit("l/a.yaml", Source(file="l/a.yaml", name="a.yaml", text="a: 1\n", format="yaml"), "", False, deleted=True)
    assert gone.diff == gone.shown_diff() == "--- a/l/a.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-a: 1\n"


LIVE_OBJECT: dict[str, Any] = {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80}]}, {"image": "x"}]},
                               "m": [{"type": True, "ip": "1"}], "v": [{"mountPath": "/d", "name": "n"}]}


@pytest.mark.parametrize("paths, tests", [
    (["/spec/containers/0/ports/0/protocol"], [("/spec/containers/0/name", "a"), ("/spec/containers/0/ports/0/containerPort", 80)]),
    (["/spec/containers/1/image"], []),
    (["/spec/containers/0/env/-", "/spec/containers/0/image"], [("/spec/containers/0/name", "a")]),
    (["/m/0/x"], [("/m/0/ip", "1")]),
    (["/v/0/readOnly"], [("/v/0/name", "n")]),
    (["/spec/containers/9/x", "/nope/0"], []),
    ([], []),
], ids=["nested-lists", "item-without-identity", "once-per-item", "bool-is-no-identity", "name-before-mount-path",
        "not-in-live", "none"])
def test_identity_tests(paths: list[str], tests: list[tuple[str, Any]]) -> None:
    assert identity_tests(LIVE_OBJECT, paths) == [{"op": "test", "path": p, "value": v} for p, v in tests]


DESIRED = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: api
        image: api:2
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: new
  namespace: shop
data:
  k: v
"""
LIVE = """\
# live export
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 2  # scaled by hand
  template:
    spec:
      containers:
      - name: api
        image: api:1
        tty: true
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: old
  namespace: shop
"""


def _drift(desired: str, live: str, name: str = "k8s.yaml") -> tuple[list, list]:
    deltas: list = []
    creations: list = []
    d = load_text(desired, file=f"desired/{name}", name=name, fmt="yaml").documents
    l = load_text(live, file=f"live/{name}", name=name, fmt="yaml").documents
    list(drift([Side(name, d)], [Side(name, l)], Context(changes=deltas, creations=creations)))
    return changes_of(deltas), creations


def _written(out: Path) -> dict[str, tuple[str, int]]:
    return {p.relative_to(out).as_posix(): (p.read_text(), stat.S_IMODE(p.stat().st_mode))
            for p in sorted(out.rglob("*")) if p.is_file()}


DEPLOYMENT_YAML = DESIRED.split("---\n")[0]


def test_write_patches_with_prune(tmp_path: Path) -> None:
    changes, creations = _drift(DESIRED, LIVE)
    written = write_patches(changes, tmp_path / "out", prune=True, creations=creations)
    assert written.not_in_file_diffs == []
    assert [p.relative_to(tmp_path / "out").as_posix() for p in written.files] == [
        "kubernetes/ConfigMap_shop_new.yaml", "kubernetes/ConfigMap_shop_old.delete.yaml", "live/k8s.yaml.patch",
        "kubernetes/Deployment_shop_api.jsonpatch.json", "kubernetes/Deployment_shop_api.yaml"]
    files = _written(tmp_path / "out")
    assert files["kubernetes/ConfigMap_shop_new.yaml"] == (DESIRED.split("---\n")[1], 0o644)
    assert files["kubernetes/ConfigMap_shop_old.delete.yaml"] == (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\n  namespace: shop\n", 0o644)
    assert json.loads(files["kubernetes/Deployment_shop_api.jsonpatch.json"][0]) == [
        {"op": "test", "path": "/spec/template/spec/containers/0/name", "value": "api"},
        {"op": "replace", "path": "/spec/replicas", "value": 3},
        {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "api:2"},
        {"op": "remove", "path": "/spec/template/spec/containers/0/tty"}]
    assert files["kubernetes/Deployment_shop_api.yaml"] == (DEPLOYMENT_YAML, 0o644)
    assert files["live/k8s.yaml.patch"] == (
        "--- a/live/k8s.yaml\n+++ b/live/k8s.yaml\n@@ -5,16 +5,9 @@\n   name: api\n   namespace: shop\n spec:\n"
        "-  replicas: 2  # scaled by hand\n+  replicas: 3  # scaled by hand\n   template:\n     spec:\n       containers:\n"
        "       - name: api\n-        image: api:1\n-        tty: true\n----\n-apiVersion: v1\n-kind: ConfigMap\n-metadata:\n"
        "-  name: old\n-  namespace: shop\n+        image: api:2\n", 0o644)


def test_write_patches_without_prune_leaves_live_only_things(tmp_path: Path) -> None:
    changes, creations = _drift(DESIRED, LIVE)
    write_patches(changes, tmp_path / "out", creations=creations)
    files = _written(tmp_path / "out")
    assert sorted(files) == ["kubernetes/ConfigMap_shop_new.yaml", "kubernetes/Deployment_shop_api.jsonpatch.json",
                             "kubernetes/Deployment_shop_api.yaml", "live/k8s.yaml.patch"]
    assert [op["op"] for op in json.loads(files["kubernetes/Deployment_shop_api.jsonpatch.json"][0])] == [
        "test", "replace", "replace"]
    assert files["live/k8s.yaml.patch"][0] == (
        "--- a/live/k8s.yaml\n+++ b/live/k8s.yaml\n@@ -5,12 +5,12 @@\n   name: api\n   namespace: shop\n spec:\n"
        "-  replicas: 2  # scaled by hand\n+  replicas: 3  # scaled by hand\n   template:\n     spec:\n       containers:\n"
        "       - name: api\n-        image: api:1\n+        image: api:2\n         tty: true\n ---\n apiVersion: v1\n")


def test_secret_patches_are_owner_only(tmp_path: Path) -> None:
    secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\ndata:\n  pw: {}\n"
    changes, creations = _drift(secret.format("bmV3LXNlY3JldA=="), secret.format("b2xkLXNlY3JldA=="), "s.yaml")
    write_patches(changes, tmp_path / "out", creations=creations)
    assert {name: mode for name, (_, mode) in _written(tmp_path / "out").items()} == {
        "kubernetes/Secret_shop_db.jsonpatch.json": 0o600, "kubernetes/Secret_shop_db.yaml": 0o600,
        "live/s.yaml.patch": 0o600}


def test_adopt_writes_reverse_patches_of_plain_desired_files_only(tmp_path: Path) -> None:
    Path("desired").mkdir()
    Path("desired/app.yaml").write_text("# kept\nworkers: 4  # per core\n")
    changes, creations = _drift("# kept\nworkers: 4  # per core\n", "workers: 8\n", "app.yaml")
    written = write_patches(changes, tmp_path / "out", direction="adopt", creations=creations)
    assert written.not_in_file_diffs == []
    assert _written(tmp_path / "out") == {"desired/app.yaml.patch": (
        "--- a/desired/app.yaml\n+++ b/desired/app.yaml\n@@ -1,2 +1,2 @@\n # kept\n-workers: 4  # per core\n"
        "+workers: 8  # per core\n", 0o644)}


def test_write_creations_writes_a_new_file_diff(tmp_path: Path) -> None:
    [doc] = load_text("level: info\n", file="desired/log.yaml", name="log.yaml", fmt="yaml").documents
    written = Written(places=Places(tmp_path / "out"))
    write_creations([("file", doc, "live/log.yaml"), ("delete-object", doc, None)], tmp_path / "out", written)
    assert _written(tmp_path / "out") == {
        "live/log.yaml.patch": ("--- /dev/null\n+++ b/live/log.yaml\n@@ -0,0 +1 @@\n+level: info\n", 0o644)}


def test_deletions_are_the_live_only_documents() -> None:
    a, b, c = (load_text(f"n: {i}\n", file=f"f{i}", name=f"f{i}", fmt="yaml").documents[0] for i in range(3))
    assert deletions([("object", a, None), ("delete-object", b, "ns"), ("delete-file", c, None), ("file", a, "x")]) == [b, c]


def test_written_write_keeps_the_path_and_mode(tmp_path: Path) -> None:
    written = Written(places=Places(tmp_path / "out"))
    written.write("live/a.env", ".patch", "text\n", True)
    assert written.files == [tmp_path / "out/live/a.env.patch"]
    assert _written(tmp_path / "out") == {"live/a.env.patch": ("text\n", 0o600)}
    assert sorted(os.listdir(tmp_path / "out")) == ["live"]
