"""Kubernetes drift reports only what applying git would change (drift/k8s-*.yaml).

The cases in example-files/drift/k8s-server.yaml each show one thing the API server or another
component does to an applied object (server defaults, values the server does not keep, fields
others write, list semantics): the live object is no drift, and one real change is exactly one
finding. The tables themselves are checked for form: every entry cites its source and names
only places, predicates and functions that exist.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES
from trueup.drift.defaults_k8s import COMPUTE, PREDICATES, materialize
from trueup.drift.k8s_tables import _raw, prefixes, tables
from trueup.drift.normalize_k8s import quantity, round_up_milli

from .conftest import drift_of

CASES = yaml.safe_load((EXAMPLES / "drift" / "k8s-server.yaml").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_what_the_server_does_is_not_drift(case: dict) -> None:
    findings = drift_of(case["desired"], case["live"])
    assert [(f.rule, f.path, f.desired, f.live) for f in findings] == []


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_one_real_change_is_exactly_its_finding(case: dict) -> None:
    findings = drift_of(case["desired"], case["changed"])
    assert sorted((f.rule, f.path) for f in findings) == sorted(tuple(e) for e in case["expect"])


# ------------------------------------------------------------------ the tables' form

KINDS = ["Pod", "PodTemplate", "ReplicationController", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet",
         "Job", "CronJob", "Service", "Secret", "ConfigMap", "Namespace", "ServiceAccount", "PersistentVolumeClaim",
         "PersistentVolume", "Endpoints", "LimitRange", "HorizontalPodAutoscaler", "Role", "ClusterRole", "RoleBinding",
         "ClusterRoleBinding", "NetworkPolicy", "Ingress", "IngressClass", "PodDisruptionBudget", "StorageClass",
         "CSIDriver"]


ALLOWED = {
    "defaults": {"in", "path", "value", "from", "from-sibling", "compute", "clear", "merge", "when", "source", "apiVersions"},
    "written": {"in", "path", "value", "match", "by", "source"},
    "meaningful_zero": {"in", "paths", "source"},
    "lists": {"in", "path", "type", "keys", "defaults", "source"},
}


def _problems(section: str, entry: dict) -> list[str]:
    problems = []
    if not isinstance(entry.get("source"), str) or len(entry["source"]) < 10:
        problems.append("no source")
    names = tuple(entry["in"]) if isinstance(entry["in"], list) else (entry["in"],)
    if not any(prefixes(names, kind) for kind in KINDS):
        problems.append(f"{entry['in']} names no place")
    if not set(entry) <= ALLOWED[section]:
        problems.append(f"unknown keys {set(entry) - ALLOWED[section]}")
    if section == "defaults":
        if sum(k in entry for k in ("value", "from", "from-sibling", "compute", "clear")) != 1:
            problems.append("not exactly one of value/from/from-sibling/compute/clear")
        if not set(entry.get("when") or {}) <= set(PREDICATES):
            problems.append("unknown predicate")
        if entry.get("compute", "image-pull-policy") not in COMPUTE:
            problems.append("unknown compute")
    if section == "lists" and (entry["type"] not in ("map", "set", "atomic") or (entry["type"] == "map") != bool(entry.get("keys"))):
        problems.append("bad list type")
    return problems


@pytest.mark.parametrize("table, section", [(0, "defaults"), (1, "written"), (2, "meaningful_zero"), (2, "lists")])
def test_every_entry_cites_its_source_and_places_something(table: int, section: str) -> None:
    entries = _raw()[table][section]
    assert entries
    bad = [(entry.get("path", entry.get("paths")), problem) for entry in entries for problem in _problems(section, entry)]
    assert bad == []


def test_contexts_place_one_entry_in_every_workload() -> None:
    assert prefixes(("container",), "CronJob") == (
        ("spec", "jobTemplate", "spec", "template", "spec", "containers", "*"),
        ("spec", "jobTemplate", "spec", "template", "spec", "initContainers", "*"),
        ("spec", "jobTemplate", "spec", "template", "spec", "ephemeralContainers", "*"),
    )
    assert ("spec", "containers", "*", "livenessProbe", "httpGet") in prefixes(("http-get",), "Pod")
    assert prefixes(("podspec",), "Service") == ()
    # The Job's own defaults are not the CronJob's job template's.
    job = {p for d in tables("Job", "batch/v1").defaults for p in d.prefixes if d.path == ("spec", "backoffLimit")}
    cron = [d for d in tables("CronJob", "batch/v1").defaults if d.path[-1:] == ("backoffLimit",)]
    assert job == {()} and cron == []


# ------------------------------------------------------------------ conditional defaults, one by one

def _defaulted(obj: dict) -> dict:
    return materialize(obj["kind"], obj.get("apiVersion", ""), obj).data


def test_job_counts_default_only_when_both_are_unset() -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {}}}}
    assert (_defaulted(job)["spec"]["completions"], _defaulted(job)["spec"]["parallelism"]) == (1, 1)
    job["spec"]["parallelism"] = 3
    assert "completions" not in _defaulted(job)["spec"]
    job["spec"] = {"completions": 4, "template": {"spec": {}}}
    assert (_defaulted(job)["spec"]["completions"], _defaulted(job)["spec"]["parallelism"]) == (4, 1)
    job["spec"] = {"completions": 0, "template": {"spec": {}}}  # a pointer: 0 is set
    assert (_defaulted(job)["spec"]["completions"], _defaulted(job)["spec"]["parallelism"]) == (0, 1)


def test_job_backoff_and_replacement_follow_their_conditions() -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
           "spec": {"backoffLimitPerIndex": 1, "completionMode": "Indexed", "podFailurePolicy": {"rules": []},
                    "template": {"spec": {}}}}
    spec = _defaulted(job)["spec"]
    assert (spec["backoffLimit"], spec["podReplacementPolicy"]) == (2147483647, "Failed")
    job["spec"] = {"template": {"metadata": {"labels": {"app": "x"}}, "spec": {}}}
    defaulted = _defaulted(job)
    assert (defaulted["spec"]["backoffLimit"], defaulted["spec"]["podReplacementPolicy"]) == (6, "TerminatingOrFailed")
    assert defaulted["metadata"]["labels"] == {"app": "x"}


def test_service_defaults_follow_the_type() -> None:
    def spec(**kw: object) -> dict:
        return _defaulted({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                           "spec": {"ports": [{"port": 80}], **kw}})["spec"]

    cluster = spec()
    assert (cluster["type"], cluster["internalTrafficPolicy"], cluster["ports"][0]) == (
        "ClusterIP", "Cluster", {"port": 80, "protocol": "TCP", "targetPort": 80})
    assert "externalTrafficPolicy" not in cluster and "allocateLoadBalancerNodePorts" not in cluster
    assert spec(externalIPs=["192.0.2.1"])["externalTrafficPolicy"] == "Cluster"
    node = spec(type="NodePort")
    assert node["externalTrafficPolicy"] == "Cluster" and "allocateLoadBalancerNodePorts" not in node
    assert spec(type="LoadBalancer")["allocateLoadBalancerNodePorts"] is True
    external = spec(type="ExternalName", externalName="db.example.com")
    assert "internalTrafficPolicy" not in external and "externalTrafficPolicy" not in external
    assert spec(sessionAffinity="ClientIP")["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}
    assert "sessionAffinityConfig" not in spec(sessionAffinityConfig={"clientIP": {"timeoutSeconds": 60}})


def test_pod_only_defaults_stay_off_pod_templates() -> None:
    container = {"name": "c", "image": "app", "resources": {"limits": {"cpu": "1"}}, "ports": [{"containerPort": 80}]}
    pod = _defaulted({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                      "spec": {"hostNetwork": True, "containers": [dict(container)]}})
    assert pod["spec"]["enableServiceLinks"] is True and pod["spec"]["serviceAccountName"] == "default"
    assert pod["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "1"}
    assert pod["spec"]["containers"][0]["ports"][0]["hostPort"] == 80
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == "Always"  # untagged is latest
    deployment = _defaulted({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                             "spec": {"template": {"spec": {"hostNetwork": True, "containers": [dict(container)]}}}})
    pod_spec = deployment["spec"]["template"]["spec"]
    assert "enableServiceLinks" not in pod_spec and "serviceAccountName" not in pod_spec
    assert "requests" not in pod_spec["containers"][0]["resources"]
    assert "hostPort" not in pod_spec["containers"][0]["ports"][0]


@pytest.mark.parametrize("image, policy", [
    ("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.27", "IfNotPresent"),
    ("registry.example:5000/team/app", "Always"), ("registry.example:5000/team/app:2", "IfNotPresent"),
    ("app@sha256:" + "a" * 64, "IfNotPresent"), ("app:latest@sha256:" + "a" * 64, "Always"),
])
def test_image_pull_policy_by_tag(image: str, policy: str) -> None:
    pod = _defaulted({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                      "spec": {"containers": [{"name": "c", "image": image}]}})
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_statefulset_rolling_update_only_when_the_type_was_unset() -> None:
    def strategy(update: dict) -> dict:
        return _defaulted({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"},
                           "spec": {"updateStrategy": update, "template": {"spec": {}}}})["spec"]["updateStrategy"]

    assert strategy({}) == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert strategy({"type": "RollingUpdate"}) == {"type": "RollingUpdate"}
    assert strategy({"type": "OnDelete"}) == {"type": "OnDelete"}
    assert strategy({"rollingUpdate": {"maxUnavailable": 2}}) == {
        "type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2, "partition": 0}}


def test_hpa_behavior_is_completed_only_when_present() -> None:
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},
           "spec": {"maxReplicas": 3, "metrics": [{"type": "Pods"}]}}
    spec = _defaulted(hpa)["spec"]
    assert "behavior" not in spec and spec["metrics"] == [{"type": "Pods"}] and spec["minReplicas"] == 1
    hpa["spec"]["behavior"] = {"scaleUp": {"policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}}
    behavior = _defaulted(hpa)["spec"]["behavior"]
    assert behavior["scaleUp"] == {"policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}],
                                   "stabilizationWindowSeconds": 0, "selectPolicy": "Max"}
    assert behavior["scaleDown"] == {"selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}
    v1 = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"}, "spec": {}}
    assert "metrics" not in _defaulted(v1)["spec"]


@pytest.mark.parametrize("written, stored", [
    ("0.0001", "1m"), ("100m", "0.1"), ("0.1001", "101m"), ("1.5", "1500m"), ("-0.0001", "-1m"), ("1Ki", "1024"),
])
def test_resource_quantities_round_up_to_milli_units(written: str, stored: str) -> None:
    a, b = quantity(written), quantity(stored)
    assert a is not None and b is not None and round_up_milli(a) == round_up_milli(b)


def test_malformed_objects_never_raise() -> None:
    odd = [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": None, "spec": {"template": {"spec": {"containers": "x"}}}},
        {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [None, 3, {"image": 7, "ports": [None]}], "volumes": {}}},
        {"apiVersion": "v1", "kind": "Service", "spec": {"type": ["LoadBalancer"], "ports": [{"port": None}]}},
        {"apiVersion": "batch/v1", "kind": "Job", "spec": [], "metadata": {"labels": "a"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": {"x": 1}}},
    ]
    for obj in odd:
        materialize(obj["kind"], obj["apiVersion"], obj)
        assert isinstance(drift_of(obj, {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "spec": 5}), list)


# ------------------------------------------------------------------ written fields: shown, and compared on request

LIVE_WITH_TRACKING = {
    "apiVersion": "v1", "kind": "Service",
    "metadata": {"name": "api", "annotations": {"argocd.argoproj.io/tracking-id": "shop:/Service:shop/api"}},
    "spec": {"clusterIP": "10.96.0.9", "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
             "selector": {"app": "api"}},
}
DESIRED_SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api"},
                   "spec": {"ports": [{"port": 80}], "selector": {"app": "api"}}}


def test_verbose_names_who_wrote_each_ignored_field() -> None:
    found = drift_of(DESIRED_SERVICE, LIVE_WITH_TRACKING, verbose=True)
    assert sorted((f.rule, f.path, f.message) for f in found) == [
        ("drift.ignored", "/metadata/annotations/argocd.argoproj.io~1tracking-id",
         "argocd.argoproj.io/tracking-id is set live but not in desired state (ignored: written by Argo CD)"),
        ("drift.ignored", "/spec/clusterIP", "clusterIP is set live but not in desired state (ignored: written by Service IP allocator)"),
    ]
    assert drift_of(DESIRED_SERVICE, LIVE_WITH_TRACKING) == []


def test_compare_written_reports_them_again() -> None:
    every = drift_of(DESIRED_SERVICE, LIVE_WITH_TRACKING, compare_written=True)
    assert sorted((f.rule, f.path) for f in every) == [("drift.extra", "/metadata/annotations"), ("drift.extra", "/spec/clusterIP")]
    argo = drift_of(DESIRED_SERVICE, LIVE_WITH_TRACKING, compare_written=("Argo CD",))
    assert [(f.rule, f.path) for f in argo] == [("drift.extra", "/metadata/annotations/argocd.argoproj.io~1tracking-id")]


def test_a_target_opts_in_with_compare_written(trueup, write, tmp_path: Path) -> None:
    write("trueup.yaml", """\
        version: 1
        environments:
          prod: {}
        targets:
          - name: k8s
            kind: kubernetes
            desired: "k8s/*.yaml"
            live: "live/{env}"
            compare_written: [Argo CD]
        """)
    write("templates/k8s/svc.yaml", yaml.safe_dump(DESIRED_SERVICE))
    write("live/prod/svc.yaml", yaml.safe_dump(LIVE_WITH_TRACKING))
    result = trueup("drift", "--env", "prod", "--format", "json", cwd=tmp_path)
    assert result.code == 1, result.out + result.err
    assert [(f["rule"], f["path"]) for f in result.json()["findings"]] == [
        ("drift.extra", "/metadata/annotations/argocd.argoproj.io~1tracking-id")]
    write("trueup.yaml", (tmp_path / "trueup.yaml").read_text().replace("compare_written: [Argo CD]", "compare_written: 3"))
    assert trueup("drift", "--env", "prod", cwd=tmp_path).code == 2


def test_custom_resources_keep_their_zeros_and_get_no_builtin_defaults() -> None:
    # A Knative Service is not a core Service: no ClusterIP type, and its "" and false are data.
    knative = {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "metadata": {"name": "hello"},
               "spec": {"template": {"spec": {"containers": [{"image": "hello", "env": [{"name": "A", "value": ""}]}]}}}}
    assert _defaulted(knative) == knative
    live = yaml.safe_load(yaml.safe_dump(knative))
    del live["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"]
    live["metadata"]["annotations"] = {"argocd.argoproj.io/tracking-id": "x"}  # metadata entries still apply
    assert [(f.rule, f.path) for f in drift_of(knative, live)] == [
        ("drift.missing", "/spec/template/spec/containers/0/env/0/value")]


def test_map_entries_keep_empty_values() -> None:
    desired = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"tier": ""}},
               "data": {"EMPTY": "", "ZERO": "0"}}
    live = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"ZERO": "0"}}
    assert sorted((f.rule, f.path) for f in drift_of(desired, live)) == [
        ("drift.missing", "/data/EMPTY"), ("drift.missing", "/metadata/labels")]
