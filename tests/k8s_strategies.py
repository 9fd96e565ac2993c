"""Hypothesis strategies for Kubernetes objects of many kinds, and the live object the server
and its neighbours make of each: every default the tables apply, zero values the server does
not keep dropped, system metadata, and fields controllers, admission plugins and GitOps tools
write (the shapes ``kubectl get -o yaml`` prints)."""
from __future__ import annotations

import copy
import random
from typing import Any

from hypothesis import strategies as st

from strategies import NAME, QUANTITY, TEXT, unique_by
from trueup.drift.defaults_k8s import is_zero, materialize
from trueup.drift.k8s_tables import tables

LABELS = st.dictionaries(NAME, NAME, min_size=1, max_size=3)
PORT = st.integers(1, 65535)
IMAGE = st.sampled_from(["nginx", "nginx:latest", "nginx:1.27", "registry.example:5000/team/app:2",
                         "app@sha256:" + "b" * 64])


@st.composite
def probes(draw: st.DrawFn) -> dict:
    action = draw(st.sampled_from(["http", "tcp", "exec"]))
    if action == "http":
        get: dict[str, Any] = {"port": draw(PORT)}
        if draw(st.booleans()):
            get["path"] = draw(st.sampled_from(["/", "/healthz", "/ready"]))
        probe: dict[str, Any] = {"httpGet": get}
    elif action == "tcp":
        probe = {"tcpSocket": {"port": draw(PORT)}}
    else:
        probe = {"exec": {"command": ["true"]}}
    if draw(st.booleans()):
        probe["periodSeconds"] = draw(st.integers(1, 60))
    return probe


