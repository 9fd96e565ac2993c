"""Rules that compare values inside one workload with each other (a selector with its template's
labels, a probe with its container's ports, a mount with its volume): code, because a JSON Schema
sees one value at a time. Each reads one object, so each runs on named files too."""
from __future__ import annotations

from typing import Any, Iterator, Sequence

from ...model import Document, Finding, finding_at
from ..select import POD_SPEC, expand, select
from .registry import WHOLE, CrossFileRule, register
from .selectors import hashable, is_empty, listed, objects, selects, shown

# Kinds whose spec.selector the API server requires to match spec.template.metadata.labels
# (apps/v1 validation: "selector does not match template labels"); a ReplicationController's
# selector defaults to the template's labels when absent.
SELECTED_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job",
                  "DeploymentConfig")
MAP_SELECTORS = ("ReplicationController", "DeploymentConfig")  # a plain map, defaulted from the template
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def _workload(doc: Document, settings: dict[str, Any]) -> str | None:
    kind = doc.data.get("kind") if doc.kind == "kubernetes" and isinstance(doc.data, dict) else None
    return WHOLE if isinstance(kind, str) and kind in POD_SPEC else None



@register(
    "K8S-SELECTOR-MATCHES-TEMPLATE", "Workload selectors match their own pod template", "high",
    "A Deployment, StatefulSet, DaemonSet or ReplicaSet whose selector does not match its template's labels is "
    "rejected by the API server; a ReplicationController's or a Job's (with manualSelector) never sees its pods.",
    "Make spec.selector match spec.template.metadata.labels (and never change a selector of an existing workload).",
    reads=_workload, peers={"kube-linter": ("mismatching-selector",)},
)
def selector_matches_template(rule: CrossFileRule, documents: Sequence[Document],
                              settings: dict[str, Any]) -> Iterator[Finding]:
    for doc in objects(documents):
        kind = doc.data.get("kind")
        spec = doc.data.get("spec")
        if kind not in SELECTED_KINDS or not isinstance(spec, dict):
            continue
        selector = spec.get("selector")
        if selector is None or (kind == "Job" and not spec.get("manualSelector")):
            continue
        template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
        meta = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
        labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
        if is_empty(selector) and kind not in MAP_SELECTORS:
            yield finding_at(doc, "/spec/selector", rule=rule.id, severity=rule.severity,
                             message="the selector is empty: it would select every pod of the namespace")
        elif not is_empty(selector) and not selects(selector, labels):
            yield finding_at(doc, "/spec/selector", rule=rule.id, severity=rule.severity,
                             message=f"selector {shown(selector)} does not match the template's labels {shown(labels)}")


def _containers(doc: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    kind = doc.data.get("kind")
    for pattern in expand("{containers}", kind):
        for pointer, container in select(doc.data, pattern):
            if isinstance(container, dict):
                yield pointer, container


@register(
    "K8S-PROBE-PORT", "Probes check a port the container declares", "medium",
    "A probe on a port name the container does not declare fails at every check (the kubelet cannot resolve "
    "it), so the pod is restarted or never ready; a number no declared port has usually means the app listens "
    "elsewhere.",
    "Use the name or number of one of the container's ports.",
    reads=_workload, peers={"kube-linter": ("liveness-port", "readiness-port", "startup-port")},
)
def probe_port(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    for doc in objects(documents):
        for pointer, container in _containers(doc):
            if "/initContainers/" in pointer:
                continue
            ports = [p for p in listed(container.get("ports")) if isinstance(p, dict)]
            names = {p.get("name") for p in ports if isinstance(p.get("name"), str)}
            # Probes connect over TCP (HTTP and gRPC too): a port declared for UDP or SCTP is not one.
            tcp = {p.get("name") for p in ports if isinstance(p.get("name"), str)
                   and str(p.get("protocol") or "TCP").upper() == "TCP"}
            numbers = {p.get("containerPort") for p in ports if hashable(p.get("containerPort"))}
            for probe in PROBES:
                spec = container.get(probe)
                if not isinstance(spec, dict):
                    continue
                for handler in ("httpGet", "tcpSocket", "grpc"):
                    action = spec.get(handler)
                    port = action.get("port") if isinstance(action, dict) else None
                    if port is None or isinstance(port, bool) or not hashable(port):
                        continue  # none, or not a port (a mapping, a list): the schema's to report
                    named = isinstance(port, str) and not (port.isascii() and port.isdigit())
                    if named and port not in names:
                        what = f"port name {shown(port)}, which container {shown(container.get('name'))} does not declare"
                    elif named and port not in tcp:
                        what = f"port {shown(port)}, which container {shown(container.get('name'))} declares for UDP or SCTP, not TCP"
                    elif not named and ports and _number(port) not in numbers:
                        what = f"port {port}, which no port of container {shown(container.get('name'))} has"
                    else:
                        continue
                    yield finding_at(doc, f"{pointer}/{probe}/{handler}/port", rule=rule.id, severity=rule.severity,
                                     message=f"{probe} checks {what}")


def _number(port: Any) -> Any:
    return int(port) if isinstance(port, str) and port.isascii() and port.isdigit() else port


@register(
    "K8S-DUPLICATE-ENV", "Environment variables are set once per container", "medium",
    "When a container sets a variable twice the last one wins, and a strategic-merge apply can keep the "
    "other: which value runs depends on how it was applied.",
    "Keep one entry per variable name.",
    reads=_workload, peers={"kube-linter": ("duplicate-env-var",)},
)
def duplicate_env(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    for doc in objects(documents):
        for pointer, container in _containers(doc):
            env = container.get("env")
            seen: dict[str, int] = {}
            for index, entry in enumerate(env if isinstance(env, list) else ()):
                name = entry.get("name") if isinstance(entry, dict) else None
                if not isinstance(name, str):
                    continue
                if name in seen:
                    yield finding_at(doc, f"{pointer}/env/{index}/name", rule=rule.id, severity=rule.severity,
                                     message=f"container {shown(container.get('name'))} sets {name} again "
                                             f"(first as env entry {seen[name]})")
                else:
                    seen[name] = index


@register(
    "K8S-WRITABLE-HOST-PATH", "hostPath volumes are mounted read-only", "high",
    "A container that can write to a path of the node can plant files the node (or the next pod) trusts.",
    "Set readOnly: true on every mount of a hostPath volume, or use another volume type for data the pod writes.",
    reads=_workload, peers={"kube-linter": ("writable-host-mount",)},
)
def writable_host_path(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    for doc in objects(documents):
        kind = doc.data.get("kind")
        host_volumes: set[str] = set()
        for pattern in expand("{pod}/volumes/*", kind):
            for _, volume in select(doc.data, pattern):
                if isinstance(volume, dict) and isinstance(volume.get("hostPath"), dict) and isinstance(volume.get("name"), str):
                    host_volumes.add(volume["name"])
        if not host_volumes:
            continue
        for pointer, container in _containers(doc):
            mounts = container.get("volumeMounts")
            for index, mount in enumerate(mounts if isinstance(mounts, list) else ()):
                if isinstance(mount, dict) and isinstance(mount.get("name"), str) and mount["name"] in host_volumes \
                        and mount.get("readOnly") is not True:
                    yield finding_at(doc, f"{pointer}/volumeMounts/{index}", rule=rule.id, severity=rule.severity,
                                     message=f"container {shown(container.get('name'))} mounts hostPath volume "
                                             f"{shown(mount['name'])} writable at {mount.get('mountPath')}")
