"""drift.k8s_tables: contexts resolved to shapes per kind, key and shape globs, Written items, builtin groups, tables()."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.drift.k8s_tables import (
    OBJECT,
    ListRule,
    Written,
    builtin,
    key_matches,
    map_fields,
    prefixes,
    shape_matches,
    tables,
)

POD_SPECS = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


# ------------------------------------------------------------------ prefixes


@pytest.mark.parametrize("kind", sorted(POD_SPECS))
def test_the_pod_spec_context_of_each_workload(kind: str) -> None:
    assert prefixes(("podspec",), kind) == (POD_SPECS[kind],)


@pytest.mark.parametrize("kind", sorted(POD_SPECS))
def test_containers_sit_in_the_three_container_lists(kind: str) -> None:
    spec = POD_SPECS[kind]
    assert prefixes(("container",), kind) == tuple(
        (*spec, name, "*") for name in ("containers", "initContainers", "ephemeralContainers"))


def test_probe_contexts_nest_through_containers() -> None:
    assert prefixes(("probe",), "Pod") == tuple(
        ("spec", lists, "*", probe)
        for probe in ("livenessProbe", "readinessProbe", "startupProbe")
        for lists in ("containers", "initContainers", "ephemeralContainers"))


@pytest.mark.parametrize(
    ("where", "kind", "expected"),
    [
        ((OBJECT,), "Anything", ((),)),
        (("Service",), "Service", ((),)),
        (("Service", OBJECT), "Service", ((),)),
        (("Service",), "Deployment", ()),
        (("podspec",), "Service", ()),
        (("podspec",), "", ()),
        (("no-such-context",), "Pod", ()),
        ((), "Pod", ()),
        (("pvc-spec",), "StatefulSet", (("spec", "volumeClaimTemplates", "*", "spec"),
                                        ("spec", "template", "spec", "volumes", "*", "ephemeral", "volumeClaimTemplate",
                                         "spec"))),
        (("pvc-spec",), "PersistentVolumeClaim", (("spec",),)),
        (("downward-item",), "Pod", (("spec", "volumes", "*", "downwardAPI", "items", "*"),
                                     ("spec", "volumes", "*", "projected", "sources", "*", "downwardAPI", "items", "*"))),
        (("job-spec",), "CronJob", (("spec", "jobTemplate", "spec"),)),
        (("rbac-subject",), "ClusterRoleBinding", (("subjects", "*"),)),
        (("netpol-port",), "NetworkPolicy", (("spec", "ingress", "*", "ports", "*"), ("spec", "egress", "*", "ports", "*"))),
        (("limit-range-item",), "LimitRange", (("spec", "limits", "*"),)),
        (("http-get",), "Pod", tuple(("spec", c, "*", p, "httpGet") for p in ("livenessProbe", "readinessProbe",
                                                                                "startupProbe")
                                     for c in ("containers", "initContainers", "ephemeralContainers"))
         + tuple(("spec", c, "*", "lifecycle", hook, "httpGet") for hook in ("postStart", "preStop")
                 for c in ("containers", "initContainers", "ephemeralContainers"))),
    ],
    ids=["object-everywhere", "own-kind", "deduplicated", "other-kind", "no-pod-spec", "no-kind", "unknown-context",
         "nowhere", "pvc-spec-in-statefulset", "pvc-spec-of-a-claim", "downward-items", "job-spec-of-cronjob",
         "rbac-subjects", "netpol-ports", "limit-range-items", "http-get"],
)
def test_prefixes(where: tuple[str, ...], kind: str, expected: tuple) -> None:
    assert prefixes(where, kind) == expected


# ------------------------------------------------------------------ key and shape matching


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("*", "*", True), ("*", "name", False), ("name", "name", True), ("name", "Name", False),
        ("kustomize.toolkit.fluxcd.io/*", "kustomize.toolkit.fluxcd.io/name", True),
        ("kustomize.toolkit.fluxcd.io/*", "kustomize.toolkit.fluxcd.io/", True),
        ("kustomize.toolkit.fluxcd.io/*", "helm.toolkit.fluxcd.io/name", False),
        ("deployment.kubernetes.io/*", "*", False),
        ("a*", "A1", False), ("a?c", "a?c", True), ("a?c", "abc", False), ("*x*", "axb", True),
    ],
    ids=lambda v: repr(v),
)
def test_key_matches(pattern: str, key: str, expected: bool) -> None:
    assert key_matches(pattern, key) is expected


@pytest.mark.parametrize(
    ("pattern", "shape", "expected"),
    [
        ((), (), True),
        (("spec", "*", "x"), ("spec", "*", "x"), True),
        (("spec", "*"), ("spec", "0"), False),
        (("metadata", "labels", "helm.toolkit.fluxcd.io/*"), ("metadata", "labels", "helm.toolkit.fluxcd.io/name"), True),
        (("metadata", "labels"), ("metadata", "labels", "x"), False),
        (("metadata", "labels", "x"), ("metadata", "labels"), False),
    ],
    ids=["empty", "list-items", "star-is-not-an-index", "glob-key", "shorter-pattern", "longer-pattern"],
)
def test_shape_matches(pattern: tuple, shape: tuple, expected: bool) -> None:
    assert shape_matches(pattern, shape) is expected


# ------------------------------------------------------------------ Written.item


@pytest.mark.parametrize(
    ("written", "item", "expected"),
    [
        (Written(("x",), "w"), {"anything": 1}, True),
        (Written(("x",), "w"), None, True),
        (Written(("x",), "w", "kubernetes", True), "kubernetes", True),
        (Written(("x",), "w", "kubernetes", True), "other", False),
        (Written(("x",), "w", 1, True), True, False),
        (Written(("x",), "w", 1, True), 1.0, False),
        (Written(("x",), "w", None, True), None, True),
        (Written(("x",), "w", None, True), "", False),
        (Written(("x",), "w", match={"name": "token-*"}), {"name": "token-abc", "x": 1}, True),
        (Written(("x",), "w", match={"name": "token-*"}), {"name": "mine"}, False),
        (Written(("x",), "w", match={"name": "token-*"}), {"other": "token-abc"}, False),
        (Written(("x",), "w", match={"name": "token-*"}), "token-abc", False),
        (Written(("x",), "w", match={"port": "8*"}), {"port": 8080}, True),
        (Written(("x",), "w", match={"port": "8*"}), {"port": [8080]}, False),
        (Written(("x",), "w", match={}), {}, True),
    ],
    ids=["any-item", "any-none", "value-equal", "value-other", "value-type-bool", "value-type-float", "value-none",
         "value-none-vs-empty", "match-glob", "match-glob-miss", "match-field-absent", "match-non-dict",
         "match-int-as-text", "match-list-field", "match-nothing"],
)
def test_written_item(written: Written, item: Any, expected: bool) -> None:
    assert written.item(item) is expected


# ------------------------------------------------------------------ builtin and map fields


@pytest.mark.parametrize(
    ("api_version", "expected"),
    [
        ("v1", True), ("apps/v1", True), ("batch/v1beta1", True), ("rbac.authorization.k8s.io/v1", True),
        ("networking.k8s.io/v1", True), ("apiextensions.k8s.io/v1", True), ("resource.k8s.io/v1beta1", True),
        ("example.com/v1", False), ("argoproj.io/v1alpha1", False), ("monitoring.coreos.com/v1", False),
        ("", False), ("k8s.io/v1", False),
    ],
    ids=lambda v: repr(v),
)
def test_builtin(api_version: str, expected: bool) -> None:
    assert builtin(api_version) is expected


def test_map_fields_are_the_go_maps() -> None:
    assert map_fields() == frozenset({
        "labels", "annotations", "matchLabels", "data", "binaryData", "stringData", "nodeSelector", "selector",
        "limits", "requests", "overhead", "hard", "capacity", "max", "min", "default", "defaultRequest",
        "maxLimitRequestRatio", "parameters", "volumeAttributes", "options", "userAnnotations"})


# ------------------------------------------------------------------ tables


DEPLOYMENT_POD = ("spec", "template", "spec")


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ((*DEPLOYMENT_POD, "containers"), ListRule("map", ("name",))),
        ((*DEPLOYMENT_POD, "containers", "*", "ports"), ListRule("map", ("containerPort", "protocol"), {"protocol": "TCP"})),
        ((*DEPLOYMENT_POD, "initContainers", "*", "env"), ListRule("map", ("name",))),
        ((*DEPLOYMENT_POD, "tolerations"), ListRule("atomic")),
        ((*DEPLOYMENT_POD, "topologySpreadConstraints"), ListRule("map", ("topologyKey", "whenUnsatisfiable"))),
        (("metadata", "finalizers"), ListRule("set")),
        (("metadata", "ownerReferences"), ListRule("map", ("uid",))),
        (("spec", "ports"), None),
    ],
    ids=["containers", "container-ports", "init-container-env", "tolerations", "spread", "finalizers", "owners",
         "service-ports-not-here"],
)
def test_deployment_list_rules(shape: tuple, expected: ListRule | None) -> None:
    assert tables("Deployment", "apps/v1").lists.get(shape) == expected


def test_service_list_and_zero_rules() -> None:
    kt = tables("Service", "v1")
    assert kt.lists[("spec", "ports")] == ListRule("map", ("port", "protocol"), {"protocol": "TCP"})
    assert ("spec", "ipFamilyPolicy") in kt.meaningful_zero
    assert ("spec", "type") not in kt.meaningful_zero


@pytest.mark.parametrize(
    ("kind", "shape", "kept"),
    [
        ("Deployment", ("spec", "replicas"), True),
        ("Deployment", (*DEPLOYMENT_POD, "automountServiceAccountToken"), True),
        ("Deployment", (*DEPLOYMENT_POD, "containers", "*", "securityContext", "privileged"), True),
        ("Deployment", (*DEPLOYMENT_POD, "hostNetwork"), False),
        ("DaemonSet", ("spec", "replicas"), False),
        ("ConfigMap", ("immutable",), True),
        ("CronJob", ("spec", "jobTemplate", "spec", "backoffLimit"), True),
        ("PodDisruptionBudget", ("spec", "minAvailable"), True),
    ],
    ids=["replicas", "automount", "privileged", "host-network-is-plain-bool", "daemonset-has-no-replicas",
         "immutable", "cronjob-backoff", "pdb-min-available"],
)
def test_meaningful_zero(kind: str, shape: tuple, kept: bool) -> None:
    assert (shape in tables(kind, "v1").meaningful_zero) is kept


def test_written_exact_and_glob_entries() -> None:
    kt = tables("Deployment", "apps/v1")
    assert [(w.by, w.has_value) for w in kt.written(("metadata", "annotations", "deployment.kubernetes.io/revision"))] == [
        ("deployment controller", False)]
    assert [(w.by, w.value, w.has_value) for w in kt.written(("metadata", "labels", "app.kubernetes.io/managed-by"))] == [
        ("Helm", "Helm", True)]
    assert [w.by for w in kt.written(("metadata", "labels", "kustomize.toolkit.fluxcd.io/name"))] == [
        "Flux kustomize-controller"]
    assert kt.written(("metadata", "labels", "app")) == []
    # The restartedAt annotation is the pod template's, for three kinds only.
    restarted = (*DEPLOYMENT_POD[:2], "metadata", "annotations", "kubectl.kubernetes.io/restartedAt")
    assert [w.by for w in kt.written(restarted)] == ["kubectl rollout restart"]
    assert tables("ReplicaSet", "apps/v1").written(restarted) == []


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        (("metadata",), True), (("metadata", "labels"), True), (("metadata", "annotations"), True),
        (("spec",), True), (("spec", "template", "metadata", "annotations"), True),
        (("metadata", "labels", "app.kubernetes.io/instance"), False), (("spec", "replicas"), False), ((), False),
    ],
    ids=["metadata", "labels", "annotations", "spec", "template-annotations", "the-field-itself", "unrelated", "root"],
)
def test_below_written(shape: tuple, expected: bool) -> None:
    assert tables("Deployment", "apps/v1").below_written(shape) is expected


def test_a_custom_resource_gets_only_the_entries_for_every_object() -> None:
    kt = tables("Deployment", "example.com/v1")
    assert (kt.builtin, kt.defaults, kt.meaningful_zero) == (False, [], frozenset())
    assert sorted(kt.lists) == [("metadata", "finalizers"), ("metadata", "ownerReferences")]
    assert all(shape[0] == "metadata" for shape in kt.written_exact)
    assert kt.written(("metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"))[0].by == "kubectl apply"


def test_defaults_restricted_to_api_versions() -> None:
    v1 = [d.path for d in tables("HorizontalPodAutoscaler", "autoscaling/v1").defaults]
    v2 = [d.path for d in tables("HorizontalPodAutoscaler", "autoscaling/v2").defaults]
    assert v1 == [("spec", "minReplicas")]
    assert v2[:2] == [("spec", "minReplicas"), ("spec", "metrics")]
    assert ("spec", "behavior", "scaleDown", "policies") in v2


def test_a_default_knows_where_its_context_sits() -> None:
    defaults = tables("CronJob", "batch/v1").defaults
    dns = [d for d in defaults if d.path == ("dnsPolicy",)]
    assert [(d.prefixes, d.spec["value"]) for d in dns] == [((POD_SPECS["CronJob"],), "ClusterFirst")]
    # SetDefaults_Job is for Jobs: a CronJob's job template gets none of its defaults.
    assert [d for d in defaults if d.path == ("spec", "backoffLimit")] == []


def test_defaults_keep_the_table_order() -> None:
    paths = [d.path for d in tables("Deployment", "apps/v1").defaults if d.path[:2] == ("spec", "strategy")]
    assert paths == [("spec", "strategy"), ("spec", "strategy", "type"), ("spec", "strategy", "rollingUpdate"),
                     ("spec", "strategy", "rollingUpdate", "maxUnavailable"),
                     ("spec", "strategy", "rollingUpdate", "maxSurge")]


KEYS = st.text(st.sampled_from("ab*/."), max_size=5)


@settings(max_examples=150, deadline=None, database=None)
@given(st.lists(KEYS, max_size=4))
def test_a_shape_without_globs_matches_exactly_itself(shape: list[str]) -> None:
    literal = tuple(k for k in shape if k == "*" or "*" not in k)
    assert shape_matches(literal, literal) is True
    assert shape_matches(literal, (*literal, "x")) is False
