"""A PodDisruptionBudget read against the workloads it covers: whether a drain can ever evict one of
their pods depends on how many replicas they run, which only the workloads (and their autoscalers) say."""
from __future__ import annotations

import math
import re
from typing import Any, Iterator, Sequence

from ...model import Document, Finding, finding_at
from .registry import WHOLE, CrossFileRule, register
from .selectors import name, namespace, of_kind, pod_templates, selects

# Kinds whose pods a drain evicts through the eviction API and whose replica count is spec.replicas
# (DaemonSet pods are left alone by `kubectl drain`; Jobs and bare Pods have no replica count).
_REPLICATED = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "DeploymentConfig")
_PERCENT = re.compile(r"^(\d+)%$")


def _reads(doc: Document, settings: dict[str, Any]) -> str | None:
    kind = doc.data.get("kind") if doc.kind == "kubernetes" and isinstance(doc.data, dict) else None
    return WHOLE if kind in (*_REPLICATED, "PodDisruptionBudget", "HorizontalPodAutoscaler") else None


def _minimum(documents: Sequence[Document]) -> dict[tuple[str, str, str], int]:
    """(namespace, kind, name) -> the fewest replicas an autoscaler keeps (minReplicas, default 1 when
    nil: kubernetes pkg/apis/autoscaling/v2/defaults.go SetDefaults_HorizontalPodAutoscaler)."""
    out: dict[tuple[str, str, str], int] = {}
    for doc in of_kind(documents, "HorizontalPodAutoscaler"):
        spec = doc.data.get("spec") if isinstance(doc.data.get("spec"), dict) else {}
        ref = spec.get("scaleTargetRef") if isinstance(spec.get("scaleTargetRef"), dict) else {}
        low = spec.get("minReplicas")
        low = 1 if low is None else low  # absent or written with no value: the API server's 1
        if isinstance(low, int) and not isinstance(low, bool):
            out[(namespace(doc.data), str(ref.get("kind")), str(ref.get("name")))] = low
    return out


def _selected(doc: Document) -> dict[str, Any]:
    """A workload's own selector labels, for one written without template labels (as kube-linter
    matches a budget against the workload's selector)."""
    spec = doc.data.get("spec") if isinstance(doc.data.get("spec"), dict) else {}
    selector = spec.get("selector") if isinstance(spec.get("selector"), dict) else {}
    labels = selector.get("matchLabels", selector) if "matchExpressions" not in selector else selector.get("matchLabels")
    return labels if isinstance(labels, dict) else {}


def _replicas(workload: Document) -> Any:
    """A workload's spec.replicas as the API server stores it: a nil one (absent, or ``replicas:``
    written with no value) is 1 (kubernetes pkg/apis/apps/v1/defaults.go SetDefaults_Deployment,
    _ReplicaSet and _StatefulSet: ``if obj.Spec.Replicas == nil { ... = 1 }``; core/v1's
    SetDefaults_ReplicationController likewise)."""
    spec = workload.data.get("spec")
    replicas = spec.get("replicas") if isinstance(spec, dict) else None
    return 1 if replicas is None else replicas


def _required(min_available: Any, replicas: int) -> int | None:
    """The pods that must stay up: a count, or a percentage of the replicas rounded up (the disruption
    controller scales minAvailable with roundUp: kubernetes pkg/controller/disruption)."""
    if isinstance(min_available, int) and not isinstance(min_available, bool):
        return min_available
    found = _PERCENT.match(str(min_available)) if isinstance(min_available, str) else None
    if found is None:
        return None
    return math.ceil(replicas * int(found.group(1)) / 100)


@register(
    "K8S-PDB-MIN-AVAILABLE-REPLICAS", "Disruption budgets leave a replica to evict", "medium",
    "A PodDisruptionBudget whose minAvailable is at least the replicas of the workload it covers never "
    "allows an eviction: every node drain, and so every cluster upgrade, waits on it forever.",
    "Run more replicas than minAvailable (or use maxUnavailable: 1).",
    complete=True, reads=_reads,  # an autoscaler in a file not read may keep more replicas
    peers={"kube-linter": ("pdb-min-available",)},
)
def min_available_replicas(rule: CrossFileRule, documents: Sequence[Document],
                           settings: dict[str, Any]) -> Iterator[Finding]:
    floors = _minimum(documents)
    workloads: dict[str, list[tuple[Document, str, Any]]] = {}  # by namespace: a budget reads its own
    for doc, ns, labels in pod_templates(documents):
        if doc.data.get("kind") in _REPLICATED:
            workloads.setdefault(ns, []).append((doc, ns, labels or _selected(doc)))
    for doc in of_kind(documents, "PodDisruptionBudget"):
        spec = doc.data.get("spec") if isinstance(doc.data.get("spec"), dict) else {}
        wanted, selector = spec.get("minAvailable"), spec.get("selector")
        if wanted is None or wanted == "100%" or not isinstance(selector, dict):
            continue  # 100% is K8S-PDB-NO-EVICTION's, whatever the replicas
        ns = namespace(doc.data)
        for workload, where, labels in workloads.get(ns, ()):
            if not labels or not selects(selector, labels):
                continue
            kind, called = str(workload.data.get("kind")), name(workload.data)
            replicas = floors.get((ns, kind, called), _replicas(workload))
            if not isinstance(replicas, int) or isinstance(replicas, bool):
                continue
            required = _required(wanted, replicas)
            if required is not None and required >= replicas:
                yield finding_at(doc, "/spec/minAvailable", rule=rule.id, severity=rule.severity,
                                 message=f"minAvailable {wanted} keeps all {replicas} of {kind} {called}'s replicas "
                                         "up: no pod may ever be evicted")
