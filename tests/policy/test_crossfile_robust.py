"""Cross-file rules never crash on malformed documents: real repositories hold invalid compose
files and manifests (schema validation reports them), and a run must still report everything.

The documents are realistic objects (workloads with containers, probes, volumes and mounts,
Services, Ingresses, RBAC roles and bindings, budgets, autoscalers, policies, compose projects)
with wrong-typed values (ints, strings, lists, mappings, nulls, unhashables) at any level."""
from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trueup.cli import main
from trueup.load import load_text
from trueup.model import Document, Source
from trueup.policy.crossfile import all_rules, kept
from wrong_shapes import documents as wrong_documents

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.text(max_size=8),
                    st.sampled_from(["80:80", "db", "app", "service_healthy", "8080", "${X}", "a:b"]))
KEYS = st.sampled_from(["services", "ports", "depends_on", "links", "healthcheck", "environment", "condition",
                        "image", "name", "kind", "apiVersion", "metadata", "spec", "template", "containers",
                        "volumes", "configMap", "secret", "env", "envFrom", "valueFrom", "configMapKeyRef",
                        "selector", "labels", "namespace", "serviceAccountName", "persistentVolumeClaim",
                        "claimName", "secretName", "port", "targetPort", "containerPort", "x"])
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(KEYS, inner, max_size=4)), max_leaves=20)


@st.composite
def documents(draw: st.DrawFn) -> list[Document]:
    docs = []
    for index in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["compose", "kubernetes", "config"]))
        data: Any = draw(st.dictionaries(KEYS, VALUES, max_size=5))
        if kind == "kubernetes":
            data["apiVersion"] = draw(st.sampled_from(["v1", "apps/v1", "batch/v1"]))
            data["kind"] = draw(st.sampled_from(["Deployment", "Service", "ConfigMap", "Secret", "Pod",
                                                 "CronJob", "PersistentVolumeClaim", "ServiceAccount"]))
        if kind == "compose":
            data["services"] = draw(st.dictionaries(st.sampled_from(["db", "app", "web"]), VALUES, max_size=3))
        name = f"p/{index}.yaml" if kind != "config" else f"p/config{index}.yaml"
        docs.append(Document(data=data, source=Source(file=name, name=name, text="", format="yaml"), kind=kind))
    return docs


SETTINGS = {"version_groups": {"g": ["app", "db", "web"]},
            "ports": [{"config": "p/config0.yaml", "pointer": "/port", "compose": "app", "kubernetes": "app"}]}
WRONG_SETTINGS = {"version_groups": {"g": ["web", "db", "worker"]},
                  "ports": [{"config": "config0.yaml", "pointer": "/port", "compose": "web", "kubernetes": "web"}]}
RULES = all_rules(entry_points=False)


def _run_all(docs: list[Document], settings: dict[str, Any]) -> None:
    for rule in RULES:
        for doc in docs:
            rule.keeps(doc, settings)
        for finding in rule.run(docs, settings):
            assert (finding.rule, finding.severity) == (rule.id, rule.severity)
    for doc in docs:
        kept(doc, RULES, settings)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_no_cross_file_rule_crashes_on_malformed_documents(docs: list[Document]) -> None:
    _run_all(docs, {})
    _run_all(docs, SETTINGS)


def _loaded(files: list[tuple[str, Any]]) -> list[Document]:
    docs: list[Document] = []
    for name, data in files:
        docs += load_text(yaml.safe_dump(data), file=name, name=name, fmt="yaml").documents
    return docs


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wrong_documents())
def test_no_cross_file_rule_crashes_on_wrong_types_in_realistic_objects(files: list[tuple[str, Any]]) -> None:
    docs = _loaded(files)
    _run_all(docs, {})
    _run_all(docs, WRONG_SETTINGS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wrong_documents())
