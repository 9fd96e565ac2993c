"""Rules that follow a reference to a service account or a role within the files read: what a pod's
token mount or a binding grants depends on the object it names. Neither judges from an absence (a
ServiceAccount or role not among the files is taken at its Kubernetes default or not judged), so
both run on named files too."""
from __future__ import annotations

from typing import Any, Iterator, Sequence

from ...model import Document, Finding, finding_at
from ..select import POD_SPEC, expand, select
from .registry import WHOLE, CrossFileRule, register
from .selectors import listed, name, namespace, objects, of_kind, shown

# Verbs whose union on every resource of every group is what cluster-admin holds (the
# "all_verbs" form Polaris also treats as cluster-admin).
_ALL_VERBS = frozenset({"get", "list", "watch", "create", "update", "patch", "delete"})


def _reads(doc: Document, settings: dict[str, Any]) -> str | None:
    if doc.kind != "kubernetes" or not isinstance(doc.data, dict):
        return None
    kind = doc.data.get("kind")
    if not isinstance(kind, str):
        return None
    return WHOLE if kind in POD_SPEC or kind in ("ServiceAccount", "Role", "ClusterRole", "RoleBinding",
                                                 "ClusterRoleBinding") else None




@register(
    "K8S-AUTOMOUNT-SA-TOKEN", "Pods do not mount a service account token they do not need", "info",
    "Every pod gets an API token for its service account unless the pod or its ServiceAccount opts out "
    "(a pod's automountServiceAccountToken wins over its ServiceAccount's); a compromised container can use "
    "it against the API server.",
    "Set automountServiceAccountToken: false on the pod, or on its ServiceAccount, where it does not call the API.",
    reads=_reads, profile="strict",
    peers={"polaris": ("automountServiceAccountToken",), "checkov": ("CKV_K8S_38",)},
)
def automount_token(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    accounts = {(namespace(d.data), name(d.data)): d.data.get("automountServiceAccountToken")
                for d in of_kind(documents, "ServiceAccount")}
    for doc in objects(documents):
        for pointer in expand("{pod}", doc.data.get("kind")):
            for at, spec in select(doc.data, pointer):
                if not isinstance(spec, dict):
                    continue
                own = spec.get("automountServiceAccountToken")
                if own is False:
                    continue
                if own is not None:
                    yield finding_at(doc, f"{at}/automountServiceAccountToken", rule=rule.id, severity=rule.severity,
                                     message=f"automountServiceAccountToken is {shown(own)}")
                    continue
                account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
                if accounts.get((namespace(doc.data), str(account))) is False:
                    continue
                written = "automountServiceAccountToken" in spec  # written with no value: point at it
                yield finding_at(doc, f"{at}/automountServiceAccountToken" if written else at, rule=rule.id,
                                 severity=rule.severity,
                                 message="the pod does not set automountServiceAccountToken: false, nor does "
                                         f"its ServiceAccount {shown(str(account))}")


def _grants_everything(role: dict[str, Any]) -> bool:
    for entry in listed(role.get("rules")):
        if not isinstance(entry, dict):
            continue
        groups, resources, verbs = (set(map(str, listed(entry.get(k)))) for k in ("apiGroups", "resources", "verbs"))
        if "*" in groups and "*" in resources and ("*" in verbs or _ALL_VERBS <= verbs):
            return True
    return False


@register(
    "K8S-ADMIN-EQUIVALENT-BINDING", "Nothing is bound to a role that grants everything", "high",
    "A role that allows every verb (or get, list, watch, create, update, patch and delete) on every resource "
    "of every API group is cluster-admin under another name: a subject bound to it owns the cluster, or the "
    "namespace for a RoleBinding.",
    "Bind a role with the permissions the subject needs, and narrow the role's rules.",
    reads=_reads, profile="minimal",
    peers={"polaris": ("clusterrolebindingClusterAdmin", "rolebindingClusterAdminClusterRole",
                       "rolebindingClusterAdminRole")},
)
def admin_equivalent_binding(rule: CrossFileRule, documents: Sequence[Document],
                             settings: dict[str, Any]) -> Iterator[Finding]:
    cluster_roles = {name(d.data): d.data for d in of_kind(documents, "ClusterRole")}
    roles = {(namespace(d.data), name(d.data)): d.data for d in of_kind(documents, "Role")}
    for doc in of_kind(documents, "ClusterRoleBinding", "RoleBinding"):
        ref = doc.data.get("roleRef")
        if not isinstance(ref, dict) or ref.get("name") == "cluster-admin":
            continue  # K8S-CLUSTER-ADMIN-BINDING's
        if name(doc.data).startswith("system:"):
            continue  # the API server's own bindings (the bootstrap policy; the prefix is reserved)
        kind, role_name = ref.get("kind"), str(ref.get("name") or "")
        if kind == "ClusterRole":
            role = cluster_roles.get(role_name)
        elif kind == "Role" and doc.data.get("kind") == "RoleBinding":
            role = roles.get((namespace(doc.data), role_name))
        else:
            role = None
        if role is not None and _grants_everything(role):
            yield finding_at(doc, "/roleRef", rule=rule.id, severity=rule.severity,
                             message=f"the binding grants {kind} {shown(role_name)}, which allows every verb on "
                                     "every resource (cluster-admin in all but name)")
