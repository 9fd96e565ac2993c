"""Hypothesis strategies for realistic objects with wrong-typed values at any level: a Deployment
whose ``ports`` is an int, a ClusterRole whose ``verbs`` is a string, a compose service whose
``depends_on`` is a mapping of lists... Schema validation reports such documents; every other
stage (cross-file rules, drift, patches) must take them without a traceback."""
from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

# Every wrong shape a value can take: scalars of each type, lists where a scalar or a mapping is
# expected, mappings where a list is, and unhashable values where a key or a set member is looked up.
WRONG = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 70000), st.sampled_from([0.5, float("inf")]),
    st.sampled_from(["", "x", "80", "http", "*", "NONE", "db", "web", "h", "a=b", "8000-8001:80", "[::1]:80:80"]),
    st.lists(st.sampled_from([1, "x", "80", None, "*", "h"]), max_size=2),
    st.sampled_from([{}, {"a": 1}, {"name": [1]}, {"port": {"a": 1}}, {"x": None}, [[1]], [{}], [{"a": [1]}]]),
)

LABELS = {"app": "web"}
PROBE_PORTS = [80, "http", "8080", {"a": 1}, [80], None]


def _container(name: str) -> dict[str, Any]:
    return {
        "name": name, "image": "nginx:1.27",
        "ports": [{"name": "http", "containerPort": 80}, {"name": "dns", "containerPort": 53, "protocol": "UDP"}],
        "env": [{"name": "A", "value": "1"}, {"name": "A", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "k"}}},
                {"name": "S", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}],
        "envFrom": [{"configMapRef": {"name": "cm"}}, {"secretRef": {"name": "s"}}],
        "volumeMounts": [{"name": "host", "mountPath": "/host"}, {"name": "cfg", "mountPath": "/cfg", "readOnly": True}],
        "livenessProbe": {"httpGet": {"path": "/", "port": "http"}},
        "readinessProbe": {"tcpSocket": {"port": 80}},
        "startupProbe": {"grpc": {"port": 8080}},
        "securityContext": {"capabilities": {"drop": ["ALL"]}},
        "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
    }


def _pod() -> dict[str, Any]:
    return {
        "serviceAccountName": "sa", "automountServiceAccountToken": None,
        "containers": [_container("web"), _container("side")],
        "initContainers": [_container("init")],
        "imagePullSecrets": [{"name": "pull"}],
        "volumes": [{"name": "host", "hostPath": {"path": "/var"}}, {"name": "cfg", "configMap": {"name": "cm"}},
                    {"name": "sec", "secret": {"secretName": "s"}},
                    {"name": "data", "persistentVolumeClaim": {"claimName": "pvc"}},
                    {"name": "proj", "projected": {"sources": [{"configMap": {"name": "cm"}}, {"secret": {"name": "s"}}]}}],
    }


def _meta(name: str) -> dict[str, Any]:
    return {"name": name, "namespace": "default", "labels": dict(LABELS)}


def _kubernetes() -> list[dict[str, Any]]:
    """One realistic object of every kind a cross-file rule or a drift table reads."""
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("web"),
                  "spec": {"replicas": 2, "selector": {"matchLabels": dict(LABELS),
                                                       "matchExpressions": [{"key": "app", "operator": "In",
                                                                             "values": ["web"]}]},
                           "template": {"metadata": {"labels": dict(LABELS)}, "spec": _pod()}}}
    port = {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}
    return [
        deployment,
        {"apiVersion": "v1", "kind": "Pod", "metadata": _meta("pod"), "spec": _pod()},
        {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": _meta("cron"),
         "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"metadata": {"labels": dict(LABELS)},
                                                                                   "spec": _pod()}}}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": _meta("web"),
         "spec": {"selector": dict(LABELS), "ports": [port], "type": "ClusterIP"}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": _meta("ing"),
         "spec": {"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}},
                  "rules": [{"host": "a.example", "http": {"paths": [
                      {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"name": "http"}}}},
                      {"path": "/b", "backend": {"service": {"name": "gone", "port": {"number": 81}}}}]}}]}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "all"},
         "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
                   {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": _meta("r"),
         "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch", "create", "update",
                                                                    "patch", "delete"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "b"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "all"},
         "subjects": [{"kind": "ServiceAccount", "name": "sa", "namespace": "default"}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": _meta("rb"),
         "roleRef": {"kind": "Role", "name": "r"}, "subjects": [{"kind": "User", "name": "u"}]},
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": _meta("pdb"),
         "spec": {"minAvailable": "50%", "selector": {"matchLabels": dict(LABELS)}}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": _meta("hpa"),
         "spec": {"minReplicas": 1, "maxReplicas": 3,
                  "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _meta("np"),
         "spec": {"podSelector": {"matchLabels": dict(LABELS)}, "policyTypes": ["Ingress"]}},
        {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": _meta("sm"),
         "spec": {"selector": {"matchLabels": dict(LABELS)}, "namespaceSelector": {"matchNames": ["default"]}}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta("sa"), "automountServiceAccountToken": False},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("cm"), "data": {"k": "v"}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": _meta("s"), "data": {"k": "dg=="}, "stringData": {"p": "x"}},
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": _meta("pvc"),
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}},
    ]


