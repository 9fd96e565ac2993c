"""Kubernetes API knowledge: the removed/deprecated table, the served-kinds catalog and check_object."""
from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pytest
import yaml

from trueup.validate.apis import (
    DEPRECATED, MALFORMED, REMOVED, UNKNOWN_API_VERSION, UNKNOWN_KIND, ApiProblem, Catalog, Lifecycle,
    check_object, is_builtin_group, lifecycle, lifecycle_table,
)
from trueup.validate.kubernetes import KubernetesSchemas, available_versions

API_VERSION = r"([a-z0-9.-]+/)?v\d+((alpha|beta)\d+)?"
NEWEST = KubernetesSchemas(None, False)
OLDEST = KubernetesSchemas("{}.{}".format(*available_versions()[0]), False)


def _catalog(which: str) -> Catalog:
    return Catalog.for_directory((NEWEST if which == "newest" else OLDEST).directory)


def _check(data: Any, version: tuple[int, int], which: str = "newest") -> list[tuple[str, str, str, str]]:
    return [(p.rule, p.severity, p.message, p.pointer) for p in check_object(data, version, _catalog(which))]


# --- the table ---------------------------------------------------------------------------------

def test_table_loads_with_a_source_and_sane_releases_for_every_entry() -> None:
    raw = yaml.safe_load(resources.files("trueup.validate").joinpath("api-lifecycle.yaml").read_text("utf-8"))
    entries = lifecycle_table()
    assert len(entries) == len(raw["apis"]) >= 100  # no (apiVersion, kind) listed twice
    bad = []
    for entry in entries:
        releases = [r for r in (entry.deprecated, entry.removed) if r is not None]
        sane = (bool(releases) and all(r[0] == 1 and 0 < r[1] < 60 for r in releases)
                and (entry.deprecated is None or entry.removed is None or entry.deprecated <= entry.removed)
                and entry.source.startswith("https://github.com/kubernetes/")
                and (entry.replacement is None or re.fullmatch(API_VERSION, entry.replacement))
                and entry.replacement != entry.api_version and not entry.kind.endswith("List"))
        if not sane:
            bad.append(entry)
    assert bad == []
    assert all(isinstance(row["removed"], (str, type(None))) for row in raw["apis"])  # "1.20" stays a string


@pytest.mark.parametrize(("api_version", "kind", "deprecated", "removed", "replacement"), [
    ("extensions/v1beta1", "Deployment", (1, 8), (1, 16), "apps/v1"),
    ("extensions/v1beta1", "DaemonSet", (1, 8), (1, 16), "apps/v1"),
    ("extensions/v1beta1", "ReplicaSet", (1, 8), (1, 16), "apps/v1"),
    ("extensions/v1beta1", "NetworkPolicy", (1, 9), (1, 16), "networking.k8s.io/v1"),
    ("extensions/v1beta1", "PodSecurityPolicy", (1, 11), (1, 16), "policy/v1beta1"),
    ("extensions/v1beta1", "Ingress", (1, 14), (1, 22), "networking.k8s.io/v1"),
    ("apps/v1beta1", "Deployment", (1, 8), (1, 16), "apps/v1"),
    ("apps/v1beta1", "StatefulSet", (1, 8), (1, 16), "apps/v1"),
    ("apps/v1beta1", "ReplicaSet", None, (1, 16), "apps/v1"),
    ("apps/v1beta2", "DaemonSet", (1, 9), (1, 16), "apps/v1"),
    ("networking.k8s.io/v1beta1", "Ingress", (1, 19), (1, 22), "networking.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", "IngressClass", (1, 19), (1, 22), "networking.k8s.io/v1"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", (1, 16), (1, 22), "apiextensions.k8s.io/v1"),
    ("apiregistration.k8s.io/v1beta1", "APIService", (1, 19), (1, 22), "apiregistration.k8s.io/v1"),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration", (1, 16), (1, 22),
     "admissionregistration.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", (1, 17), (1, 22), "rbac.authorization.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1alpha1", "Role", None, (1, 23), "rbac.authorization.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "CSIDriver", (1, 19), (1, 22), "storage.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "StorageClass", (1, 19), (1, 22), "storage.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity", (1, 24), (1, 27), "storage.k8s.io/v1"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass", (1, 14), (1, 22), "scheduling.k8s.io/v1"),
    ("batch/v1beta1", "CronJob", (1, 21), (1, 25), "batch/v1"),
    ("discovery.k8s.io/v1beta1", "EndpointSlice", (1, 21), (1, 25), "discovery.k8s.io/v1"),
    ("events.k8s.io/v1beta1", "Event", (1, 22), (1, 25), "events.k8s.io/v1"),
    ("node.k8s.io/v1beta1", "RuntimeClass", (1, 22), (1, 25), "node.k8s.io/v1"),
    ("policy/v1beta1", "PodDisruptionBudget", (1, 21), (1, 25), "policy/v1"),
    ("policy/v1beta1", "PodSecurityPolicy", (1, 21), (1, 25), None),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler", (1, 22), (1, 25), "autoscaling/v2"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler", (1, 23), (1, 26), "autoscaling/v2"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", (1, 23), (1, 26), "flowcontrol.apiserver.k8s.io/v1beta3"),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "PriorityLevelConfiguration", (1, 26), (1, 29),
     "flowcontrol.apiserver.k8s.io/v1beta3"),
    ("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", (1, 29), (1, 32), "flowcontrol.apiserver.k8s.io/v1"),
    ("resource.k8s.io/v1beta1", "ResourceClaim", (1, 35), (1, 38), None),
])
def test_table_has_the_guides_and_markers_facts(api_version: str, kind: str, deprecated: Any, removed: Any,
                                                replacement: str | None) -> None:
    entry = lifecycle(api_version, kind)
    assert entry is not None
    assert (entry.deprecated, entry.removed, entry.replacement) == (deprecated, removed, replacement)


