"""filecheck.py: one file of ``trueup validate PATHS`` checked, and what it keeps for cross-file rules."""
from __future__ import annotations

from pathlib import Path

import pytest

from trueup.config import config_free
from trueup.errors import ParseError
from trueup.filecheck import FileCheck, PlainFile, parse_failure, read_crds, schema_bytes, set_namespace
from trueup.load import load_text
from trueup.options import CheckSettings
from trueup.wiring import checker_for

SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n"


def _item(path: Path, name: str, **kw) -> PlainFile:
    return PlainFile(path, name, "yaml", None, kw.pop("named", True), **kw)


@pytest.mark.parametrize("data, named, exists, rule", [
    (None, True, False, "input.unreadable"),     # named and cannot be opened: the run is incomplete
    (b"a: {{ x }}\n: [", True, True, "input.template"),
    (b"a: [\n", True, True, "input.parse"),
    (None, False, False, "input.parse"),          # met in a walk, gone since: malformed, not a failed run
], ids=["unreadable", "template", "malformed", "walked-and-gone"])
def test_parse_failure_says_what_the_file_is(tmp_path: Path, data: bytes | None, named: bool, exists: bool,
                                             rule: str) -> None:
    path = tmp_path / "f.yaml"
    if exists:
        path.write_bytes(data or b"")
    finding = parse_failure(ParseError("invalid YAML: x", "f.yaml", 1, 2), _item(path, "f.yaml", named=named), data)
    assert (finding.rule, finding.file, finding.line) == (rule, "f.yaml", 1)


def test_set_namespace_moves_namespaced_objects_only() -> None:
    docs = load_text("kind: Deployment\napiVersion: apps/v1\nmetadata: {name: a, namespace: old}\n---\n"
                     "kind: ClusterRole\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: r}\n---\n"
                     "kind: [odd]\napiVersion: v1\nmetadata: {name: b}\n",
                     file="k.yaml", name="k.yaml", fmt="yaml", kind="kubernetes").documents
    set_namespace(docs, "team")
    assert [d.data["metadata"].get("namespace") for d in docs] == ["team", None, None]


def test_schema_bytes_of_a_missing_schema_are_empty(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_bytes(b"{}")
    assert (schema_bytes(tmp_path / "s.json"), schema_bytes(tmp_path / "none.json")) == (b"{}", b"")


def test_a_file_checked_gives_findings_counts_and_what_cross_file_rules_keep(tmp_path: Path) -> None:
    (tmp_path / "svc.yaml").write_text(SERVICE, encoding="utf-8")
    config = config_free(tmp_path)
    checker = checker_for(config, CheckSettings())
    check = FileCheck(config, checker, None, {"svc.yaml"}, partial=False)
    findings, kept, (count, unvalidated), entry = check(_item(tmp_path / "svc.yaml", "svc.yaml"))
    assert (count, unvalidated, entry) == (1, [], None)
    assert [d.target for d in kept] == ["Service/default/web"]
    assert kept[0].source.text is None  # kept documents do not hold the file's text
    context = FileCheck(config, checker, None, set(), partial=False)
    assert context(_item(tmp_path / "svc.yaml", "svc.yaml"))[0] == []  # context only: read, not reported


def test_read_crds_learns_crds_and_keeps_their_data_for_the_check(tmp_path: Path) -> None:
    crd = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: ws.example.com}\n"
           "spec:\n  group: example.com\n  names: {kind: W, plural: ws}\n  scope: Namespaced\n  versions:\n"
           "    - name: v1\n      served: true\n      storage: true\n      schema: {openAPIV3Schema: {type: object}}\n")
    (tmp_path / "crd.yaml").write_text(crd, encoding="utf-8")
    (tmp_path / "svc.yaml").write_text(SERVICE, encoding="utf-8")
    config = config_free(tmp_path)
    checker = checker_for(config, CheckSettings())
    read: dict = {}
    files = [_item(tmp_path / "crd.yaml", "crd.yaml"), _item(tmp_path / "svc.yaml", "svc.yaml")]
    assert read_crds(files, checker, config, read) == []
    assert list(read) == [tmp_path / "crd.yaml"]
    assert read[tmp_path / "crd.yaml"].source.text is None  # the text is read again only for a line
    assert checker.schemas.crd_digest