@st.composite
def containers(draw: st.DrawFn) -> dict:
    container: dict[str, Any] = {"name": draw(NAME), "image": draw(IMAGE)}
    env = draw(unique_by(st.fixed_dictionaries({"name": NAME, "value": TEXT}), "name"))
    if draw(st.booleans()):
        env.append({"name": "POD_NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}})
    if draw(st.booleans()):
        env.append({"name": "CPUS", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}})
    if env:
        container["env"] = list({e["name"]: e for e in env}.values())
    ports = draw(unique_by(st.fixed_dictionaries({"containerPort": PORT}), "containerPort", max_size=3))
    if ports:
        container["ports"] = ports
    mounts = draw(unique_by(st.fixed_dictionaries({"name": NAME, "mountPath": st.from_regex(r"/[a-z]{1,6}", fullmatch=True),
                                                   "readOnly": st.booleans()}), "mountPath", max_size=3))
    if mounts:
        container["volumeMounts"] = mounts
    if draw(st.booleans()):
        container["resources"] = {"limits": {"cpu": draw(QUANTITY), "memory": draw(st.sampled_from(["128Mi", "1Gi"]))}}
        if draw(st.booleans()):
            container["resources"]["requests"] = {"cpu": draw(st.sampled_from(["0.0001", "100m", "0.25"]))}
    for kind in ("livenessProbe", "readinessProbe"):
        if draw(st.booleans()):
            container[kind] = draw(probes())
    if draw(st.booleans()):
        container["args"] = draw(st.lists(st.sampled_from(["--a", "--b", "-v"]), min_size=1, max_size=3))
    return container


VOLUME = st.one_of(
    st.fixed_dictionaries({"name": NAME}),
    st.fixed_dictionaries({"name": NAME, "configMap": st.fixed_dictionaries({"name": NAME})}),
    st.fixed_dictionaries({"name": NAME, "secret": st.fixed_dictionaries({"secretName": NAME})}),
    st.fixed_dictionaries({"name": NAME, "hostPath": st.fixed_dictionaries({"path": st.just("/var/log")})}),
    st.fixed_dictionaries({"name": NAME, "projected": st.just({"sources": [{"serviceAccountToken": {"path": "token"}}]})}),
)


@st.composite
def pod_specs(draw: st.DrawFn, restart: str | None = None) -> dict:
    spec: dict[str, Any] = {"containers": draw(unique_by(containers(), "name", min_size=1, max_size=2))}
    volumes = draw(unique_by(VOLUME, "name", max_size=3))
    if volumes:
        spec["volumes"] = volumes
    if restart:
        spec["restartPolicy"] = restart
    if draw(st.booleans()):
        spec["serviceAccountName"] = draw(NAME)
    if draw(st.booleans()):
        spec["automountServiceAccountToken"] = draw(st.booleans())
    if draw(st.booleans()):
        spec["terminationGracePeriodSeconds"] = draw(st.integers(0, 120))
    if draw(st.booleans()):
        spec["tolerations"] = [{"key": draw(NAME), "operator": "Exists"}]
    return spec


def _meta(draw: st.DrawFn) -> dict:
    meta: dict[str, Any] = {"name": draw(NAME)}
    if draw(st.booleans()):
        meta["labels"] = draw(LABELS)
    return meta


@st.composite
def workloads(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from(["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"]))
    labels = draw(LABELS)
    obj: dict[str, Any] = {"apiVersion": "v1" if kind == "Pod" else "batch/v1" if kind in ("Job", "CronJob") else "apps/v1",
                           "kind": kind, "metadata": _meta(draw)}
    if kind == "Pod":
        obj["spec"] = draw(pod_specs())
        return obj
    restart = "OnFailure" if kind in ("Job", "CronJob") else None
    template = {"metadata": {"labels": labels}, "spec": draw(pod_specs(restart))}
    if kind == "Job":
        obj["spec"] = {"template": template}
        for field in ("completions", "parallelism", "backoffLimit"):
            if draw(st.booleans()):
                obj["spec"][field] = draw(st.integers(0, 8))
        return obj
    if kind == "CronJob":
        job: dict[str, Any] = {"template": template}
        if draw(st.booleans()):
            job["backoffLimit"] = draw(st.integers(0, 8))
        obj["spec"] = {"schedule": "*/5 * * * *", "jobTemplate": {"spec": job}}
        if draw(st.booleans()):
            obj["spec"]["suspend"] = draw(st.booleans())
        return obj
    spec: dict[str, Any] = {"selector": {"matchLabels": dict(labels)}, "template": template}
    if kind != "DaemonSet" and draw(st.booleans()):
        spec["replicas"] = draw(st.integers(0, 20))
    if kind == "Deployment" and draw(st.booleans()):
        spec["strategy"] = draw(st.sampled_from([{"type": "Recreate"}, {"type": "RollingUpdate"},
                                                 {"rollingUpdate": {"maxSurge": "50%"}}]))
    if kind == "StatefulSet":
        spec["serviceName"] = draw(NAME)
        if draw(st.booleans()):
            spec["updateStrategy"] = draw(st.sampled_from([{"type": "RollingUpdate"}, {"type": "OnDelete"}, {}]))
    obj["spec"] = spec
    return obj


@st.composite
def services(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from([None, "ClusterIP", "NodePort", "LoadBalancer"]))
    ports = draw(st.lists(st.fixed_dictionaries({"port": PORT}, optional={"targetPort": PORT, "protocol": st.just("UDP")}),
                          min_size=1, max_size=3, unique_by=lambda p: (p["port"], p.get("protocol", "TCP"))))
    spec: dict[str, Any] = {"selector": draw(LABELS), "ports": ports}
    if kind:
        spec["type"] = kind
    if kind == "LoadBalancer" and draw(st.booleans()):
        spec["allocateLoadBalancerNodePorts"] = draw(st.booleans())
    if draw(st.booleans()):
        spec["sessionAffinity"] = "ClientIP"
    return {"apiVersion": "v1", "kind": "Service", "metadata": _meta(draw), "spec": spec}


@st.composite
def others(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from(["HorizontalPodAutoscaler", "NetworkPolicy", "RoleBinding", "PersistentVolumeClaim", "Secret"]))
    meta = _meta(draw)
    if kind == "HorizontalPodAutoscaler":
        spec: dict[str, Any] = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": draw(NAME)},
                                "maxReplicas": draw(st.integers(2, 20))}
        if draw(st.booleans()):
            spec["metrics"] = [{"type": "Resource", "resource": {"name": "memory",
                                                                 "target": {"type": "Utilization", "averageUtilization": 70}}}]
        if draw(st.booleans()):
            spec["behavior"] = {"scaleDown": {"stabilizationWindowSeconds": draw(st.integers(0, 600))}}
        return {"apiVersion": "autoscaling/v2", "kind": kind, "metadata": meta, "spec": spec}
    if kind == "NetworkPolicy":
        rule = {"ports": [{"port": draw(PORT)}]}
        spec = {"podSelector": {"matchLabels": draw(LABELS)}, "ingress": [rule]}
        if draw(st.booleans()):
            spec["egress"] = [{"ports": [{"port": draw(PORT), "protocol": "UDP"}]}]
        return {"apiVersion": "networking.k8s.io/v1", "kind": kind, "metadata": meta, "spec": spec}
    if kind == "RoleBinding":
        subjects = draw(st.lists(st.fixed_dictionaries({"kind": st.sampled_from(["User", "Group", "ServiceAccount"]),
                                                        "name": NAME}), min_size=1, max_size=3))
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta,
                "roleRef": {"kind": "Role", "name": draw(NAME)}, "subjects": subjects}
    if kind == "PersistentVolumeClaim":
        spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": draw(st.sampled_from(["1Gi", "512Mi"]))}}}
        if draw(st.booleans()):
            spec["storageClassName"] = draw(st.sampled_from(["", "fast"]))
        return {"apiVersion": "v1", "kind": kind, "metadata": meta, "spec": spec}
    return {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "stringData": {"token": draw(NAME)}}


def objects() -> st.SearchStrategy[dict]:
    return st.one_of(workloads(), services(), others())


def _dropped_zeros(value: Any, zero_kept: frozenset, shape: tuple = ()) -> Any:
    """What the server stores: a non-pointer ``omitempty`` field holding its zero is gone."""
    if isinstance(value, dict):
        return {k: _dropped_zeros(v, zero_kept, (*shape, k)) for k, v in value.items()
                if not (is_zero(v) and (*shape, k) not in zero_kept)}
    if isinstance(value, list):
        return [_dropped_zeros(v, zero_kept, (*shape, "*")) for v in value]
    return value


