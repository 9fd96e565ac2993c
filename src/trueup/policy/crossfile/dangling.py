"""Objects that point at other objects which the desired state does not hold (an Ingress backend, an
autoscaler's target, a policy's or a budget's selector, a ServiceMonitor's): each works on nothing.

They need every document of the environment (``complete``): given only some files, a target in a
file not given is not a violation, so these rules do not run on named files.
"""
from __future__ import annotations

from typing import Any, Iterator, Sequence

from ...model import Document, Finding, finding_at
from .registry import NAME, WHOLE, CrossFileRule, register
from .selectors import (distinct, is_empty, listed, name, namespace, objects, of_kind, pod_templates, selects, shown,
                        template_labels_pointer)

_TARGET_KINDS = frozenset({"Ingress", "HorizontalPodAutoscaler", "NetworkPolicy", "PodDisruptionBudget",
                           "ServiceMonitor", "Service"})


def _reads(doc: Document, settings: dict[str, Any]) -> str | None:
    if doc.kind != "kubernetes" or not isinstance(doc.data, dict):
        return None
    kind = doc.data.get("kind")
    if not isinstance(kind, str):
        return NAME  # an unhashable kind (an invalid document): not a target, and makes no pods
    return WHOLE if kind in _TARGET_KINDS or template_labels_pointer(kind) is not None else NAME




