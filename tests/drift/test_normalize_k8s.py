"""drift.normalize_k8s: quantities, milli rounding, each KubernetesRules hook, and kubernetes_differences."""
from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import deployments
from trueup.drift.compare import Ignored
from trueup.drift.defaults_k8s import materialize
from trueup.drift.normalize_k8s import (
    BY_NAME,
    FALLBACK_KEYS,
    SERVER_WRITTEN,
    KubernetesRules,
    kubernetes_differences,
    quantity,
    round_up_milli,
)

POD = ("spec", "template", "spec")
CONTAINER = (*POD, "containers", "*")


# ------------------------------------------------------------------ quantity


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("500m", Decimal("0.5")), ("0.5", Decimal("0.5")), (".5", Decimal("0.5")), ("1.", Decimal(1)),
        ("1Gi", Decimal(2) ** 30), ("1024Mi", Decimal(2) ** 30), ("1G", Decimal(10) ** 9), ("1k", Decimal(1000)),
        ("1Ki", Decimal(1024)), ("1Ti", Decimal(2) ** 40), ("1Pi", Decimal(2) ** 50), ("1Ei", Decimal(2) ** 60),
        ("1E", Decimal(10) ** 18), ("1P", Decimal(10) ** 15), ("1T", Decimal(10) ** 12), ("1M", Decimal(10) ** 6),
        ("1e3", Decimal(1000)), ("1E3", Decimal(1000)), ("100n", Decimal("1e-7")), ("1u", Decimal("1e-6")),
        ("+1", Decimal(1)), ("-1", Decimal(-1)), ("  2 ", Decimal(2)), ("0", Decimal(0)),
        (2, Decimal(2)), (0.5, Decimal("0.5")), (0, Decimal(0)),
        ("1K", None), ("1ki", None), ("1KI", None), ("1Gib", None), ("1.5.5", None), ("abc", None), ("", None),
        ("12e", None), ("inf", None), (None, None), (True, None), (False, None),
    ],
    ids=lambda v: repr(v),
)
def test_quantity(value: Any, expected: Decimal | None) -> None:
    assert quantity(value) == expected


def test_a_decimal_suffix_is_not_a_binary_one() -> None:
    assert quantity("1G") != quantity("1Gi")
    assert quantity("1Gi") == quantity("1024Mi") == quantity("1048576Ki")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.0001", "0.001"), ("0.001", "0.001"), ("1.0005", "1.001"), ("1", "1.000"), ("0", "0.000"),
        ("-0.0001", "-0.001"), ("-1.2345", "-1.235"), ("1073741824", "1073741824.000"),
    ],
    ids=lambda v: v,
)
def test_round_up_milli(value: str, expected: str) -> None:
    got = round_up_milli(Decimal(value))
    assert (got, str(got)) == (Decimal(expected), expected)


def test_round_up_milli_leaves_infinity() -> None:
    assert round_up_milli(Decimal("Infinity")) == Decimal("Infinity")


@settings(max_examples=150, deadline=None, database=None)
@given(st.decimals(min_value=-10 ** 6, max_value=10 ** 6, allow_nan=False, allow_infinity=False, places=6))
def test_round_up_milli_is_idempotent_and_moves_away_from_zero_by_less_than_a_milli(value: Decimal) -> None:
    rounded = round_up_milli(value)
    assert round_up_milli(rounded) == rounded
    assert abs(rounded) >= abs(value)
    assert abs(rounded - value) < Decimal("0.001")


SUFFIXES = {"": 1, "m": Decimal("0.001"), "k": 10 ** 3, "M": 10 ** 6, "G": 10 ** 9, "Ki": 2 ** 10, "Mi": 2 ** 20,
            "Gi": 2 ** 30}


@settings(max_examples=150, deadline=None, database=None)
@given(st.integers(0, 10 ** 6), st.sampled_from(sorted(SUFFIXES)))
def test_quantity_is_number_times_suffix(n: int, suffix: str) -> None:
    assert quantity(f"{n}{suffix}") == n * Decimal(SUFFIXES[suffix])


