"""drift.defaults_k8s: Go zeros, unset fields, the named predicates and computed values, materialize and settle."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings

from k8s_strategies import objects
from trueup.drift.compare import Difference, Ignored
from trueup.drift.defaults_k8s import (
    COMPUTE,
    PREDICATES,
    Materialized,
    Site,
    image_pull_policy,
    is_unset,
    is_zero,
    materialize,
    network_policy_types,
)
from trueup.drift.k8s_tables import tables
from trueup.pointer import value_at

# ------------------------------------------------------------------ zeros


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, True), (0.0, True), ("", True), (False, True), (True, False), (1, False), (-1, False), ("0", False),
        ("false", False), (None, False), ([], False), ({}, False), (" ", False),
    ],
    ids=lambda v: repr(v),
)
def test_is_zero(value: Any, expected: bool) -> None:
    assert is_zero(value) is expected


@pytest.mark.parametrize(
    ("value", "shape", "zero_kept", "expected"),
    [
        (None, ("a",), frozenset(), True),
        ([], ("a",), frozenset(), True),
        ({}, ("a",), frozenset(), True),
        ([0], ("a",), frozenset(), False),
        ({"k": None}, ("a",), frozenset(), False),
        (0, ("a",), frozenset(), True),
        ("", ("a",), frozenset(), True),
        (False, ("a",), frozenset(), True),
        (0, ("a",), frozenset({("a",)}), False),
        (False, ("a",), frozenset({("a",)}), False),
        (None, ("a",), frozenset({("a",)}), True),
        (1, ("a",), frozenset(), False),
        ("x", ("a",), frozenset(), False),
    ],
    ids=["null", "empty-list", "empty-map", "list", "map-of-null", "zero", "empty-string", "false", "kept-zero",
         "kept-false", "kept-but-null", "one", "text"],
)
def test_is_unset(value: Any, shape: tuple, zero_kept: frozenset, expected: bool) -> None:
    assert is_unset(value, shape, zero_kept) is expected


# ------------------------------------------------------------------ predicates and computed values


def site(root: Any, parent: dict | None = None, prefix: tuple = (), original: Any = None, kind: str = "Service",
         key: str = "field") -> Site:
    return Site(root, root if original is None else original, prefix, (), parent if parent is not None else {}, key,
                (*prefix, key), tables(kind, "v1"))


@pytest.mark.parametrize(
    ("arg", "root", "expected"),
    [
        ({"path": ["spec", "sessionAffinity"], "value": "None"}, {"spec": {"sessionAffinity": "None"}}, True),
        ({"path": ["spec", "sessionAffinity"], "value": "None"}, {"spec": {"sessionAffinity": "ClientIP"}}, False),
        ({"path": ["spec", "sessionAffinity"], "value": "None"}, {"spec": {}}, False),
        ({"path": ["kind"], "value": ["User", "Group"]}, {"kind": "Group"}, True),
        ({"path": ["kind"], "value": ["User", "Group"]}, {"kind": "ServiceAccount"}, False),
        ({"path": ["spec", "hostNetwork"], "value": True}, {"spec": {"hostNetwork": True}}, True),
        ({"path": ["spec", "hostNetwork"], "value": True}, {"spec": {"hostNetwork": 1}}, False),
        ({"path": ["spec", "hostNetwork"], "value": True}, {"spec": {"hostNetwork": "true"}}, False),
        ({"path": ["x"], "value": None}, {"x": None}, True),
        ({"path": ["x"], "value": None}, {}, False),
        ({"path": "x", "value": {"x": 1}}, {"x": 1}, True),
        ("not a map", {"x": 1}, False),
        (None, {}, False),
    ],
    ids=["equal", "other-value", "absent", "any-of", "none-of", "bool", "int-is-not-bool", "text-is-not-bool",
         "null", "absent-is-not-null", "path-not-a-list-is-the-root", "arg-not-a-map", "arg-null"],
)
def test_equals(arg: Any, root: Any, expected: bool) -> None:
    assert PREDICATES["equals"](arg, site(root)) is expected


def test_equals_reads_below_the_context() -> None:
    root = {"subjects": [{"kind": "User"}, {"kind": "ServiceAccount"}]}
    arg = {"path": ["kind"], "value": ["User", "Group"]}
    assert [PREDICATES["equals"](arg, site(root, prefix=("subjects", i))) for i in (0, 1)] == [True, False]


@pytest.mark.parametrize(
    ("paths", "original", "expected_set", "expected_unset"),
    [
        ([["spec", "completions"]], {"spec": {"completions": 2}}, True, False),
        ([["spec", "x"]], {"spec": {"x": 0}}, False, True),
        ([["spec", "completions"], ["spec", "parallelism"]], {"spec": {"completions": 2}}, False, False),
        ([["spec", "completions"], ["spec", "parallelism"]], {"spec": {}}, False, True),
        ([["spec", "x"]], {"spec": {"x": None}}, False, True),
        ([["spec", "x"]], {"spec": {"x": []}}, False, True),
        ([], {}, True, True),
        (None, {}, True, True),
    ],
    ids=["set", "plain-zero-is-unset", "one-of-two", "neither", "null", "empty-list", "no-paths", "null-paths"],
)
def test_desired_set_and_unset(paths: Any, original: dict, expected_set: bool, expected_unset: bool) -> None:
    where = site({"spec": {"completions": 9}}, original=original, kind="Job")  # what defaulting did is not read
    assert (PREDICATES["desired-set"](paths, where), PREDICATES["desired-unset"](paths, where)) == (
        expected_set, expected_unset)


def test_desired_set_honours_kept_zeros() -> None:
    # Job.spec.completions is a pointer: 0 is set.
    where = Site({}, {"spec": {"completions": 0}}, (), (), {}, "x", ("x",), tables("Job", "batch/v1"))
    assert PREDICATES["desired-set"]([["spec", "completions"]], where) is True


@pytest.mark.parametrize(
    ("spec", "types", "expected"),
    [
        ({}, ["ClusterIP"], True), ({"type": ""}, ["ClusterIP"], True), ({"type": None}, ["ClusterIP"], True),
        ({"type": "NodePort"}, ["ClusterIP", "NodePort"], True), ({"type": "ExternalName"}, ["ClusterIP"], False),
        ({"type": "LoadBalancer"}, None, False),
    ],
    ids=["unset-is-cluster-ip", "empty-is-cluster-ip", "null-is-cluster-ip", "listed", "not-listed", "no-types"],
)
def test_service_type(spec: dict, types: Any, expected: bool) -> None:
    assert PREDICATES["service-type"](types, site({"spec": spec})) is expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"type": "LoadBalancer"}, True), ({"type": "NodePort"}, True), ({}, False), ({"type": "ClusterIP"}, False),
        ({"externalIPs": ["192.0.2.1"]}, True), ({"externalIPs": []}, False), ({"type": "ExternalName"}, False),
        ({"type": "ExternalName", "externalIPs": ["192.0.2.1"]}, False),
    ],
    ids=["load-balancer", "node-port", "unset", "cluster-ip", "cluster-ip-with-external-ips", "empty-external-ips",
         "external-name", "external-name-with-ips"],
)
def test_externally_accessible(spec: dict, expected: bool) -> None:
    where = site({"spec": spec})
    assert (PREDICATES["externally-accessible"](True, where), PREDICATES["externally-accessible"](False, where)) == (
        expected, not expected)


@pytest.mark.parametrize(
    ("parent", "keys", "expected"),
    [({"name": "v"}, ["name"], True), ({"name": "v", "secret": {}}, ["name"], False), ({}, ["name"], True),
     ({"name": "v"}, None, False)],
    ids=["only-name", "a-source", "empty", "no-keys"],
)
def test_only_keys(parent: dict, keys: Any, expected: bool) -> None:
    assert PREDICATES["only-keys"](keys, site({}, parent=parent)) is expected


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("nginx:1.27", "IfNotPresent"),
        ("docker.io/library/nginx", "Always"),
        ("registry.example:5000/team/app", "Always"),
        ("registry.example:5000/team/app:2", "IfNotPresent"),
        ("registry.example:5000/team/app:latest", "Always"),
        ("app@sha256:" + "b" * 64, "IfNotPresent"),
        ("app:latest@sha256:" + "b" * 64, "Always"),
        ("app:1.0@sha256:" + "b" * 64, "IfNotPresent"),
        ("", None),
        (None, None),
        (5, None),
    ],
    ids=["untagged", "latest", "tagged", "untagged-with-registry", "registry-port-is-not-a-tag", "registry-port-tag",
         "registry-port-latest", "digest", "latest-and-digest", "tag-and-digest", "empty", "null", "int"],
)
def test_image_pull_policy(image: Any, expected: str | None) -> None:
    assert image_pull_policy(site({}, parent={"image": image})) == expected


def test_image_pull_policy_of_an_image_volume_reads_its_reference() -> None:
    assert image_pull_policy(site({}, parent={"reference": "quay.io/x/y:v1"})) == "IfNotPresent"
    assert image_pull_policy(site({}, parent={"reference": "quay.io/x/y"})) == "Always"
    assert image_pull_policy(site({}, parent={})) is None


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({}, ["Ingress"]), ({"egress": []}, ["Ingress"]), ({"egress": [{}]}, ["Ingress", "Egress"]),
        ({"ingress": [{}]}, ["Ingress"]), ({"egress": "x"}, ["Ingress"]),
    ],
    ids=["nothing", "empty-egress", "egress-rule", "ingress-only", "egress-not-a-list"],
)
def test_network_policy_types(spec: dict, expected: list) -> None:
    assert network_policy_types(site({"spec": spec}, kind="NetworkPolicy")) == expected


def test_named_functions() -> None:
    assert sorted(PREDICATES) == ["desired-set", "desired-unset", "equals", "externally-accessible", "only-keys",
                                  "service-type"]
    assert COMPUTE == {"image-pull-policy": image_pull_policy, "network-policy-types": network_policy_types}


# ------------------------------------------------------------------ materialize


@pytest.mark.parametrize("data", ["text", None, [1, 2], 5], ids=["text", "null", "list", "int"])
def test_materialize_a_non_object_is_a_copy(data: Any) -> None:
    out = materialize("Deployment", "apps/v1", data)
    assert (out.data, out.original, out.defaulted) == (data, data, set())


def test_materialize_copies_and_records_each_default() -> None:
    service = {"apiVersion": "v1", "kind": "Service", "spec": {"ports": [{"port": 80, "targetPort": 0}]}}
    before = copy.deepcopy(service)
    out = materialize("Service", "v1", service)
    assert service == before and out.original is service
    assert out.data["spec"] == {"ports": [{"port": 80, "targetPort": 80, "protocol": "TCP"}], "sessionAffinity": "None",
                                "type": "ClusterIP", "internalTrafficPolicy": "Cluster"}
    assert out.defaulted == {"/spec/ports/0/targetPort", "/spec/ports/0/protocol", "/spec/sessionAffinity",
                             "/spec/type", "/spec/internalTrafficPolicy"}


def test_materialize_never_makes_a_struct_the_object_leaves_out() -> None:
    assert materialize("Service", "v1", {"kind": "Service"}).data == {"kind": "Service"}
    probe = materialize("Pod", "v1", {"spec": {"containers": [{"name": "c", "image": "x:1"}]}}).data
    assert "livenessProbe" not in probe["spec"]["containers"][0]


def test_materialize_fills_a_default_into_a_field_written_as_its_zero() -> None:
    out = materialize("Deployment", "apps/v1", {"spec": {"revisionHistoryLimit": None, "progressDeadlineSeconds": 0}})
    # revisionHistoryLimit null is unset; progressDeadlineSeconds is a pointer, so 0 is kept.
    assert (out.data["spec"]["revisionHistoryLimit"], out.data["spec"]["progressDeadlineSeconds"]) == (10, 0)
    assert "/spec/progressDeadlineSeconds" not in out.defaulted


def test_materialize_merge_fills_only_missing_keys() -> None:
    pod = {"spec": {"containers": [{"name": "c", "image": "x:1",
                                    "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "250m"}}}]}}
    out = materialize("Pod", "v1", pod)
    assert out.data["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "250m", "memory": "1Gi"}
    assert "/spec/containers/0/resources/requests/memory" in out.defaulted
    assert "/spec/containers/0/resources/requests/cpu" not in out.defaulted


def test_materialize_limit_range_defaults_chain() -> None:
    lr = {"spec": {"limits": [{"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "64Mi"}},
                              {"type": "Pod", "max": {"cpu": "4"}}]}}
    items = materialize("LimitRange", "v1", lr).data["spec"]["limits"]
    assert items == [
        {"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "64Mi"}, "default": {"cpu": "2"},
         "defaultRequest": {"cpu": "2", "memory": "64Mi"}},
        {"type": "Pod", "max": {"cpu": "4"}},
    ]


def test_materialize_clear_removes_what_the_server_drops() -> None:
    out = materialize("Service", "v1", {"spec": {"sessionAffinity": "None", "sessionAffinityConfig": {"clientIP": {}}}})
    assert "sessionAffinityConfig" not in out.data["spec"]


def test_materialize_service_account_alias_both_ways() -> None:
    old = materialize("Deployment", "apps/v1", {"spec": {"template": {"spec": {"serviceAccount": "robot"}}}})
    new = materialize("Deployment", "apps/v1", {"spec": {"template": {"spec": {"serviceAccountName": "robot"}}}})
    for out in (old, new):
        pod = out.data["spec"]["template"]["spec"]
        assert (pod["serviceAccount"], pod["serviceAccountName"]) == ("robot", "robot")


def test_materialize_a_custom_resource_gets_no_defaults() -> None:
    widget = {"apiVersion": "example.com/v1", "kind": "Deployment", "spec": {"template": {"spec": {"containers": []}}}}
    out = materialize("Deployment", "example.com/v1", widget)
    assert (out.data, out.defaulted) == (widget, set())


@settings(max_examples=60, deadline=None, database=None)
@given(objects())
def test_materialize_is_idempotent_and_leaves_its_input_alone(obj: dict) -> None:
    before = copy.deepcopy(obj)
    once = materialize(obj["kind"], obj["apiVersion"], obj)
    assert obj == before
    twice = materialize(obj["kind"], obj["apiVersion"], once.data)
    assert twice.data == once.data
    # Only empty structs ({}, which count as unset) are filled in again.
    assert twice.defaulted <= once.defaulted
    assert [p for p in twice.defaulted if value_at(twice.data, p) != {}] == []


# ------------------------------------------------------------------ settle


DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"},
              "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "x:1"}]}}}}


def rows(found: list) -> list[tuple]:
    return [(type(d).__name__, d.kind, d.desired_path, d.live_path, d.desired, d.live) for d in found]


def test_settle_without_defaults_passes_differences_through() -> None:
    diffs = [Difference("changed", "/a", "/a", 1, 2), Difference("missing", "/b", "/b", 1, None)]
    assert Materialized({"a": 1, "b": 1}, {"a": 1, "b": 1}).settle(list(diffs), {"a": 2}) == diffs


def test_settle_a_live_value_other_than_a_default_is_live_only_where_the_file_stops() -> None:
    out = materialize("Deployment", "apps/v1", DEPLOYMENT)
    live = copy.deepcopy(out.data)
    live["spec"]["replicas"] = 3
    diffs = [Difference("changed", "/spec/replicas", "/spec/replicas", 1, 3)]
    assert rows(out.settle(diffs, live)) == [("Difference", "extra", "/spec/replicas", "/spec/replicas", None, 3)]


def test_settle_a_default_live_lacks_is_no_drift() -> None:
    out = materialize("Deployment", "apps/v1", DEPLOYMENT)
    live = copy.deepcopy(out.data)
    del live["spec"]["progressDeadlineSeconds"]
    diffs = [Difference("missing", "/spec/progressDeadlineSeconds", "/spec/progressDeadlineSeconds", 600, None)]
    assert out.settle(diffs, live) == []


def test_settle_lifts_changes_inside_a_defaulted_struct_to_one_live_only_value() -> None:
    out = materialize("Deployment", "apps/v1", DEPLOYMENT)
    live = copy.deepcopy(out.data)
    live["spec"]["strategy"] = {"type": "Recreate"}
    diffs = [Difference("changed", "/spec/strategy/type", "/spec/strategy/type", "RollingUpdate", "Recreate"),
             Difference("missing", "/spec/strategy/rollingUpdate", "/spec/strategy/rollingUpdate", {}, None)]
    assert rows(out.settle(diffs, live)) == [
        ("Difference", "extra", "/spec/strategy", "/spec/strategy", None, {"type": "Recreate"})]


def test_settle_a_field_the_user_wrote_as_null_is_compared_as_is() -> None:
    desired = copy.deepcopy(DEPLOYMENT)
    desired["spec"]["replicas"] = None
    out = materialize("Deployment", "apps/v1", desired)
    assert out.data["spec"]["replicas"] == 1
    diffs = [Difference("changed", "/spec/replicas", "/spec/replicas", 1, 3)]
    assert rows(out.settle(diffs, {})) == [("Difference", "changed", "/spec/replicas", "/spec/replicas", 1, 3)]


def test_settle_shows_a_changed_value_holding_defaults_as_the_user_wrote_it() -> None:
    out = materialize("Deployment", "apps/v1", DEPLOYMENT)
    pointer = "/spec/template/spec/containers/0"
    defaulted = out.data["spec"]["template"]["spec"]["containers"][0]
    assert "imagePullPolicy" in defaulted
    diffs = [Difference("changed", pointer, pointer, defaulted, "text")]
    assert rows(out.settle(diffs, {})) == [("Difference", "changed", pointer, pointer, {"name": "a", "image": "x:1"},
                                            "text")]


def test_settle_keeps_ignored_differences() -> None:
    out = materialize("Deployment", "apps/v1", DEPLOYMENT)
    ignored = Ignored("extra", "/spec/replicas", "/spec/replicas", None, 3, "written by someone")
    assert out.settle([ignored], {}) == [ignored]