def _compose() -> dict[str, Any]:
    return {"services": {
        "web": {"image": "web:1.0", "ports": ["8000-8001:8000-8001", "127.0.0.1:9000:90/udp",
                                              {"target": 80, "published": 8080, "host_ip": "0.0.0.0"}],
                "depends_on": {"db": {"condition": "service_started"}}, "links": ["db:database"],
                "environment": ["A=1", "B"], "networks": ["front", "back"], "volumes": ["./data:/data:ro", "logs:/logs"],
                "container_name": "web", "healthcheck": {"test": ["CMD", "true"], "interval": "5s"},
                "expose": [80], "deploy": {"replicas": 2}},
        "db": {"image": "postgres:16", "ports": ["8001:80"], "healthcheck": {"test": ["NONE"]},
               "environment": {"POSTGRES_PASSWORD": "${PW}"}, "networks": {"back": {"aliases": ["database"]}},
               "volumes": [{"type": "volume", "source": "pg", "target": "/var/lib/postgresql"}]},
        "worker": {"build": "./worker", "depends_on": ["db", "web"], "healthcheck": {"disable": True},
                   "env_file": [".env"], "command": "run --fast"},
    }, "networks": {"front": {}, "back": {"driver": "bridge"}}, "volumes": {"pg": {}, "logs": None},
        "include": ["other.yaml"]}


def _corrupt(draw: st.DrawFn, value: Any, rate: int) -> Any:
    """``value`` with about one node in ``rate`` replaced by a wrong-typed value, at any depth."""
    if draw(st.integers(0, rate - 1)) == 0:
        return draw(WRONG)
    if isinstance(value, dict):
        return {key: _corrupt(draw, item, rate) for key, item in value.items()}
    if isinstance(value, list):
        return [_corrupt(draw, item, rate) for item in value]
    return value


@st.composite
def corrupted(draw: st.DrawFn, value: Any, rate: int = 12) -> Any:
    """``value`` with wrong-typed values put in anywhere (a live copy of a wrong-typed desired object)."""
    return _corrupt(draw, copy.deepcopy(value), rate)


@st.composite
def kubernetes_objects(draw: st.DrawFn, rate: int = 12) -> dict[str, Any]:
    """A realistic Kubernetes object with wrong-typed values anywhere under its kind (which stays)."""
    obj = copy.deepcopy(draw(st.sampled_from(_kubernetes())))
    # A top-level field (metadata, spec, rules, data...) is wrong more often: every stage reads those first.
    obj = {key: value if key in ("apiVersion", "kind") else _corrupt(draw, value, min(rate, 5))
           if draw(st.booleans()) else _corrupt(draw, value, rate) for key, value in obj.items()}
    if draw(st.integers(0, 19)) == 0:
        obj["kind"] = draw(WRONG)  # a kind that is no kind (a list: unhashable where kinds are looked up)
    return obj


@st.composite
def compose_projects(draw: st.DrawFn, rate: int = 12) -> dict[str, Any]:
    """A realistic compose file with wrong-typed values anywhere."""
    return _corrupt(draw, _compose(), rate)


@st.composite
def documents(draw: st.DrawFn) -> list[tuple[str, Any]]:
    """(file name, data) of a small run: Kubernetes objects, compose files, a config file."""
    out: list[tuple[str, Any]] = []
    rate = draw(st.sampled_from([3, 12, 40]))  # few or many wrong values
    for index in range(draw(st.integers(1, 5))):
        what = draw(st.sampled_from(["kubernetes", "kubernetes", "compose", "config"]))
        if what == "kubernetes":
            out.append((f"k8s/{index}.yaml", draw(kubernetes_objects(rate))))
        elif what == "compose":
            out.append((draw(st.sampled_from(["compose.yaml", "compose.override.yaml", f"p{index}/compose.yaml"])),
                        draw(compose_projects(rate))))
        else:
            out.append(("config0.yaml", draw(st.one_of(WRONG, st.fixed_dictionaries({"port": WRONG})))))
    return out