# ------------------------------------------------------------------ KubernetesRules hooks


DEPLOYMENT = KubernetesRules("Deployment", "apps/v1")


@pytest.mark.parametrize(
    ("kind", "shape", "expected"),
    [
        ("Deployment", ("status",), True),
        ("Deployment", ("metadata", "uid"), True),
        ("Deployment", ("metadata", "managedFields"), True),
        ("Deployment", ("metadata", "resourceVersion"), True),
        ("Deployment", ("spec", "template", "metadata", "creationTimestamp"), True),
        ("Deployment", ("metadata", "name"), False),
        ("Deployment", ("spec", "status"), False),
        ("Deployment", ("data",), False),
        ("Secret", ("data",), True),
        ("Secret", ("stringData",), True),
        ("Secret", ("type",), False),
        ("ConfigMap", ("data",), False),
    ],
    ids=["status", "uid", "managed-fields", "resource-version", "template-creation-timestamp", "name",
         "nested-status", "data-of-a-deployment", "secret-data", "secret-string-data", "secret-type", "configmap-data"],
)
def test_skip(kind: str, shape: tuple, expected: bool) -> None:
    assert KubernetesRules(kind, "v1").skip(shape) is expected


def test_server_written_fields() -> None:
    assert SERVER_WRITTEN == frozenset({("status",)} | {("metadata", f) for f in (
        "managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink", "deletionTimestamp",
        "deletionGracePeriodSeconds")})


def test_extra_skip_is_asked_after_the_built_in_skips() -> None:
    rules = KubernetesRules("ConfigMap", "v1", extra_skip=lambda shape: shape[:1] == ("data",))
    assert (rules.skip(("data", "x")), rules.skip(("metadata", "name")), rules.skip(("status",))) == (True, False, True)


@pytest.mark.parametrize(
    ("compare_written", "shape", "value", "expected"),
    [
        (False, ("metadata", "labels", "app.kubernetes.io/managed-by"), "Helm", "written by Helm"),
        (False, ("metadata", "labels", "app.kubernetes.io/managed-by"), "kustomize", None),
        (False, ("metadata", "annotations", "deployment.kubernetes.io/revision"), "3", "written by deployment controller"),
        (False, ("metadata", "labels", "kustomize.toolkit.fluxcd.io/name"), "app", "written by Flux kustomize-controller"),
        (False, ("metadata", "labels", "team"), "a", None),
        (True, ("metadata", "annotations", "deployment.kubernetes.io/revision"), "3", None),
        (("Helm",), ("metadata", "labels", "app.kubernetes.io/managed-by"), "Helm", None),
        (("Helm",), ("metadata", "annotations", "deployment.kubernetes.io/revision"), "3",
         "written by deployment controller"),
    ],
    ids=["helm-label", "managed-by-someone-else", "revision", "flux-glob", "user-label", "compare-all",
         "compare-helm", "compare-helm-not-the-controller"],
)
def test_written(compare_written: Any, shape: tuple, value: Any, expected: str | None) -> None:
    assert KubernetesRules("Deployment", "apps/v1", compare_written).written(shape, value) == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [("kubernetes", "written by Namespace registry"), ("example.com/cleanup", None), ({"x": 1}, None)],
    ids=["kubernetes-finalizer", "other-finalizer", "map-item"],
)
def test_written_item(item: Any, expected: str | None) -> None:
    assert KubernetesRules("Namespace", "v1").written_item(("spec", "finalizers"), item) == expected


@pytest.mark.parametrize(
    ("shape", "compare_written", "expected"),
    [
        (("metadata", "annotations"), False, True),
        (("metadata",), False, True),
        (("spec", "replicas"), False, False),
        (("metadata", "annotations"), True, False),
    ],
    ids=["annotations", "metadata", "plain-field", "compare-all"],
)
def test_descend(shape: tuple, compare_written: bool, expected: bool) -> None:
    assert KubernetesRules("Deployment", "apps/v1", compare_written).descend(shape) is expected