def test_a_list_kind_follows_its_kind_and_unknown_pairs_have_no_entry() -> None:
    assert lifecycle("extensions/v1beta1", "DeploymentList") == lifecycle("extensions/v1beta1", "Deployment")
    assert lifecycle("apps/v1", "Deployment") is None
    assert isinstance(lifecycle("batch/v1beta1", "CronJob"), Lifecycle)


@pytest.mark.parametrize("version", available_versions(), ids=lambda v: f"{v[0]}.{v[1]}")
def test_no_entry_is_served_by_a_release_at_or_after_its_removal(version: tuple[int, int]) -> None:
    catalog = Catalog.for_directory(KubernetesSchemas(f"{version[0]}.{version[1]}", False).directory)
    served_after = [(e.api_version, e.kind) for e in lifecycle_table()
                    if e.removed is not None and e.removed <= version and e.api_version in catalog.api_versions(e.kind)]
    assert served_after == []


# --- the catalog -------------------------------------------------------------------------------

def test_catalog_reads_served_kinds_once_per_directory() -> None:
    catalog = _catalog("newest")
    assert Catalog.for_directory(NEWEST.directory) is catalog
    assert catalog.api_versions("Deployment") == frozenset({"apps/v1"})
    assert catalog.api_versions("ConfigMap") == frozenset({"v1"})
    assert catalog.api_versions("CustomResourceDefinition") == frozenset({"apiextensions.k8s.io/v1"})
    assert catalog.api_versions("HorizontalPodAutoscaler") == frozenset({"autoscaling/v1", "autoscaling/v2"})
    assert catalog.api_versions("deployment") == frozenset()
    assert {"Deployment", "Service", "ConfigMap"} <= catalog.kinds()
    assert "Deployment" in catalog.kinds("apps/v1") and "Service" not in catalog.kinds("apps/v1")
    assert "metrics.k8s.io" not in catalog.groups() and "apiextensions.k8s.io" in catalog.groups()


@pytest.mark.parametrize(("api_version", "builtin"), [
    ("v1", True), ("apps/v1", True), ("extensions/v1beta1", True), ("batch/v1", True),
    ("apiextensions.k8s.io/v1", True), ("apiregistration.k8s.io/v1", True), ("networking.k8s.io/v1", True),
    ("settings.k8s.io/v1alpha1", True),
    ("metrics.k8s.io/v1beta1", False), ("gateway.networking.k8s.io/v1", False), ("autoscaling.k8s.io/v1", False),
    ("snapshot.storage.k8s.io/v1", False), ("example.com/v1", False), ("serving.knative.dev/v1", False),
    ("skaffold/v2beta22", False), ("builtin", False), ("app/v1", False),
])
def test_builtin_groups_come_from_the_schemas(api_version: str, builtin: bool) -> None:
    assert is_builtin_group(api_version) is builtin


# --- check_object ------------------------------------------------------------------------------

V130, V137 = (1, 30), NEWEST.version


