"""Cross-file rules for Kubernetes: references and selectors among the desired objects."""
from __future__ import annotations

from typing import Any, Iterator, Sequence

from ...model import Document, Finding, finding_at
from ..select import expand, select
from .registry import NAME, WHOLE, CrossFileRule, register
from . import selectors


# (pointer glob within the pod spec or container, kind referred to, key holding the name)
POD_REFERENCES = [
    ("{pod}/volumes/*/configMap", "ConfigMap", "name"),
    ("{pod}/volumes/*/secret", "Secret", "secretName"),
    ("{pod}/volumes/*/persistentVolumeClaim", "PersistentVolumeClaim", "claimName"),
    ("{pod}/volumes/*/projected/sources/*/configMap", "ConfigMap", "name"),
    ("{pod}/volumes/*/projected/sources/*/secret", "Secret", "name"),
    ("{containers}/env/*/valueFrom/configMapKeyRef", "ConfigMap", "name"),
    ("{containers}/env/*/valueFrom/secretKeyRef", "Secret", "name"),
    ("{containers}/envFrom/*/configMapRef", "ConfigMap", "name"),
    ("{containers}/envFrom/*/secretRef", "Secret", "name"),
    ("{pod}/imagePullSecrets/*", "Secret", "name"),
]


def _kind(doc: Document) -> str | None:
    if doc.kind != "kubernetes" or not isinstance(doc.data, dict):
        return None
    kind = doc.data.get("kind")
    return kind if isinstance(kind, str) else None


def _reads_references(doc: Document, settings: dict[str, Any]) -> str | None:
    kind = _kind(doc)
    if kind is None:
        return None
    if expand("{pod}", kind):
        return WHOLE
    return NAME if kind in ("ConfigMap", "Secret", "PersistentVolumeClaim", "ServiceAccount") else None


def _reads_services(doc: Document, settings: dict[str, Any]) -> str | None:
    kind = _kind(doc)
    return WHOLE if kind is not None and (kind == "Service" or expand("{pod}", kind)) else None


@register(
    "K8S-REFERENCE-EXISTS", "ConfigMaps, Secrets, PVCs and ServiceAccounts that pods use exist", "high",
    "A pod that mounts or reads a ConfigMap, Secret or claim that does not exist stays in "
    "ContainerCreating (CreateContainerConfigError); a missing ServiceAccount stops the pod from being created.",
    "Add the object to the desired state, fix the name, or mark the reference optional. For objects made "
    "outside git (External Secrets, say), suppress with `# trueup: ignore[K8S-REFERENCE-EXISTS] reason`.",
    complete=True, reads=_reads_references, peers={"kube-linter": ("non-existent-service-account",)},
)
def references_exist(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    objects = selectors.objects(documents)
    known = {(str(o.data.get("kind")), selectors.namespace(o.data), selectors.name(o.data)) for o in objects}
    for doc in objects:
        kind, ns = doc.data.get("kind"), selectors.namespace(doc.data)
        for pattern, ref_kind, key in POD_REFERENCES:
            for concrete in expand(pattern, kind):
                for pointer, ref in select(doc.data, concrete):
                    if not isinstance(ref, dict) or ref.get("optional") is True or not ref.get(key):
                        continue
                    if (ref_kind, ns, str(ref[key])) not in known:
                        yield finding_at(doc, f"{pointer}/{key}", rule=rule.id, severity=rule.severity,
                                         message=f"{ref_kind} {ref[key]!r} is not in the desired state of namespace {ns}")
        for concrete in expand("{pod}", kind):
            for pointer, pod in select(doc.data, concrete):
                # The deprecated serviceAccount stands in when serviceAccountName is empty (k8s.io/api
                # core/v1 PodSpec.DeprecatedServiceAccount; the API server's v1 conversion copies it over).
                field = "serviceAccountName" if isinstance(pod, dict) and pod.get("serviceAccountName") \
                    else "serviceAccount"
                account = pod.get(field) if isinstance(pod, dict) else None
                if account and account != "default" and ("ServiceAccount", ns, str(account)) not in known:
                    yield finding_at(doc, f"{pointer}/{field}", rule=rule.id, severity=rule.severity,
                                     message=f"ServiceAccount {account!r} is not in the desired state of namespace {ns}")


@register(
    "K8S-SERVICE-MATCHES-PODS", "Every Service selector matches a pod template", "high",
    "A Service whose selector matches no pod template in its namespace has no endpoints: traffic goes nowhere.",
    "Make the Service's selector a subset of the pod template labels of the workload it fronts.",
    complete=True, reads=_reads_services, peers={"kube-linter": ("dangling-service",)},
)
def service_matches_pods(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    objects = selectors.objects(documents)
    pods: dict[str, list[dict[str, Any]]] = {}
    for _, ns, labels in selectors.pod_templates(objects):
        if labels:
            pods.setdefault(ns, []).append(labels)
    if not pods:
        return
    index = _label_index(pods)
    for doc in objects:
        if doc.data.get("kind") != "Service":
            continue
        spec = doc.data.get("spec") if isinstance(doc.data.get("spec"), dict) else {}
        selector = spec.get("selector")
        if not isinstance(selector, dict) or not selector:
            continue
        if not _matches(selector, selectors.namespace(doc.data), pods, index):
            yield finding_at(doc, "/spec/selector", rule=rule.id, severity=rule.severity,
                             message=f"selector {selector} matches no pod template in namespace {selectors.namespace(doc.data)}")


LabelIndex = dict[tuple[str, str, Any], set[int]]


def _label_index(pods: dict[str, list[dict[str, Any]]]) -> LabelIndex:
    """(namespace, key, value) -> the pod templates carrying that label: a selector's candidates are
    the intersection of its labels' sets, not every pod template of the namespace."""
    index: LabelIndex = {}
    for namespace, templates in pods.items():
        for number, labels in enumerate(templates):
            for key, value in labels.items():
                try:
                    index.setdefault((namespace, key, value), set()).add(number)
                except TypeError:  # an unhashable label value (an invalid manifest): found by the scan
                    continue
    return index


def _matches(selector: dict[str, Any], namespace: str, pods: dict[str, list[dict[str, Any]]], index: LabelIndex) -> bool:
    try:
        found: set[int] | None = None
        for key, value in selector.items():
            hits = index.get((namespace, key, value), set())
            found = hits if found is None else found & hits
            if not found:
                return False
        return True
    except TypeError:  # an unhashable selector value: compare with every pod template
        return any(all(labels.get(k) == v for k, v in selector.items()) for labels in pods.get(namespace, []))