@pytest.mark.parametrize(
    ("shape", "value", "expected"),
    [
        (("metadata", "namespace"), "prod", True),
        (("x",), None, True), (("x",), [], True), (("x",), {}, True),
        (("spec", "template", "metadata"), {"creationTimestamp": None}, True),
        (("spec", "template", "metadata"), {"creationTimestamp": None, "labels": {}}, True),
        (("spec", "template", "metadata"), {"creationTimestamp": None, "labels": {"a": "b"}}, False),
        (("spec", "x"), 0, False), (("spec", "x"), "", False), (("spec", "x"), "y", False),
    ],
    ids=["namespace", "null", "empty-list", "empty-map", "template-timestamp", "timestamp-and-empty-labels",
         "timestamp-and-labels", "zero", "empty-string", "string"],
)
def test_live_default(shape: tuple, value: Any, expected: bool) -> None:
    assert DEPLOYMENT.live_default(shape, value, {}, {}) is expected


@pytest.mark.parametrize(
    ("kind", "api", "shape", "value", "expected"),
    [
        ("Deployment", "apps/v1", ("spec", "replicas"), 0, False),
        ("Deployment", "apps/v1", (*POD, "hostNetwork"), False, True),
        ("Deployment", "apps/v1", (*POD, "nodeName"), "", True),
        ("Deployment", "apps/v1", (*POD, "automountServiceAccountToken"), False, False),
        ("Deployment", "apps/v1", ("metadata", "labels", "x"), "", False),
        ("Deployment", "apps/v1", (*CONTAINER, "resources", "limits", "cpu"), 0, False),
        ("ConfigMap", "v1", ("data", "empty"), "", False),
        ("Deployment", "apps/v1", ("spec", "x"), None, True),
        ("Deployment", "apps/v1", ("spec", "x"), [], True),
        ("Deployment", "apps/v1", ("spec", "x"), {}, True),
        ("Deployment", "apps/v1", ("spec", "x"), "a", False),
        ("Deployment", "apps/v1", ("spec", "x"), 1, False),
        ("Widget", "example.com/v1", ("spec", "enabled"), False, False),
        ("Widget", "example.com/v1", ("spec", "x"), None, True),
    ],
    ids=["pointer-zero-kept", "plain-bool-zero", "plain-string-zero", "pointer-bool-zero", "label-value",
         "resource-list-value", "configmap-data", "null", "empty-list", "empty-map", "string", "one",
         "custom-resource-zero-kept", "custom-resource-null"],
)
def test_absent_ok(kind: str, api: str, shape: tuple, value: Any, expected: bool) -> None:
    assert KubernetesRules(kind, api).absent_ok(shape, value) is expected


def test_list_keys_from_the_tables() -> None:
    containers = DEPLOYMENT.list_key((*POD, "containers"), [])
    ports = DEPLOYMENT.list_key((*CONTAINER, "ports"), [])
    finalizers = DEPLOYMENT.list_key(("metadata", "finalizers"), [])
    assert containers is not None and ports is not None and finalizers is not None
    assert containers({"name": "a", "image": "x"}) == ('"a"',)
    # protocol defaults to TCP: an item without it is the TCP one
    assert ports({"containerPort": 80}) == ports({"containerPort": 80, "protocol": "TCP"}) == ("80", '"TCP"')
    assert ports({"containerPort": 80, "protocol": "UDP"}) == ("80", '"UDP"')
    assert ports({"containerPort": "80"}) != ports({"containerPort": 80})
    assert ports("not a map") == ("value", "'not a map'")
    assert finalizers("a") == '"a"'
    assert DEPLOYMENT.list_key((*POD, "tolerations"), [{"key": "a"}]) is None


def test_an_endpoints_key_of_ports_ignores_their_order() -> None:
    subsets = KubernetesRules("Endpoints", "v1").list_key(("subsets",), [])
    assert subsets is not None
    a = {"ports": [{"port": 80}, {"port": 443}]}
    b = {"ports": [{"port": 443}, {"port": 80}]}
    assert subsets(a) == subsets(b)
    assert subsets(a) != subsets({"ports": [{"port": 80}]})


