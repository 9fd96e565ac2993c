"""Schema validation over fixture folders: positive files are clean, negative files match goldens.

Regenerate goldens after a deliberate change with ``TRUEUP_UPDATE_GOLDEN=1 pytest tests/validate``.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import EXAMPLES, REPO

POSITIVE = EXAMPLES / "validate" / "positive"
NEGATIVE = EXAMPLES / "validate" / "negative"
FIELDS = ("rule", "severity", "line", "column", "path", "target", "message", "desired")
EXTRA_ARGS = {"app-config.yaml": ["--schema", REPO / "policy" / "app-config.schema.json"]}


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".json") and ".expected" not in p.name)


@pytest.mark.parametrize("name", _files(POSITIVE))
def test_positive_files_are_clean_in_strict_mode(trueup, name: str) -> None:
    result = trueup("validate", "--strict", "--no-policy", "--format", "json", POSITIVE / name)
    assert result.code == 0, result.out
    assert result.json()["findings"] == []


@pytest.mark.parametrize("name", _files(NEGATIVE))
def test_negative_files_match_golden_findings(trueup, name: str, valid_report) -> None:
    result = trueup("validate", "--strict", "--no-policy", "--format", "json", *EXTRA_ARGS.get(name, []), NEGATIVE / name)
    report = valid_report(result.out)
    assert result.code == 1
    got = [{k: f[k] for k in FIELDS} for f in report["findings"]]
    golden = NEGATIVE / (Path(name).stem + ".expected.json")
    if os.environ.get("TRUEUP_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(got, indent=2) + "\n")
    assert got == json.loads(golden.read_text())
    shown = (NEGATIVE / name).relative_to(REPO).as_posix()
    assert {f["file"] for f in report["findings"]} == {shown}


def test_strict_mode_is_what_reports_unknown_fields(trueup) -> None:
    loose = trueup("validate", "--no-strict", "--format", "json", NEGATIVE / "deployment.yaml").json()
    assert "unknown field 'protocl'" not in [f["message"] for f in loose["findings"]]
    assert "expected integer, got string" in [f["message"] for f in loose["findings"]]


def test_kubernetes_version_is_selectable(trueup, write) -> None:
    flow = write(
        "flowschema.yaml",
        "apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\nmetadata: {name: f}\n"
        "spec: {priorityLevelConfiguration: {name: x}, matchingPrecedence: oops}\n",
    )
    old = trueup("validate", "--kubernetes-version", "1.28", "--format", "json", flow).json()
    assert [f["path"] for f in old["findings"]] == ["/spec/matchingPrecedence"]
    new = trueup("validate", "--kubernetes-version", "1.33", "--format", "json", flow).json()
    # The 1.33 schemas have no v1beta3 FlowSchema to complain about: the API was removed in 1.32.
    assert [(f["rule"], f["path"], f["message"]) for f in new["findings"]] == [(
        "K8S-REMOVED-API", "/apiVersion",
        "flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema was removed in Kubernetes 1.32; use flowcontrol.apiserver.k8s.io/v1")]
    missing = trueup("validate", "--kubernetes-version", "1.99", flow)
    assert missing.code == 2
    assert "no Kubernetes 1.99 schemas here" in missing.err


def test_missing_schema_policy(trueup, write, tmp_path: Path) -> None:
    crd = write("monitor.yaml", "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: m}\n")
    assert trueup("validate", crd).code == 0
    write("trueup.yaml", "version: 1\nkubernetes:\n  missing_schemas: error\n")
    result = trueup("validate", crd, cwd=tmp_path)
    assert result.code == 1
    assert result.lines[0] == (
        "monitor.yaml:1:1: high: no Kubernetes 1.37 strict schema or CRD for monitoring.coreos.com/v1 ServiceMonitor; "
        "not validated [schema.missing] in ServiceMonitor/default/m"
    )


def test_unquoted_yes_in_a_kubernetes_string_field_is_caught(trueup, write) -> None:
    """kubectl reads plain ``yes`` as a boolean; an env value must be a string (kubeconform agrees)."""
    manifest = write(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flags}\ndata:\n  beta: yes\n  mode: 'on'\n",
    )
    result = trueup("validate", manifest)
    assert result.code == 1
    assert result.lines[0] == f"{manifest}:5:3: high: expected string, got boolean [schema] at /data/beta in ConfigMap/default/flags (value true)"


def test_unknown_config_key_is_a_warning(trueup, write, tmp_path: Path) -> None:
    write("app.schema.json", '{"type": "object", "additionalProperties": false, "properties": {"port": {"type": "integer"}}}')
    write("app.yaml", "port: 8080\nprot: 8081\n")
    result = trueup("validate", "--schema", "app.schema.json", "--format", "json", "app.yaml", cwd=tmp_path)
    assert result.code == 0
    [finding] = result.json()["findings"]
    assert (finding["rule"], finding["severity"], finding["line"], finding["message"]) == (
        "CONFIG-UNKNOWN-KEY", "medium", 2, "unknown field 'prot'")
    assert trueup("validate", "--schema", "app.schema.json", "--fail-on", "medium", "app.yaml", cwd=tmp_path).code == 1
