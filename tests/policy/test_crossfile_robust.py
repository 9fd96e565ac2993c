"""Cross-file rules never crash on malformed documents: real repositories hold invalid compose
files and manifests (schema validation reports them), and a run must still report everything."""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trueup.model import Document, Source
from trueup.policy.crossfile import all_rules

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


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_no_cross_file_rule_crashes_on_malformed_documents(docs: list[Document]) -> None:
    for rule in all_rules(entry_points=False):
        for finding in rule.run(docs, {}):
            assert finding.rule == rule.id
        list(rule.run(docs, SETTINGS))