@pytest.mark.parametrize(("api_version", "kind", "version", "expected"), [
    ("apps/v1", "Deploymnet", V137,
     (UNKNOWN_KIND, "high", "unknown kind `Deploymnet` for apps/v1; did you mean `Deployment`?", "/kind")),
    ("v1", "Servcie", V137, (UNKNOWN_KIND, "high", "unknown kind `Servcie` for v1; did you mean `Service`?", "/kind")),
    ("v1", "configmap", V137,
     (UNKNOWN_KIND, "high", "unknown kind `configmap` for v1; did you mean `ConfigMap`?", "/kind")),
    ("apps/v1", "Gizmo", V137, (UNKNOWN_KIND, "high", "unknown kind `Gizmo` for apps/v1", "/kind")),
    ("app/v1", "Deployment", V137,
     (UNKNOWN_API_VERSION, "high", "`app/v1` is not served for Deployment; did you mean `apps/v1`?", "/apiVersion")),
    ("core/v1", "Pod", V137,
     (UNKNOWN_API_VERSION, "high", "`core/v1` is not served for Pod; did you mean `v1`?", "/apiVersion")),
    ("apps/v1", "CronJob", V137,
     (UNKNOWN_API_VERSION, "high", "`apps/v1` is not served for CronJob; did you mean `batch/v1`?", "/apiVersion")),
    ("rbac.authorization.k8s.i0/v1", "Role", V137,
     (UNKNOWN_API_VERSION, "high", "`rbac.authorization.k8s.i0/v1` is not served for Role; "
      "did you mean `rbac.authorization.k8s.io/v1`?", "/apiVersion")),
    ("apps/v1beta1", "Deployment", V130,
     (REMOVED, "high", "apps/v1beta1 Deployment was removed in Kubernetes 1.16; use apps/v1", "/apiVersion")),
    ("extensions/v1beta1", "Deployment", V130,
     (REMOVED, "high", "extensions/v1beta1 Deployment was removed in Kubernetes 1.16; use apps/v1", "/apiVersion")),
    ("extensions/v1beta1", "DaemonSet", V137,
     (REMOVED, "high", "extensions/v1beta1 DaemonSet was removed in Kubernetes 1.16; use apps/v1", "/apiVersion")),
    ("batch/v1beta1", "CronJob", V130,
     (REMOVED, "high", "batch/v1beta1 CronJob was removed in Kubernetes 1.25; use batch/v1", "/apiVersion")),
    ("batch/v1beta1", "CronJob", (1, 25),
     (REMOVED, "high", "batch/v1beta1 CronJob was removed in Kubernetes 1.25; use batch/v1", "/apiVersion")),
    ("policy/v1beta1", "PodDisruptionBudget", V130,
     (REMOVED, "high", "policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25; use policy/v1",
      "/apiVersion")),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler", V130,
     (REMOVED, "high", "autoscaling/v2beta2 HorizontalPodAutoscaler was removed in Kubernetes 1.26; "
      "use autoscaling/v2", "/apiVersion")),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", V137,
     (REMOVED, "high", "flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema was removed in Kubernetes 1.26; "
      "use flowcontrol.apiserver.k8s.io/v1", "/apiVersion")),  # its replacement v1beta3 is gone too
    ("extensions/v1beta1", "PodSecurityPolicy", V137,
     (REMOVED, "high", "extensions/v1beta1 PodSecurityPolicy was removed in Kubernetes 1.16; "
      "there is no replacement", "/apiVersion")),
    ("extensions/v1beta1", "IngressList", V137,
     (REMOVED, "high", "extensions/v1beta1 IngressList was removed in Kubernetes 1.22; use networking.k8s.io/v1",
      "/apiVersion")),
    ("resource.k8s.io/v1beta1", "ResourceClaim", V137,
     (DEPRECATED, "medium", "resource.k8s.io/v1beta1 ResourceClaim is deprecated since Kubernetes 1.35 "
      "and removed in 1.38; use resource.k8s.io/v1", "/apiVersion")),
])
def test_check_object_reports_one_problem(api_version: str, kind: str, version: tuple[int, int],
                                          expected: tuple[str, str, str, str]) -> None:
    assert _check({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}, version) == [expected]


def test_a_deprecated_api_is_medium_before_its_removal_release() -> None:
    assert _check({"apiVersion": "batch/v1beta1", "kind": "CronJob"}, (1, 24), "oldest") == [
        (DEPRECATED, "medium", "batch/v1beta1 CronJob is deprecated since Kubernetes 1.21 and removed in 1.25; "
         "use batch/v1", "/apiVersion")]
    assert _check({"apiVersion": "batch/v1", "kind": "CronJob"}, (1, 24), "oldest") == []


