"""Kubernetes objects' identity: which kinds are cluster-scoped, and how an object is named
(``Kind/namespace/name``) wherever trueup names one: targets, drift pairing, rules and patches."""
from __future__ import annotations



# Cluster-scoped kinds have no namespace; every other kind defaults to "default".
CLUSTER_SCOPED_KINDS = frozenset(
    {
        "APIService", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding",
        "ComponentStatus", "CSIDriver", "CSINode", "CustomResourceDefinition",
        "FlowSchema", "IngressClass", "MutatingWebhookConfiguration", "Namespace", "Node",
        "PersistentVolume", "PodSecurityPolicy", "PriorityClass", "PriorityLevelConfiguration",
        "RuntimeClass", "StorageClass", "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration", "VolumeAttachment",
        "IPAddress", "ServiceCIDR", "DeviceClass", "ResourceSlice",
    }
)


def kubernetes_target(obj: dict, default_namespace: str = "default") -> str:
    kind = obj.get("kind") or "?"
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    name = meta.get("name") or meta.get("generateName") or "?"
    if isinstance(kind, str) and kind in CLUSTER_SCOPED_KINDS:
        return f"{kind}/{name}"
    namespace = meta.get("namespace") or default_namespace
    return f"{kind}/{namespace}/{name}"
