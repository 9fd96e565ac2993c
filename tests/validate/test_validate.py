"""validate/__init__.py: SchemaValidator's findings per document kind, patches, user schemas, and meant-as-object."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from trueup.errors import SchemaError
from trueup.load import load_text
from trueup.model import Document
from trueup.validate import CONFIG_UNKNOWN_KEY, SchemaValidator, meant_as_object


def _docs(text: str, name: str = "f.yaml") -> list[Document]:
    return load_text(text, file=name, name=name, fmt="yaml").documents


def _rows(validator: SchemaValidator, text: str, name: str = "f.yaml", **kw: Any) -> list[tuple]:
    return [(f.rule, str(f.severity), f.path, f.line, f.column, f.message, f.desired, f.target)
            for doc in _docs(text, name) for f in validator.check(doc, **kw)]


@pytest.fixture(scope="module")
def k8s() -> SchemaValidator:
    return SchemaValidator(Path("/nonexistent"), kubernetes_version="1.29")


@pytest.mark.parametrize("data, name, expected", [
    ({"apiVersion": "v1", "kind": ""}, "a.yaml", True),
    ({"apiVersion": "v1"}, "a.yaml", True),
    ({"apiVersion": "apps/v1beta2"}, "a.yaml", True),
    ({"apiVersion": "skaffold/v4beta1"}, "a.yaml", True),
    ({"apiVersion": 1}, "a.yaml", False),
    ({"apiVersion": "Apps/v1"}, "a.yaml", False),
    ({"apiVersion": "1.0"}, "a.yaml", False),
    ({"kind": "X", "spec": {}}, "a.yaml", True),
    ({"apiVersion": "x", "metadata": {}}, "a.yaml", True),
    ({"kind": "X"}, "a.yaml", False),
    ({"kind": ""}, "a.yaml", True),
    ({"kind": None}, "a.yaml", True),
    ({"apiVersion": "v2", "kind": "application"}, "chart/Chart.yaml", False),
    ({"apiVersion": "v2", "kind": "application"}, "chart/Chart.yml", False),
    ({"name": "x"}, "a.yaml", False),
], ids=["empty-kind", "k8s-shaped-api-version", "beta-group", "tool-group", "grafana-number", "capital-group",
        "dotted-version", "kind-beside-spec", "api-beside-metadata", "kind-alone", "empty-kind-alone", "null-kind",
        "helm-chart", "helm-chart-yml", "neither"])
def test_meant_as_object(data: dict, name: str, expected: bool) -> None:
    assert meant_as_object(data, name) is expected


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: "3"
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers:
      - name: c
        image: nginx
        ports:
        - containerPort: http
"""


def test_kubernetes_schema_errors_in_line_order(k8s: SchemaValidator) -> None:
    assert _rows(k8s, DEPLOYMENT) == [
        ("schema", "high", "/spec/replicas", 6, 3, "expected integer, got string", "3", "Deployment/default/web"),
        ("schema", "high", "/spec/template/spec/containers/0/ports/0/containerPort", 15, 11,
         "expected integer, got string", "http", "Deployment/default/web"),
    ]


def test_each_list_item_is_checked_at_its_own_lines(k8s: SchemaValidator) -> None:
    text = ("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n"
            "  data: {k: 1}\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n  spec: {ports: [{port: x}]}\n")
    assert _rows(k8s, text) == [
        ("schema", "high", "/data/k", 7, 10, "expected string, got integer", 1, "ConfigMap/default/a"),
        ("schema", "high", "/spec/ports/0/port", 11, 19, "expected integer, got string", "x", "Service/default/s"),
    ]


@pytest.mark.parametrize("text, expected", [
    ("apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: a}\n",
     ("K8S-REMOVED-API", "high", "/apiVersion", 1, 1,
      "extensions/v1beta1 Deployment was removed in Kubernetes 1.16; use apps/v1", None, "Deployment/default/a")),
    ("apiVersion: app/v1\nkind: Deployment\nmetadata: {name: a}\n",
     ("schema.unknown-api-version", "high", "/apiVersion", 1, 1,
      "`app/v1` is not served for Deployment; did you mean `apps/v1`?", None, "Deployment/default/a")),
    ("apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: a}\n",
     ("schema.unknown-kind", "high", "/kind", 2, 1,
      "unknown kind `Deploymnet` for apps/v1; did you mean `Deployment`?", None, "Deploymnet/default/a")),
    ("apiVersion: apps/v1\nmetadata: {name: a}\n",
     ("schema.malformed-object", "high", "", 1, 1, "Kubernetes object has apiVersion but no kind", None, "f.yaml")),
], ids=["removed", "unknown-api-version", "unknown-kind", "malformed"])
def test_api_problems(k8s: SchemaValidator, text: str, expected: tuple) -> None:
    assert _rows(k8s, text) == [expected]


def test_compose_documents_against_the_compose_spec(k8s: SchemaValidator) -> None:
    text = "services:\n  web:\n    image: nginx\n    ports: 80\n    bogus: 1\n"
    assert _rows(k8s, text, "compose.yaml") == [
        ("schema", "high", "/services/web/ports", 4, 5, "expected array, got integer", 80, "compose.yaml"),
        ("schema", "high", "/services/web/bogus", 5, 5, "unknown field 'bogus'", 1, "compose.yaml"),
    ]


def test_config_files_without_a_mapping_are_not_judged(k8s: SchemaValidator) -> None:
    assert _rows(k8s, "apiVersion: 1\nproviders: []\n", "grafana.yaml") == []