def test_a_known_kind_newer_than_the_release_is_not_served() -> None:
    version = OLDEST.version
    assert "Workload" not in _catalog("oldest").kinds()
    assert _check({"apiVersion": "scheduling.k8s.io/v1beta1", "kind": "Workload"}, version, "oldest") == [
        (UNKNOWN_API_VERSION, "high", f"`scheduling.k8s.io/v1beta1` Workload is not served by Kubernetes "
         f"{version[0]}.{version[1]}", "/apiVersion")]


@pytest.mark.parametrize(("api_version", "kind"), [
    ("apps/v1", "Deployment"), ("v1", "Service"), ("v1", "ConfigMap"), ("batch/v1", "CronJob"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"), ("networking.k8s.io/v1", "Ingress"),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"), ("policy/v1", "PodDisruptionBudget"),
    ("v1", "List"), ("v1", "DeploymentList"), ("apps/v1", "DeploymentList"),
    ("example.com/v1", "Widget"), ("cert-manager.io/v1", "Certificate"), ("serving.knative.dev/v1", "Service"),
    ("gateway.networking.k8s.io/v1", "Gateway"), ("metrics.k8s.io/v1beta1", "PodMetrics"),
    ("example.com/v1", "Deploymnet"),
    # Other tools' configs in Kubernetes' shape (their groups have no dot: no CRD can serve them).
    ("skaffold/v2beta22", "Config"), ("skaffold/v4beta11", "Config"), ("builtin", "LabelTransformer"),
    ("kustomize.config.k8s.io/v1beta1", "Kustomization"), ("kustomize.config.k8s.io/v1alpha1", "Component"),
])
def test_valid_objects_and_custom_groups_give_nothing(api_version: str, kind: str) -> None:
    assert _check({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}, V137) == []


@pytest.mark.parametrize(("data", "message"), [
    # kubeconform's acceptance cases: fixtures/missing_kind.yaml, missing_apiversion.yaml, missing_kind_value.yaml
    ({"key": "value"}, "Kubernetes object has neither apiVersion nor kind"),
    ({"kind": "ReplicationController", "metadata": {"name": "bob"}}, "Kubernetes object has kind but no apiVersion"),
    ({"kind": None}, "Kubernetes object has an empty kind"),
    ({"apiVersion": "v1", "metadata": {"name": "bob"}}, "Kubernetes object has apiVersion but no kind"),
    ({"apiVersion": "v1", "kind": ""}, "Kubernetes object has an empty kind"),
    ({"apiVersion": "v1", "kind": "  "}, "Kubernetes object has an empty kind"),
    ({"apiVersion": "v1", "kind": 5}, "Kubernetes object has a non-string kind (int)"),
    ({"apiVersion": "v1", "kind": ["Pod"]}, "Kubernetes object has a non-string kind (list)"),
    ({"apiVersion": None, "kind": "Pod"}, "Kubernetes object has an empty apiVersion"),
    ({"apiVersion": "", "kind": "Pod"}, "Kubernetes object has an empty apiVersion"),
    ({"apiVersion": 1.0, "kind": "Pod"}, "Kubernetes object has a non-string apiVersion (float)"),
])
def test_malformed_objects(data: dict, message: str) -> None:
    assert _check(data, V137) == [(MALFORMED, "high", message, "")]


@pytest.mark.parametrize(("api_version", "message"), [
    ("apps/v1/extra", "apiVersion `apps/v1/extra` is not VERSION or GROUP/VERSION"),
    ("/v1", "apiVersion `/v1` is not VERSION or GROUP/VERSION"),
    ("apps/", "apiVersion `apps/` is not VERSION or GROUP/VERSION"),
])
def test_an_apiversion_of_the_wrong_shape_is_malformed(api_version: str, message: str) -> None:
    expected = [(MALFORMED, "high", message, "/apiVersion")]
    assert _check({"apiVersion": api_version, "kind": "Deployment"}, V137) == expected


@pytest.mark.parametrize("data", [None, [], "apiVersion: v1", 7, {1: 2, "apiVersion": "v1", "kind": "Pod"}])
def test_odd_input_never_raises(data: Any) -> None:
    assert _check(data, V137) == []


def test_problems_are_frozen_values() -> None:
    problem = check_object({"apiVersion": "app/v1", "kind": "Deployment"}, V137, _catalog("newest"))[0]
    assert isinstance(problem, ApiProblem)
    with pytest.raises(AttributeError):
        problem.rule = "x"  # type: ignore[misc]
