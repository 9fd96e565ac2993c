"""The data stages pass on (trueup.model): severities, Sources and lazy lines, Findings, the Summary."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trueup.load import load_bytes, load_text
from trueup.model import (
    CLUSTER_SCOPED_KINDS, NEVER, Document, Finding, Part, Severity, Source, Summary, as_applied, count, finding_at,
    kubernetes_target,
)


@pytest.mark.parametrize("name, severity", [
    ("high", Severity.HIGH), ("  CRITICAL ", Severity.CRITICAL), ("Info", Severity.INFO),
    ("error", Severity.HIGH), ("warning", Severity.MEDIUM), ("warn", Severity.MEDIUM), ("note", Severity.LOW),
], ids=["high", "spaces-upper", "mixed-case", "error", "warning", "warn", "note"])
def test_severity_parse(name: str, severity: Severity) -> None:
    assert Severity.parse(name) is severity


@pytest.mark.parametrize("name", ["", "fatal", "never", "hi gh"], ids=["empty", "fatal", "never", "inner-space"])
def test_severity_parse_refuses_unknown_names(name: str) -> None:
    with pytest.raises(ValueError) as caught:
        Severity.parse(name)
    assert str(caught.value) == f"unknown severity {name!r} (one of: info, low, medium, high, critical)"


def test_severity_order_and_text() -> None:
    assert sorted(Severity, reverse=True) == [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW,
                                              Severity.INFO]
    assert [str(s) for s in Severity] == ["info", "low", "medium", "high", "critical"]
    assert NEVER > Severity.CRITICAL


@pytest.mark.parametrize("obj, default, target", [
    ({"kind": "Deployment", "metadata": {"name": "api", "namespace": "shop"}}, "default", "Deployment/shop/api"),
    ({"kind": "Deployment", "metadata": {"name": "api"}}, "default", "Deployment/default/api"),
    ({"kind": "Deployment", "metadata": {"name": "api"}}, "prod", "Deployment/prod/api"),
    ({"kind": "Namespace", "metadata": {"name": "shop", "namespace": "x"}}, "default", "Namespace/shop"),
    ({"kind": "Job", "metadata": {"generateName": "migrate-"}}, "default", "Job/default/migrate-"),
    ({"kind": "Pod"}, "default", "Pod/default/?"),
    ({"metadata": "not a mapping"}, "default", "?/default/?"),
    ({"kind": ["List"], "metadata": {"name": "x"}}, "default", "['List']/default/x"),
], ids=["namespaced", "default-namespace", "given-default", "cluster-scoped", "generate-name", "no-metadata",
        "bad-metadata", "non-string-kind"])
def test_kubernetes_target(obj: dict, default: str, target: str) -> None:
    assert kubernetes_target(obj, default) == target


def test_cluster_scoped_kinds_hold_the_usual_ones() -> None:
    assert {"Namespace", "ClusterRole", "CustomResourceDefinition", "StorageClass"} <= CLUSTER_SCOPED_KINDS
    assert "Deployment" not in CLUSTER_SCOPED_KINDS and "Secret" not in CLUSTER_SCOPED_KINDS


DEPLOY = b"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
"""


def _doc(text: bytes = DEPLOY, name: str = "k8s/api.yaml", **kwargs: Any) -> Document:
    return load_text(text.decode(), file=f"t/{name}", name=name, fmt="yaml", **kwargs).documents[0]


def test_document_target_and_locate() -> None:
    doc = _doc()
    assert (doc.kind, doc.target) == ("kubernetes", "Deployment/default/api")
    assert doc.locate("/spec/replicas") == (6, 3)
    assert doc.locate("/spec/missing") == (5, 1)  # a missing place: its nearest ancestor that exists
    config = _doc(b"a: 1\n", name="config dir/ü.yaml")
    assert (config.kind, config.target) == ("config", "config dir/ü.yaml")


def test_list_items_locate_below_their_base() -> None:
    text = b"apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n" \
           b"  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: b}\n"
    docs = load_text(text.decode(), file="l.yaml", name="l.yaml", fmt="yaml").documents
    assert [(d.base, d.target) for d in docs] == [("/items/0", "ConfigMap/default/a"), ("/items/1", "ConfigMap/default/b")]
    assert docs[1].locate("/metadata/name") == (9, 16)


def test_a_line_map_sends_positions_to_template_lines() -> None:
    doc = _doc(line_map=[10, 11, 12, 13, 20, 21])
    assert doc.locate("/spec/replicas") == (21, 3)