def _service_ports(documents: Sequence[Document]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for doc in of_kind(documents, "Service"):
        spec = doc.data.get("spec") if isinstance(doc.data.get("spec"), dict) else {}
        ports = [p for p in listed(spec.get("ports")) if isinstance(p, dict)]
        # Two objects of one name (overlays, or unrelated samples in one tree): either may be the one applied.
        found.setdefault((namespace(doc.data), name(doc.data)), []).extend(ports)
    return found


@register(
    "K8S-INGRESS-BACKEND-EXISTS", "Ingress backends are Services that exist, on ports they have", "high",
    "An Ingress path whose backend Service (or its port) is not in the desired state answers 503.",
    "Point the backend at an existing Service and one of its ports, by number or by name.",
    complete=True, reads=_reads, peers={"kube-linter": ("dangling-ingress",)},
)
def ingress_backends(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    services = _service_ports(documents)
    for doc in of_kind(documents, "Ingress"):
        spec = doc.data.get("spec") if isinstance(doc.data.get("spec"), dict) else {}
        backends: list[tuple[str, Any]] = [("/spec/defaultBackend", spec.get("defaultBackend"))]
        for i, ingress_rule in enumerate(listed(spec.get("rules"))):
            http = ingress_rule.get("http") if isinstance(ingress_rule, dict) else None
            for j, path in enumerate(listed(http.get("paths")) if isinstance(http, dict) else ()):
                if isinstance(path, dict):
                    backends.append((f"/spec/rules/{i}/http/paths/{j}/backend", path.get("backend")))
        ns = namespace(doc.data)
        for pointer, backend in backends:
            service = backend.get("service") if isinstance(backend, dict) else None
            if not isinstance(service, dict) or not isinstance(service.get("name"), str):
                continue
            ports = services.get((ns, service["name"]))
            if ports is None:
                yield finding_at(doc, f"{pointer}/service/name", rule=rule.id, severity=rule.severity,
                                 message=f"backend Service {shown(service['name'])} is not in namespace {ns}")
                continue
            port = service.get("port") if isinstance(service.get("port"), dict) else {}
            if "number" in port and not any(p.get("port") == port["number"] for p in ports):
                yield finding_at(doc, f"{pointer}/service/port/number", rule=rule.id, severity=rule.severity,
                                 message=f"Service {shown(service['name'])} has no port {port['number']}")
            elif "name" in port and not any(p.get("name") == port["name"] for p in ports):
                yield finding_at(doc, f"{pointer}/service/port/name", rule=rule.id, severity=rule.severity,
                                 message=f"Service {shown(service['name'])} has no port named {shown(port['name'])}")


@register(
    "K8S-HPA-TARGET-EXISTS", "Autoscalers scale a workload that exists", "medium",
    "A HorizontalPodAutoscaler whose scaleTargetRef names no object of the desired state scales nothing.",
    "Fix scaleTargetRef's kind and name, or remove the autoscaler.",
    complete=True, reads=_reads, peers={"kube-linter": ("dangling-horizontalpodautoscaler",)},
)
def hpa_target(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    known = {(str(d.data.get("kind")), namespace(d.data), name(d.data)) for d in objects(documents)}
    for doc in of_kind(documents, "HorizontalPodAutoscaler"):
        spec = doc.data.get("spec") if isinstance(doc.data.get("spec"), dict) else {}
        target = spec.get("scaleTargetRef")
        if not isinstance(target, dict) or not target.get("kind") or not target.get("name"):
            continue
        if (str(target["kind"]), namespace(doc.data), str(target["name"])) not in known:
            yield finding_at(doc, "/spec/scaleTargetRef", rule=rule.id, severity=rule.severity,
                             message=f"{target['kind']} {shown(target['name'])} is not in namespace {namespace(doc.data)}")


def _selecting(rule: CrossFileRule, documents: Sequence[Document], kind: str, pointer: str,
               what: str) -> Iterator[Finding]:
    found: dict[str, list[dict[str, Any]]] = {}
    for _, ns, labels in pod_templates(documents):
        found.setdefault(ns, []).append(labels)
    templates = {ns: distinct(sets) for ns, sets in found.items()}
    for doc in of_kind(documents, kind):
        spec = doc.data.get("spec") if isinstance(doc.data.get("spec"), dict) else {}
        selector = spec.get(pointer.rsplit("/", 1)[1])
        if not isinstance(selector, dict) or is_empty(selector):
            continue
        ns = namespace(doc.data)
        if not any(selects(selector, labels) for labels in templates.get(ns, ())):
            yield finding_at(doc, pointer, rule=rule.id, severity=rule.severity,
                             message=f"{what} {shown(selector)} matches no pod template in namespace {ns}")


@register(
    "K8S-NETWORK-POLICY-SELECTS-PODS", "NetworkPolicies select pods that exist", "medium",
    "A NetworkPolicy whose podSelector matches no pod template protects nothing: the pods it was written "
    "for are open (or closed) by other policies.",
    "Make spec.podSelector match the labels of the pods it is for.",
    complete=True, reads=_reads, peers={"kube-linter": ("dangling-networkpolicy",)},
)
def network_policy_selects(rule: CrossFileRule, documents: Sequence[Document],
                           settings: dict[str, Any]) -> Iterator[Finding]:
    yield from _selecting(rule, documents, "NetworkPolicy", "/spec/podSelector", "podSelector")


@register(
    "K8S-PDB-SELECTS-PODS", "Disruption budgets select pods that exist", "medium",
    "A PodDisruptionBudget whose selector matches no pod template protects nothing during node drains.",
    "Make spec.selector match the labels of the workload's pods.",
    complete=True, reads=_reads,
)
def pdb_selects(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    yield from _selecting(rule, documents, "PodDisruptionBudget", "/spec/selector", "selector")


@register(
    "K8S-SERVICE-MONITOR-SELECTS-SERVICES", "ServiceMonitors select Services that exist", "medium",
    "A ServiceMonitor whose selector matches no Service in the namespaces it watches scrapes nothing, and "
    "nobody notices the missing metrics until they are needed.",
    "Make spec.selector match the Service's labels (and spec.namespaceSelector its namespace).",
    complete=True, reads=_reads, peers={"kube-linter": ("dangling-servicemonitor",)},
)
def service_monitor_selects(rule: CrossFileRule, documents: Sequence[Document],
                            settings: dict[str, Any]) -> Iterator[Finding]:
    by_namespace: dict[str, list[Any]] = {}
    for d in of_kind(documents, "Service"):
        if isinstance(d.data.get("metadata") or {}, dict):
            by_namespace.setdefault(namespace(d.data), []).append((d.data.get("metadata") or {}).get("labels") or {})
    services = [(ns, labels) for ns, sets in by_namespace.items() for labels in distinct(sets)]
    for doc in of_kind(documents, "ServiceMonitor"):
        spec = doc.data.get("spec") if isinstance(doc.data.get("spec"), dict) else {}
        # No selector is the empty one, which selects every Service it watches (prometheus-operator
        # reads a missing LabelSelector as empty).
        selector = spec.get("selector") if spec.get("selector") is not None else {}
        if not isinstance(selector, dict):
            continue
        scope = spec.get("namespaceSelector") if isinstance(spec.get("namespaceSelector"), dict) else {}
        names = scope.get("matchNames") if isinstance(scope.get("matchNames"), list) else None
        own = namespace(doc.data)

        def watched(ns: str) -> bool:
            return scope.get("any") is True or (ns in names if names is not None else ns == own)

        if not any(watched(ns) and selects(selector, labels) for ns, labels in services):
            written = "selector" in spec
            yield finding_at(doc, "/spec/selector" if written else "/spec", rule=rule.id, severity=rule.severity,
                             message=f"selector {shown(selector)} matches no Service it watches" if written
                             else "it selects every Service it watches, and there is none")


@register(
    "K8S-NETWORK-POLICY-MISSING", "Every workload's pods are selected by a NetworkPolicy", "medium",
    "Pods that no NetworkPolicy selects accept traffic from every pod of the cluster and reach anywhere: "
    "one compromised pod can talk to all of them.",
    "Add a NetworkPolicy for the namespace (a default deny with the allowed paths opened).",
    complete=True, reads=_reads, profile="strict",
    peers={"polaris": ("missingNetworkPolicy",), "kube-linter": ("non-isolated-pod",), "checkov": ("CKV2_K8S_6",)},
)
def network_policy_missing(rule: CrossFileRule, documents: Sequence[Document],
                           settings: dict[str, Any]) -> Iterator[Finding]:
    policies: dict[str, list[Any]] = {}
    for doc in of_kind(documents, "NetworkPolicy"):
        spec = doc.data.get("spec") if isinstance(doc.data.get("spec"), dict) else {}
        policies.setdefault(namespace(doc.data), []).append(spec.get("podSelector") or {})
    for doc, ns, labels in pod_templates(documents):
        if not any(is_empty(selector) or selects(selector, labels) for selector in policies.get(ns, ())):
            yield finding_at(doc, "/metadata", rule=rule.id, severity=rule.severity,
                             message=f"no NetworkPolicy of namespace {ns} selects the pods of this {doc.data.get('kind')}")