@pytest.mark.parametrize("missing, expected", [
    ("ignore", []),
    ("warn", [("schema.missing", "low")]),
    ("error", [("schema.missing", "high")]),
], ids=["ignore", "warn", "error"])
def test_missing_schemas(missing: str, expected: list[tuple[str, str]]) -> None:
    validator = SchemaValidator(Path("/nonexistent"), kubernetes_version="1.29", missing_schemas=missing)
    rows = _rows(validator, "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")
    assert [(r[0], r[1]) for r in rows] == expected
    assert all(r[5] == "no Kubernetes 1.29 schema or CRD for example.com/v1 Widget; not validated" for r in rows)


PATCH = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  replicas: null\n  $patch: replace\n  bogus: 1\n"


def test_a_patch_may_leave_fields_out_and_hold_directives() -> None:
    strict = SchemaValidator(Path("/nonexistent"), kubernetes_version="1.29", strict=True)
    assert [(r[2], r[5]) for r in _rows(strict, PATCH, partial=True)] == [("/spec/bogus", "unknown field 'bogus'")]
    assert [(r[2], r[5]) for r in _rows(strict, PATCH)] == [
        ("/spec", "required field 'selector' is missing"),
        ("/spec/$patch", "unknown field '$patch'"),
        ("/spec/bogus", "unknown field 'bogus'"),
    ]


CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
"""


def test_crds_in_the_run_validate_their_resources() -> None:
    validator = SchemaValidator(Path("/nonexistent"), kubernetes_version="1.29", missing_schemas="error")
    empty_digest = validator.crd_digest
    assert empty_digest == hashlib.sha256().hexdigest()
    crds = _docs(CRD, "crd.yaml")
    assert validator.add_crds(crds) == []
    assert validator.crd_digest == hashlib.sha256(
        json.dumps(crds[0].data, sort_keys=True, default=str).encode()).hexdigest()
    rows = _rows(validator, "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: big}\n")
    assert [(r[0], r[2], r[3], r[5], r[6]) for r in rows] == [
        ("schema", "/spec/size", 4, "expected integer, got string", "big")]
    [widget] = _docs("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")
    assert validator.unvalidated(widget) is None


def test_an_unusable_crd_is_a_finding_at_its_document() -> None:
    validator = SchemaValidator(Path("/nonexistent"), kubernetes_version="1.29")
    bad = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x}\nspec: {}\n"
    [finding] = validator.add_crds(_docs(bad, "crd.yaml"))
    assert (finding.rule, str(finding.severity), finding.file, finding.line, finding.path) == (
        "schema.crd", "high", "crd.yaml", 1, "")


def _user(tmp_path: Path) -> SchemaValidator:
    (tmp_path / "s.json").write_text(json.dumps({
        "type": "object", "additionalProperties": False,
        "properties": {"port": {"type": "integer"}, "password": {"type": "string"}}}))
    return SchemaValidator(tmp_path, [SimpleNamespace(files=["app/*.yaml"], schema="s.json")])


def test_user_schemas_by_glob_with_unknown_keys_as_warnings_and_secrets_masked(tmp_path: Path) -> None:
    assert _rows(_user(tmp_path), "port: '80'\npassword: 5\nextra: 1\n", "app/c.yaml") == [
        ("schema", "high", "/port", 1, 1, "expected integer, got string", "80", "app/c.yaml"),
        ("schema", "high", "/password", 2, 1, "expected string, got integer", "********", "app/c.yaml"),
        (CONFIG_UNKNOWN_KEY, "medium", "/extra", 3, 1, "unknown field 'extra'", 1, "app/c.yaml"),
    ]


def test_user_schemas_apply_only_to_matching_files(tmp_path: Path) -> None:
    validator = _user(tmp_path)
    [matched] = _docs("port: 80\n", "app/c.yaml")
    [other] = _docs("port: x\n", "other/c.yaml")
    assert (list(validator.check(other)), validator.unvalidated(other), validator.unvalidated(matched)) == (
        [], "config file", None)


def test_check_against_one_more_schema(tmp_path: Path) -> None:
    validator = _user(tmp_path)
    [doc] = _docs("port: '80'\n", "chart/values.yaml")
    assert [(f.rule, f.path, f.message) for f in validator.check_against(doc, tmp_path / "s.json")] == [
        ("schema", "/port", "expected integer, got string")]


def test_an_unresolvable_ref_stops_the_run_naming_the_schema(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps({"$ref": "https://example.com/remote.json"}))
    validator = SchemaValidator(tmp_path, [SimpleNamespace(files=["*.yaml"], schema="s.json")])
    [doc] = _docs("a: 1\n", "c.yaml")
    with pytest.raises(SchemaError) as caught:
        list(validator.check(doc))
    assert caught.value.file == "s.json"
    assert caught.value.cause == ("cannot resolve $ref 'https://example.com/remote.json': nothing is downloaded at run "
                                  "time; keep referenced schemas in the repository and refer to them by relative path")


@pytest.mark.parametrize("text, name, expected", [
    (DEPLOYMENT, "f.yaml", None),
    ("a: 1\n", "f.yaml", "config file"),
    ("services: {}\n", "compose.yaml", None),
    ("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n", "f.yaml", "Widget"),
    ("apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: a}\n", "f.yaml", None),
], ids=["kubernetes", "config", "compose", "custom-without-crd", "judged-removed-api"])
def test_unvalidated(k8s: SchemaValidator, text: str, name: str, expected: str | None) -> None:
    [doc] = _docs(text, name)
    assert k8s.unvalidated(doc) == expected