SAMPLE = {"name": "n", "mountPath": "/m", "containerPort": 1}


@pytest.mark.parametrize(
    ("shape", "items", "expected"),
    [
        (("crd", "containers"), [], ('"n"',)),
        (("crd", "volumeMounts"), [], ('"/m"',)),
        (("crd", "ports"), [], ("1", '"TCP"')),
        (("crd", "things"), [{"name": "a"}, {"name": "b"}], ('"n"',)),
        (("crd", "things"), [{"name": "a"}, {"name": "a"}], None),
        (("crd", "things"), [{"name": "a"}, {"id": 1}], None),
        (("crd", "things"), [{"name": 1}, {"name": "1"}], None),
        (("crd", "things"), [], None),
        ((), [], None),
    ],
    ids=["containers", "volume-mounts", "ports", "distinct-names", "repeated-names", "an-item-without-name",
         "names-equal-as-text", "empty", "root"],
)
def test_fallback_list_keys(shape: tuple, items: list, expected: tuple | None) -> None:
    """Lists no table names (a custom resource's): by their last key, else by distinct names, else by position."""
    key = KubernetesRules("Widget", "example.com/v1").list_key(shape, items)
    assert (key(SAMPLE) if key is not None else None) == expected


def test_fallback_keys_table() -> None:
    assert sorted(FALLBACK_KEYS) == ["containers", "env", "ephemeralContainers", "imagePullSecrets", "initContainers",
                                     "ports", "volumeDevices", "volumeMounts", "volumes"]
    assert FALLBACK_KEYS["env"] is BY_NAME


@pytest.mark.parametrize(
    ("kind", "shape", "desired", "live", "expected"),
    [
        ("Deployment", (*CONTAINER, "resources", "limits", "cpu"), "0.5", "500m", True),
        ("Deployment", (*CONTAINER, "resources", "requests", "memory"), "1Gi", "1024Mi", True),
        ("Deployment", (*CONTAINER, "resources", "requests", "memory"), "1G", "1Gi", False),
        ("Deployment", (*CONTAINER, "resources", "limits", "cpu"), "0.0001", "1m", True),
        ("Deployment", (*CONTAINER, "resources", "limits", "cpu"), 1, "1000m", True),
        ("Deployment", (*CONTAINER, "resources", "limits", "cpu"), "lots", "lots", None),
        ("Deployment", (*POD, "volumes", "*", "emptyDir", "sizeLimit"), "1Gi", "1024Mi", True),
        ("Deployment", (*POD, "volumes", "*", "emptyDir", "sizeLimit"), "0.0001", "1m", False),
        ("ResourceQuota", ("spec", "hard", "cpu"), "2", "2000m", True),
        ("PersistentVolume", ("spec", "capacity", "storage"), "10Gi", "10240Mi", True),
        ("LimitRange", ("spec", "limits", "*", "max", "cpu"), "1", "1000m", True),
        ("Deployment", ("spec", "limits", "*", "max", "cpu"), "1", "1000m", None),
        ("Deployment", ("spec", "replicas"), "1", "1000m", None),
        ("Deployment", ("spec", "rules"), [], None, True),
        ("Deployment", ("spec", "rules"), None, {}, True),
        ("Deployment", ("spec", "rules"), [], [1], None),
        ("Deployment", (*CONTAINER, "resources", "limits"), {"cpu": "1"}, {"cpu": "1000m"}, None),
        ("Deployment", (), {}, {}, True),
    ],
    ids=["cpu-milli", "memory-binary", "decimal-vs-binary", "rounded-up", "int-cpu", "not-quantities", "size-limit",
         "size-limit-not-rounded", "quota-hard", "pv-capacity", "limit-range-max", "max-outside-limit-range",
         "not-a-quantity-field", "empty-list-vs-null", "null-vs-empty-map", "empty-vs-list", "resource-list-map",
         "empty-root"],
)
def test_equal(kind: str, shape: tuple, desired: Any, live: Any, expected: bool | None) -> None:
    assert KubernetesRules(kind, "v1").equal(shape, desired, live) is expected