def test_a_line_past_the_line_map_is_kept() -> None:
    doc = _doc(line_map=[10])
    assert doc.locate("/kind") == (2, 1)


def test_released_text_is_read_again_only_while_the_file_is_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_bytes(DEPLOY)
    doc = load_bytes(DEPLOY, path, file="api.yaml", name="api.yaml", fmt="yaml").documents[0]
    doc.source.forget_positions()
    doc.source.release_text()
    assert doc.source.text is None
    assert doc.locate("/metadata/name") == (4, 3)  # re-read, same digest
    doc.source.forget_positions()
    path.write_bytes(DEPLOY.replace(b"name: api", b"name: web"))
    assert doc.locate("/metadata/name") is None   # changed since: no line rather than a wrong one
    path.unlink()
    assert doc.locate("/metadata/name") is None


def test_text_not_read_from_disk_is_never_released() -> None:
    doc = _doc()
    doc.source.release_text()
    assert doc.source.text == DEPLOY.decode()


def test_a_source_without_a_locator_has_no_positions() -> None:
    source = Source(file="f", name="f", text="a: 1\n", format="yaml")
    assert Document({"a": 1}, source).locate("/a") is None


@pytest.mark.parametrize("data, namespace, expected_ns", [
    ({"kind": "Deployment", "metadata": {"name": "api"}}, "shop", "shop"),
    ({"kind": "Deployment", "metadata": {"name": "api", "namespace": "own"}}, "shop", "own"),
    ({"kind": "Deployment"}, "shop", "shop"),
    ({"kind": "Deployment", "metadata": None}, "shop", "shop"),
    ({"kind": "ClusterRole", "metadata": {"name": "r"}}, "shop", None),
    ({"kind": "Deployment", "metadata": {"name": "api"}}, None, None),
], ids=["fills-in", "keeps-own", "no-metadata", "null-metadata", "cluster-scoped", "no-namespace"])
def test_as_applied(data: dict, namespace: str | None, expected_ns: str | None) -> None:
    source = Source(file="f.yaml", name="f.yaml", text="", format="yaml")
    doc = Document(data, source, kind="kubernetes", namespace=namespace)
    applied = as_applied(doc)
    meta = applied.data.get("metadata") or {}
    assert meta.get("namespace") == expected_ns
    if applied is not doc:
        assert applied.namespace is None and applied.source is source
        assert doc.data == data  # the original is left as it was


def test_as_applied_leaves_config_files_alone() -> None:
    source = Source(file="f.yaml", name="f.yaml", text="", format="yaml")
    doc = Document({"kind": "Deployment"}, source, kind="config", namespace="shop")
    assert as_applied(doc) is doc


def test_finding_at_names_file_line_and_target() -> None:
    doc = _doc(name="k8s/ü api.yaml")
    found = finding_at(doc, "/spec/replicas", rule="R", severity=Severity.LOW, message="m", desired=2, live=3)
    assert (found.rule, found.severity, found.message, found.target, found.path, found.file, found.line,
            found.column, found.desired, found.live) == (
        "R", Severity.LOW, "m", "Deployment/default/api", "/spec/replicas", "t/k8s/ü api.yaml", 6, 3, 2, 3)
    unlocated = Document({"a": 1}, Source(file="f", name="f", text="a: 1\n", format="yaml"))
    missing = finding_at(unlocated, "/a", rule="R", severity=Severity.LOW, message="m")
    assert (missing.file, missing.target, missing.line, missing.column) == ("f", "f", None, None)


def test_finding_json_round_trip() -> None:
    finding = Finding("drift.changed", Severity.MEDIUM, "replicas changed", "Deployment/shop/api", "/spec/replicas",
                      "t/api.yaml.j2", 6, 3, desired=2, live=3, waived=True, environment="prod",
                      live_file="live/api.yaml", live_line=9, blame={"commit": "abc"})
    data = finding.to_json()
    assert data["severity"] == "medium"
    assert (data["live_file"], data["live_line"], data["blame"]) == ("live/api.yaml", 9, {"commit": "abc"})
    assert Finding.from_json(data) == finding


def test_finding_json_leaves_out_absent_extras() -> None:
    data = Finding("R", Severity.INFO, "m", "t").to_json()
    assert list(data) == ["rule", "severity", "message", "target", "path", "file", "line", "column", "desired",
                          "live", "waived", "environment"]
    assert Finding.from_json({"rule": "R", "severity": "warning", "message": "m", "target": "t"}) == Finding(
        "R", Severity.MEDIUM, "m", "t")


def _finding(rule: str, severity: Severity, waived: bool = False) -> Finding:
    return Finding(rule, severity, "m", "t", waived=waived)