def test_validate_reports_wrong_types_without_a_traceback(files: list[tuple[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, data in files:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(yaml.safe_dump(data), encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        code = main(["validate", "--no-cache", "--profile", "strict", "--format", "json", tmp],
                    stdout=out, stderr=err)
    assert code in (0, 1), err.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()


# The shapes each rule used to crash on, one by one (TypeError: not iterable, unhashable).
INGRESS = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\n"
BINDING = "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\n" \
          "roleRef: {kind: ClusterRole, name: r}\n"
ROLE = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n"
POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"


@pytest.mark.parametrize(
    ("text", "rule", "expected"),
    [
        pytest.param(INGRESS + "spec: {rules: 5}\n", "K8S-INGRESS-BACKEND-EXISTS", [], id="ingress-rules-an-int"),
        pytest.param(INGRESS + "spec: {rules: [{http: {paths: 5}}]}\n", "K8S-INGRESS-BACKEND-EXISTS",
                     [], id="ingress-paths-an-int"),
        pytest.param("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: 5}\n---\n" + INGRESS
                     + "spec: {defaultBackend: {service: {name: s, port: {number: 80}}}}\n",
                     "K8S-INGRESS-BACKEND-EXISTS", ["Service \"s\" has no port 80"], id="service-ports-an-int"),
        pytest.param(ROLE + "rules: 5\n" + BINDING, "K8S-ADMIN-EQUIVALENT-BINDING", [], id="role-rules-an-int"),
        pytest.param(ROLE + "rules: [{apiGroups: ['*'], resources: ['*'], verbs: 5}]\n" + BINDING,
                     "K8S-ADMIN-EQUIVALENT-BINDING", [], id="role-verbs-an-int"),
        pytest.param(POD + "  containers: [{name: c, ports: 5, livenessProbe: {tcpSocket: {port: 80}}}]\n",
                     "K8S-PROBE-PORT", [], id="container-ports-an-int"),
        pytest.param(POD + "  containers: [{name: c, ports: [{containerPort: [80]}], "
                           "livenessProbe: {tcpSocket: {port: 80}}}]\n", "K8S-PROBE-PORT",
                     ["livenessProbe checks port 80, which no port of container \"c\" has"], id="container-port-a-list"),
        pytest.param(POD + "  containers: [{name: c, ports: [{containerPort: 80}], "
                           "livenessProbe: {tcpSocket: {port: {a: 1}}}}]\n", "K8S-PROBE-PORT", [], id="probe-port-a-mapping"),
        pytest.param(POD + "  volumes: [{name: h, hostPath: {path: /}}]\n"
                           "  containers: [{name: c, volumeMounts: [{name: [h]}]}]\n",
                     "K8S-WRITABLE-HOST-PATH", [], id="mount-name-a-list"),
        pytest.param("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: b}\n"
                     "spec: {minAvailable: 1, selector: {matchExpressions: 5}}\n---\n"
                     "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
                     "spec: {template: {metadata: {labels: {a: b}}}}\n", "K8S-PDB-MIN-AVAILABLE-REPLICAS",
                     [], id="match-expressions-an-int"),
        pytest.param("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n}\n"
                     "spec: {podSelector: {matchExpressions: [{key: [a], operator: Exists}]}}\n---\n" + POD
                     + "  containers: []\n", "K8S-NETWORK-POLICY-SELECTS-PODS",
                     ['podSelector {"matchExpressions": [{"key": ["a"], "operator": "Exists"}]} matches no pod template '
                      'in namespace default'], id="expression-key-a-list"),
    ],
)
def test_the_shapes_that_crashed_are_read_as_nothing(text: str, rule: str, expected: list[str]) -> None:
    docs = load_text(text, file="f.yaml", name="f.yaml", fmt="yaml").documents
    (check,) = [r for r in RULES if r.id == rule]
    assert [f.message for f in check.run(docs, {})] == expected



def test_an_object_whose_kind_is_a_list_is_kept_by_name() -> None:
    # The loader calls such a document config; a plugin or a caller may still give it as Kubernetes.
    data = {"apiVersion": "v1", "kind": ["Deployment"], "metadata": {"name": "d"}, "spec": {"replicas": 1}}
    doc = Document(data=data, source=Source(file="f.yaml", name="f.yaml", text="", format="yaml"), kind="kubernetes")
    slim = kept(doc, RULES, {})
    assert slim is not None and slim.data == {"apiVersion": "v1", "kind": ["Deployment"], "metadata": {"name": "d"}}