# ------------------------------------------------------------------ kubernetes_differences


def deployment(**spec: Any) -> dict:
    container = {"name": "app", "image": "nginx:1.27", "resources": {"limits": {"cpu": "0.5", "memory": "1Gi"}}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"template": {"spec": {"containers": [container]}}, **spec}}


def rows(found: list) -> list[tuple]:
    return [(type(d).__name__, d.kind, d.desired_path, d.live_path, d.desired, d.live) for d in found]


def test_server_noise_defaults_and_quantities_are_no_drift() -> None:
    desired = deployment(replicas=0)
    live = materialize("Deployment", "apps/v1", desired).data
    live["status"] = {"replicas": 0}
    live["metadata"].update(uid="u-1", resourceVersion="9", generation=2, creationTimestamp="2026-01-01T00:00:00Z")
    live["spec"]["template"]["metadata"] = {"creationTimestamp": None}
    live["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"] = {"cpu": "500m", "memory": "1024Mi"}
    live["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"] = {}
    assert rows(kubernetes_differences(desired, live)) == []


def test_a_written_annotation_is_ignored_and_compared_when_asked() -> None:
    desired = deployment()
    live = materialize("Deployment", "apps/v1", desired).data
    live["metadata"]["annotations"] = {"deployment.kubernetes.io/revision": "3"}
    pointer = "/metadata/annotations/deployment.kubernetes.io~1revision"
    found = kubernetes_differences(desired, live)
    assert rows(found) == [("Ignored", "extra", pointer, pointer, None, "3")]
    assert isinstance(found[0], Ignored) and found[0].reason == "written by deployment controller"
    assert rows(kubernetes_differences(desired, live, compare_written=True)) == [
        ("Difference", "extra", "/metadata/annotations", "/metadata/annotations", None,
         {"deployment.kubernetes.io/revision": "3"})]
    # Comparing one writer's fields: the annotations are still walked key by key, that key now drift.
    assert rows(kubernetes_differences(desired, live, compare_written=("deployment controller",))) == [
        ("Difference", "extra", pointer, pointer, None, "3")]


def test_real_changes_are_reported_against_the_users_file() -> None:
    desired = deployment(replicas=0)
    live = materialize("Deployment", "apps/v1", desired).data
    live["spec"]["replicas"] = 3
    live["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "Always"  # the default is IfNotPresent
    live["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "600m"
    pull = "/spec/template/spec/containers/0/imagePullPolicy"
    cpu = "/spec/template/spec/containers/0/resources/limits/cpu"
    # In the walk's order: desired's keys (the template before replicas here), a map's live-only keys after them.
    assert rows(kubernetes_differences(desired, live)) == [
        ("Difference", "changed", cpu, cpu, "0.5", "600m"),
        ("Difference", "extra", pull, pull, None, "Always"),
        ("Difference", "changed", "/spec/replicas", "/spec/replicas", 0, 3),
    ]


def test_the_api_version_comes_from_live_when_desired_has_none() -> None:
    desired = {"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": ""}}
    live = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": ""}}
    assert rows(kubernetes_differences(desired, live)) == [
        ("Difference", "extra", "/apiVersion", "/apiVersion", None, "v1")]


def test_a_live_value_that_is_not_an_object() -> None:
    desired = {"apiVersion": "v1", "kind": "ConfigMap"}
    assert rows(kubernetes_differences(desired, "text")) == [("Difference", "changed", "", "", desired, "text")]


@settings(max_examples=60, deadline=None, database=None)
@given(deployments())
def test_a_deployment_against_its_own_server_view_has_no_differences(obj: dict) -> None:
    live = copy.deepcopy(materialize("Deployment", "apps/v1", obj).data)
    assert rows(kubernetes_differences(obj, live)) == []
    assert rows(kubernetes_differences(obj, copy.deepcopy(obj))) == []
