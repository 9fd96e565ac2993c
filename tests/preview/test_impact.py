"""``change.impact`` (trueup.preview.impact): workloads reading a changed ConfigMap or Secret, dependent services."""
from __future__ import annotations

from trueup.load import load_text
from trueup.model import Document, Finding, Severity
from trueup.preview.impact import consumers, dependents, impacts


def _docs(text: str, name: str) -> list[Document]:
    return load_text(text, file=f"templates/{name}.j2", name=name, fmt="yaml").documents


DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api%s}
spec:
  template:
    spec:
      volumes:
        - name: conf
          configMap: {name: settings}
      containers:
        - name: api
          image: x
          envFrom:
            - configMapRef: {name: settings}
            - secretRef: {name: db}
          env:
            - name: A
              valueFrom:
                configMapKeyRef: {name: other, key: a}
"""


def _change(target: str, path: str = "/data/x") -> Finding:
    return Finding("change.changed", Severity.INFO, "x changes", target, path)


def test_a_workload_reading_a_changed_configmap_is_named_once_at_its_first_reference() -> None:
    docs = _docs(DEPLOY % "", "k8s/api.yaml")
    found = list(consumers(docs, {("ConfigMap", "shop", "settings")}, "prod", "shop"))
    assert [(f.rule, f.severity, f.target, f.path, f.file, f.line, f.environment, f.message) for f in found] == [
        ("change.impact", Severity.INFO, "Deployment/shop/api", "/spec/template/spec/volumes/0/configMap/name",
         "templates/k8s/api.yaml.j2", 9, "prod",
         "reads ConfigMap 'settings', which this change alters: api needs a rollout to see it"),
    ]


def test_each_changed_object_is_named_per_workload() -> None:
    docs = _docs(DEPLOY % "", "k8s/api.yaml") + _docs(DEPLOY % "-2", "k8s/api2.yaml")
    changed = {("ConfigMap", "shop", "settings"), ("Secret", "shop", "db"), ("ConfigMap", "shop", "other")}
    found = [(f.target, f.path) for f in consumers(docs, changed, "prod", "shop")]
    assert sorted(found) == sorted(
        (target, path) for target in ("Deployment/shop/api", "Deployment/shop/api-2") for path in (
            "/spec/template/spec/volumes/0/configMap/name",
            "/spec/template/spec/containers/0/envFrom/1/secretRef/name",
            "/spec/template/spec/containers/0/env/0/valueFrom/configMapKeyRef/name"))


def test_namespaces_must_agree() -> None:
    own = (DEPLOY % "").replace("metadata: {name: api}", "metadata: {name: api, namespace: other-ns}")
    docs = _docs(own, "k8s/api.yaml")
    assert list(consumers(docs, {("ConfigMap", "shop", "settings")}, "prod", "shop")) == []
    assert [f.target for f in consumers(docs, {("ConfigMap", "other-ns", "settings")}, "prod", "shop")] == [
        "Deployment/other-ns/api"]
    # Without one of its own a workload is in the environment's namespace.
    assert list(consumers(_docs(DEPLOY % "", "k8s/api.yaml"), {("ConfigMap", "default", "settings")}, "prod",
                          "shop")) == []


def test_unchanged_objects_touch_nothing() -> None:
    assert list(consumers(_docs(DEPLOY % "", "k8s/api.yaml"), set(), "prod")) == []
    assert list(consumers([], {("ConfigMap", "default", "settings")}, "prod")) == []


COMPOSE = """\
services:
  db: {image: postgres}
  api:
    image: api
    depends_on: [db, cache]
  web:
    image: web
    depends_on:
      api: {condition: service_started}
      db: {condition: service_healthy}
  "odd/name":
    depends_on: [db, "odd/name"]
"""


def test_dependents_of_changed_services() -> None:
    docs = _docs(COMPOSE, "compose.yaml")
    found = list(dependents(docs, {("compose.yaml", "db")}, "dev"))
    assert [(f.path, f.line, f.message, f.environment, f.target) for f in found] == [
        ("/services/api/depends_on/0", 5, "api depends on db, which this change alters", "dev", "compose.yaml"),
        ("/services/web/depends_on/db", 10, "web depends on db, which this change alters", "dev", "compose.yaml"),
        ("/services/odd~1name/depends_on/0", 12, "odd/name depends on db, which this change alters", "dev",
         "compose.yaml"),
    ]


def test_a_service_depending_on_itself_and_other_files_are_left_out() -> None:
    docs = _docs(COMPOSE, "compose.yaml")
    assert list(dependents(docs, {("compose.yaml", "odd/name")}, "dev")) == []
    assert list(dependents(docs, {("other/compose.yaml", "db")}, "dev")) == []
    assert list(dependents(_docs("services: [a]\n", "compose.yaml"), {("compose.yaml", "a")}, "dev")) == []


def test_impacts_reads_the_changes() -> None:
    docs = _docs(DEPLOY % "", "k8s/api.yaml") + _docs(COMPOSE, "compose.yaml")
    changes = [
        _change("ConfigMap/shop/settings"),
        _change("compose.yaml", "/services/db/image"),
        _change("Deployment/shop/api", "/spec/replicas"),        # not a config object
        _change("ConfigMap/settings"),                           # not Kind/namespace/name
        _change("compose.yaml", "/volumes/x"),                   # not under /services
    ]
    found = [(f.target, f.path) for f in impacts(docs, changes, "prod", "shop")]
    assert found == [
        ("Deployment/shop/api", "/spec/template/spec/volumes/0/configMap/name"),
        ("compose.yaml", "/services/api/depends_on/0"),
        ("compose.yaml", "/services/web/depends_on/db"),
        ("compose.yaml", "/services/odd~1name/depends_on/0"),
    ]


def test_an_escaped_service_name_in_a_change_path() -> None:
    docs = _docs(COMPOSE.replace("depends_on: [db, cache]", "depends_on: [db, \"odd/name\"]"), "compose.yaml")
    found = [f.path for f in impacts(docs, [_change("compose.yaml", "/services/odd~1name/image")], "dev")]
    assert found == ["/services/api/depends_on/1"]
