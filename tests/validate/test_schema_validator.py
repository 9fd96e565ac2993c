"""SchemaValidator (trueup.validate): which documents are meant as Kubernetes objects, what is
validated against what, and what is counted as validated against nothing."""
from __future__ import annotations

from pathlib import Path

import pytest

from trueup.load import load_text
from trueup.validate import SchemaValidator, meant_as_object


@pytest.mark.parametrize("data, name, meant", [
    ({"apiVersion": "v1", "metadata": {"name": "x"}}, "a.yaml", True),
    ({"apiVersion": "v1"}, "a.yaml", True),
    ({"apiVersion": "apps/v1", "data": {}}, "a.yaml", True),
    ({"kind": "ReplicationController", "metadata": {"name": "bob"}, "spec": {}}, "a.yaml", True),
    ({"kind": None}, "a.yaml", True),
    ({"kind": ""}, "a.yaml", True),
    ({"apiVersion": "v1", "kind": ""}, "a.yaml", True),
    ({"apiVersion": 1, "datasources": []}, "grafana/datasource.yml", False),  # Grafana provisioning
    ({"apiVersion": "v2", "name": "web", "version": "1.0.0"}, "charts/web/Chart.yaml", False),
    ({"kind": "Cluster", "nodes": []}, "cluster.yaml", False),
    ({"key": "value"}, "a.yaml", False),
])
def test_meant_as_object(data: dict, name: str, meant: bool) -> None:
    assert meant_as_object(data, name) is meant


def _doc(text: str, name: str = "x.yaml"):
    [doc] = load_text(text, file=name, name=name, fmt="yaml").documents
    return doc


def test_unvalidated_names_the_kind_of_what_no_schema_validates(tmp_path: Path) -> None:
    validator = SchemaValidator(tmp_path, strict=True)
    assert validator.unvalidated(_doc("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")) is None
    assert validator.unvalidated(_doc("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")) == "Widget"
    assert validator.unvalidated(_doc("a: 1\n")) == "config file"
    assert validator.unvalidated(_doc("services: {web: {image: nginx:1}}\n", "compose.yaml")) is None
    # Judged by the API lifecycle table instead: a finding of its own, not a skipped document.
    assert validator.unvalidated(_doc("apiVersion: extensions/v1beta1\nkind: DaemonSet\nmetadata: {name: d}\n")) is None


def test_a_crd_in_the_run_validates_its_resources_and_counts_them_as_validated(tmp_path: Path) -> None:
    validator = SchemaValidator(tmp_path, strict=True)
    crd = _doc("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: ws.example.com}\n"
               "spec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: ws}\n"
               "  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n"
               "        openAPIV3Schema:\n          type: object\n          properties:\n            spec:\n"
               "              type: object\n              properties: {size: {type: integer}}\n")
    assert validator.add_crds([crd]) == []
    widget = _doc("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: big, colour: red}\n")
    found = [(f.rule, f.path, f.message) for f in validator.check(widget)]
    assert found == [("schema", "/spec/size", "expected integer, got string"),
                     ("schema", "/spec/colour", "unknown field 'colour'")]
    assert validator.unvalidated(widget) is None
    broken = _doc("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: b.example.com}\n"
                  "spec: {group: example.com}\n")
    [problem] = validator.add_crds([broken])
    assert (problem.rule, problem.severity.name) == ("schema.crd", "HIGH")