def _pod_spec(obj: dict) -> dict | None:
    spec = obj.get("spec") or {}
    if obj["kind"] == "Pod":
        return spec
    if obj["kind"] == "CronJob":
        return spec["jobTemplate"]["spec"]["template"]["spec"]
    return spec.get("template", {}).get("spec")


def server_view(obj: dict, rnd: random.Random | None = None) -> dict:
    """``obj`` as ``kubectl get -o yaml`` shows it once applied, admitted and reconciled."""
    kind = obj["kind"]
    kt = tables(kind, obj["apiVersion"])
    live = _dropped_zeros(materialize(kind, obj["apiVersion"], obj).data, kt.meaningful_zero)
    meta = live.setdefault("metadata", {})
    meta.update(namespace="default", uid="6f0c", resourceVersion="4711", generation=2,
                creationTimestamp="2026-11-01T00:00:00Z", managedFields=[{"manager": "argocd-controller"}])
    meta.setdefault("annotations", {}).update({
        "argocd.argoproj.io/tracking-id": f"shop:/{kind}:default/{meta.get('name')}",
        "kubectl.kubernetes.io/last-applied-configuration": "{}"})
    labels = meta.setdefault("labels", {})
    for key, value in (("kustomize.toolkit.fluxcd.io/name", "apps"), ("kustomize.toolkit.fluxcd.io/namespace", "flux-system")):
        labels.setdefault(key, value)
    live["status"] = {"observedGeneration": 2}
    spec = live.get("spec")
    if kind == "Deployment":
        meta["annotations"]["deployment.kubernetes.io/revision"] = "3"
        spec["template"]["metadata"].setdefault("annotations", {})["kubectl.kubernetes.io/restartedAt"] = "2026-11-30T09:00:00Z"
    if kind == "Service":
        spec.update(clusterIP="10.96.0.7", clusterIPs=["10.96.0.7"], ipFamilies=["IPv4"], ipFamilyPolicy="SingleStack")
        if spec.get("type") in ("NodePort", "LoadBalancer") and spec.get("allocateLoadBalancerNodePorts", True):
            for i, port in enumerate(spec["ports"]):
                port["nodePort"] = 30000 + i
    if kind == "Job":
        generated = {"controller-uid": "6f0c", "job-name": meta["name"], "batch.kubernetes.io/controller-uid": "6f0c",
                     "batch.kubernetes.io/job-name": meta["name"]}
        spec.setdefault("selector", {"matchLabels": {"batch.kubernetes.io/controller-uid": "6f0c"}})
        spec["template"]["metadata"].setdefault("labels", {}).update(generated)
        for key, value in generated.items():
            meta["labels"].setdefault(key, value)
    if kind == "PersistentVolumeClaim":
        spec.setdefault("storageClassName", "gp3")
        spec["volumeName"] = "pvc-6f0c"
        meta["finalizers"] = ["kubernetes.io/pvc-protection"]
        meta["annotations"].update({"pv.kubernetes.io/bind-completed": "yes", "volume.kubernetes.io/storage-provisioner": "x"})
    if kind == "Pod":
        spec.update(nodeName="worker-1", priority=0, preemptionPolicy="PreemptLowerPriority")
        spec.setdefault("tolerations", []).append(
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300})
        spec.setdefault("volumes", []).append({"name": "kube-api-access-7c2xd", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}})
        for container in spec["containers"]:
            container.setdefault("volumeMounts", []).append(
                {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access-7c2xd", "readOnly": True})
    if rnd is not None:
        _shuffle(live, rnd)
    return live


def _shuffle(live: dict, rnd: random.Random) -> None:
    """Reorder what has no order: keyed lists (containers, env, ports, volumes) and sets (finalizers)."""
    pod = _pod_spec(live)
    if pod:
        for name in ("containers", "volumes"):
            rnd.shuffle(pod.get(name, []))
        for container in pod.get("containers", []):
            for name in ("env", "ports", "volumeMounts"):
                rnd.shuffle(container.get(name, []))
    if live["kind"] == "Service":
        rnd.shuffle(live["spec"]["ports"])
    rnd.shuffle(live["metadata"].get("finalizers", []))


IDENTITY = {"name", "containerPort", "mountPath", "apiVersion", "kind", "port", "protocol", "key"}


def user_leaves(value: Any, pointer: str = "", key: str = "") -> list[tuple[str, Any]]:
    """Leaves the user set that are no list item's identity (changing those is a new item)."""
    from trueup.pointer import escape_token

    out: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(user_leaves(v, f"{pointer}/{escape_token(k)}", k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(user_leaves(v, f"{pointer}/{i}", key))
    elif key not in IDENTITY and pointer != "/metadata/name":
        out.append((pointer, value))
    return out


def deep(obj: dict) -> dict:
    return copy.deepcopy(obj)