def test_summary_counts_and_exit_codes() -> None:
    summary = Summary(fail_on=Severity.MEDIUM)
    found = [_finding("a", Severity.LOW), _finding("b", Severity.MEDIUM), _finding("b", Severity.HIGH, waived=True)]
    assert list(count(summary, found)) == found
    assert (summary.total, summary.failing, summary.waived, summary.exit_code) == (3, 1, 1, 1)
    assert summary.by_rule == {"a": 1, "b": 2}
    assert summary.active_by_severity == {"low": 1, "medium": 1}
    summary.add(_finding("input.render", Severity.INFO))
    assert (summary.incomplete, summary.exit_code) == (1, 2)


@pytest.mark.parametrize("fail_on, label, code", [
    (Severity.HIGH, "high", 0), (Severity.LOW, "low", 1), (NEVER, "never", 0),
], ids=["high", "low", "never"])
def test_summary_threshold(fail_on: int, label: str, code: int) -> None:
    summary = Summary(fail_on=fail_on)
    summary.add(_finding("x", Severity.MEDIUM))
    assert (summary.fail_label, summary.exit_code, summary.to_json()["fail_on"]) == (label, code, label)


def test_summary_to_json() -> None:
    summary = Summary(files=2, documents=5)
    summary.add(_finding("z", Severity.HIGH))
    summary.add(_finding("a", Severity.LOW))
    summary.skip("Widget", "Widget/x (a.yaml)")
    summary.skip(None)
    assert summary.to_json() == {
        "total": 2, "files": 2, "documents": 5,
        "by_severity": {"info": 0, "low": 1, "medium": 0, "high": 1, "critical": 0},
        "by_rule": {"a": 1, "z": 1}, "fail_on": "high", "failing": 1, "waived": 0, "skipped": 1,
        "skipped_kinds": {"Widget": 1}, "exit_code": 1,
    }
    assert summary.unvalidated_documents == [("Widget", "Widget/x (a.yaml)")]


def test_checked_text() -> None:
    summary = Summary(documents=4, rules=1, validating=True)
    assert summary.checked_text() == "4 validated against a schema; 1 rule run"
    summary.skip("config")
    summary.skip("Widget")
    summary.skip("Widget")
    summary.rules = 7
    summary.templates = {f"chart{i}": ["a.yaml"] for i in range(6)}
    assert summary.checked_text() == (
        "1 validated against a schema, 3 documents had no schema (kinds: Widget, config); 7 rules run; "
        "6 Helm template files of 6 charts (chart0, chart1, chart2, chart3, chart4, and 1 more) not read as data")
    assert Summary(documents=3).checked_text() == ""            # nothing validated
    assert Summary(validating=True).checked_text() == ""        # nothing there


def test_part_holds_its_two_questions() -> None:
    part = Part(keeps=lambda doc, rel: rel == "a.yaml", reports=lambda file: file.endswith(".json"))
    assert (part.keeps(None, "a.yaml"), part.keeps(None, "b.yaml")) == (True, False)  # type: ignore[arg-type]
    assert (part.reports("x.json"), part.reports("x.yaml")) == (True, False)


def test_a_findings_fingerprint_is_its_rule_environment_target_and_path() -> None:
    """Baselines, SARIF, new-since reports and the audit log name a finding by this: what edits move
    (its message, line, values, severity) leaves it unchanged; each of the four parts changes it."""
    import hashlib
    import json

    from trueup.model import Finding, Severity

    base = Finding("R1", Severity.HIGH, "m", "Deployment/a/b", "/spec/x", file="f.yaml", line=3, environment="prod")
    expected = hashlib.sha256(json.dumps(["R1", "prod", "Deployment/a/b", "/spec/x"]).encode()).hexdigest()[:16]
    assert base.fingerprint == expected
    moved = Finding("R1", Severity.LOW, "other words", "Deployment/a/b", "/spec/x", file="g.yaml", line=9,
                    environment="prod", desired=1, live=2)
    assert moved.fingerprint == expected
    others = [Finding("R2", Severity.HIGH, "m", "Deployment/a/b", "/spec/x", environment="prod"),
              Finding("R1", Severity.HIGH, "m", "Deployment/a/b", "/spec/x", environment="dev"),
              Finding("R1", Severity.HIGH, "m", "Deployment/a/c", "/spec/x", environment="prod"),
              Finding("R1", Severity.HIGH, "m", "Deployment/a/b", "/spec/y", environment="prod")]
    assert len({expected, *(f.fingerprint for f in others)}) == 5
