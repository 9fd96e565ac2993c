"""Who wrote a live field, from its managedFields (trueup.drift.managed_fields).

The record below has the shape ``kubectl get deployment -o yaml`` prints for a Deployment applied
with ``kubectl apply`` (client-side), scaled by an HPA (the scale subresource, written by
kube-controller-manager), restarted with ``kubectl rollout restart``, edited with ``kubectl edit``
and labelled with ``kubectl label`` (managers as kubectl and the controllers name themselves).
"""
from __future__ import annotations

import pytest
import yaml

from trueup.drift.managed_fields import DEFAULT_APPLIERS, ownership, owns, writers

LIVE = yaml.safe_load("""
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web, team: payments}
  annotations:
    deployment.kubernetes.io/revision: "3"
  managedFields:
    - manager: kubectl-client-side-apply
      operation: Update
      apiVersion: apps/v1
      time: "2026-11-30T09:00:00Z"
      fieldsType: FieldsV1
      fieldsV1:
        f:metadata: {f:labels: {.: {}, f:app: {}}}
        f:spec:
          f:selector: {}
          f:template:
            f:spec:
              f:containers:
                k:{"name":"web"}:
                  .: {}
                  f:image: {}
                  f:name: {}
                  f:ports:
                    .: {}
                    k:{"containerPort":8080,"protocol":"TCP"}: {.: {}, f:containerPort: {}}
    - manager: kube-controller-manager
      operation: Update
      apiVersion: apps/v1
      time: "2026-12-01T02:00:00Z"
      subresource: scale
      fieldsType: FieldsV1
      fieldsV1: {f:spec: {f:replicas: {}}}
    - manager: kubectl-rollout
      operation: Update
      apiVersion: apps/v1
      time: "2026-12-02T10:00:00Z"
      fieldsType: FieldsV1
      fieldsV1: {f:spec: {f:template: {f:metadata: {f:annotations: {.: {}, f:kubectl.kubernetes.io/restartedAt: {}}}}}}
    - manager: kubectl-edit
      operation: Update
      apiVersion: apps/v1
      time: "2026-12-03T11:30:00Z"
      fieldsType: FieldsV1
      fieldsV1:
        f:spec:
          f:template:
            f:spec:
              f:containers:
                k:{"name":"web"}:
                  f:env:
                    .: {}
                    k:{"name":"DEBUG"}: {.: {}, f:name: {}, f:value: {}}
    - manager: kubectl-label
      operation: Update
      apiVersion: v1
      time: "2026-12-04T08:00:00Z"
      fieldsType: FieldsV1
      fieldsV1: {f:metadata: {f:labels: {f:team: {}}}}
spec:
  replicas: 7
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      annotations: {kubectl.kubernetes.io/restartedAt: "2026-12-02T10:00:00Z"}
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ghcr.io/example/web:2.4.1
          ports: [{containerPort: 8080, protocol: TCP}]
          env: [{name: DEBUG, value: "1"}]
""")


@pytest.mark.parametrize("pointer, managers", [
    ("/spec/replicas", ["kube-controller-manager"]),
    ("/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt", ["kubectl-rollout"]),
    ("/spec/template/spec/containers/0/env/0/value", ["kubectl-edit"]),
    ("/spec/template/spec/containers/0/env/0", ["kubectl-edit"]),
    ("/spec/template/spec/containers/0/image", ["kubectl-client-side-apply"]),
    ("/spec/template/spec/containers/0/ports/0/containerPort", ["kubectl-client-side-apply"]),
    ("/spec/selector/matchLabels/app", ["kubectl-client-side-apply"]),  # a leaf above: atomic, owned whole
    ("/metadata/labels/team", ["kubectl-label"]),
    ("/metadata/annotations/deployment.kubernetes.io~1revision", []),
])
def test_owners_of_a_field(pointer: str, managers: list[str]) -> None:
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    assert [w.manager for w in ownership(writers(LIVE), LIVE, tokens).owners] == managers


def test_what_the_record_says_of_each_difference() -> None:
    record = writers(LIVE)

    def of(*tokens: str):
        return ownership(record, LIVE, tokens)

    assert of("spec", "replicas").not_from_git(DEFAULT_APPLIERS)
    assert of("spec", "template", "metadata", "annotations", "kubectl.kubernetes.io/restartedAt").not_from_git(
        DEFAULT_APPLIERS)
    edit = of("spec", "template", "spec", "containers", "0", "env", "0", "value").manual()
    assert (edit.manager, edit.time) == ("kubectl-edit", "2026-12-03T11:30:00Z")
    assert of("metadata", "labels", "team").manual().manager == "kubectl-label"
    image = of("spec", "template", "spec", "containers", "0", "image")
    assert not image.not_from_git(DEFAULT_APPLIERS) and image.manual() is None
    # The HPA's field is the appliers' too when a team lists its controller as one.
    assert not of("spec", "replicas").not_from_git([*DEFAULT_APPLIERS, "kube-controller-manager"])


@pytest.mark.parametrize("record", [None, [], "x", [{"manager": 1}], [{"manager": "m", "fieldsV1": "x"}],
                                    [{"manager": "m", "fieldsType": "FieldsV2", "fieldsV1": {}}]])
def test_odd_records_own_nothing(record) -> None:
    obj = {"metadata": {"managedFields": record}, "spec": {"replicas": 1}}
    assert ownership(writers(obj), obj, ["spec", "replicas"]).owners == ()


@pytest.mark.parametrize("fields, tokens, owned", [
    ({"f:spec": {"f:finalizers": {'v:"a"': {}}}}, ["spec", "finalizers", "0"], True),
    ({"f:spec": {"f:args": {"i:1": {}}}}, ["spec", "args", "1"], True),
    ({"f:spec": {"f:args": {"i:1": {}}}}, ["spec", "args", "0"], False),
    ({"f:spec": {"f:x": {"k:{bad json": {}}}}, ["spec", "x", "0"], False),
    ({"f:spec": {}}, ["spec", "anything", "deep"], True),
])
def test_owns_item_keys(fields: dict, tokens: list[str], owned: bool) -> None:
    live = {"spec": {"finalizers": ["a"], "args": ["x", "y"], "x": [{"a": 1}], "anything": {"deep": 1}}}
    assert owns(fields, live, tokens) is owned


def test_drift_reads_the_export_s_own_record(trueup, tmp_path) -> None:
    """The HPA's replicas and rollout restart's stamp are not drift; kubectl edit's env var and
    kubectl label's label are, named as changes by hand; listing the HPA's manager among the
    appliers makes its replicas drift again."""
    from conftest import EXAMPLES

    case = EXAMPLES / "drift" / "managed-fields"
    result = trueup("drift", "--desired", case / "desired", "--live", case / "live", "--format", "json")
    got = [(f["rule"], f["path"], f["message"]) for f in result.json()["findings"]]
    assert got == [
        ("drift.extra", "/metadata/labels/team",
         "team is set live but not in desired state (changed by hand: kubectl-label at 2026-12-04T08:00:00Z)"),
        ("drift.extra", "/spec/template/spec/containers/0/env",
         "env is set live but not in desired state (changed by hand: kubectl-edit at 2026-12-03T11:30:00Z)"),
    ]
    verbose = trueup("drift", "--desired", case / "desired", "--live", case / "live", "--verbose", "--format", "json")
    ignored = {f["path"]: f["message"] for f in verbose.json()["findings"] if f["rule"] == "drift.ignored"}
    assert ignored["/spec/replicas"].endswith("(ignored: written by kube-controller-manager)")
    (tmp_path / "trueup.yaml").write_text(
        "version: 1\ndrift:\n  appliers: [kubectl-client-side-apply, kube-controller-manager]\n")
    strict = trueup("drift", "--desired", case / "desired", "--live", case / "live", "--format", "json", cwd=tmp_path)
    assert ("drift.changed", "/spec/replicas") in [(f["rule"], f["path"]) for f in strict.json()["findings"]]


LABELLED = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
  namespace: shop
  labels: {app.kubernetes.io/instance: shop}
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"v1","kind":"ConfigMap","metadata":{"labels":{"app.kubernetes.io/instance":"shop"},"name":"app","namespace":"shop"},"data":{"a":"1","b":"2"}}
data: {a: "1", b: "2"}
"""


@pytest.mark.parametrize("applied, expected", [
    # git set the label and data key b before, and no longer does: kubectl apply would remove both.
    (True, [("drift.extra", "/data/b", "b is set live but not in desired state (git set it before: kubectl apply "
                                       "would remove it)"),
            ("drift.extra", "/metadata/labels/app.kubernetes.io~1instance",
             "app.kubernetes.io/instance is set live but not in desired state (git set it before: kubectl apply "
             "would remove it)")]),
    # No record of git setting them: the label is Argo CD's tracking label (ignored), b is drift.
    (False, [("drift.extra", "/data/b", "b is set live but not in desired state")]),
])
def test_last_applied_configuration_says_what_apply_would_remove(trueup, write, tmp_path, applied: bool,
                                                                  expected: list) -> None:
    write("d/app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: shop}\ndata: {a: '1'}\n")
    live = LABELLED if applied else LABELLED.replace("kubectl.kubernetes.io/last-applied-configuration", "x")
    write("l/app.yaml", live)
    result = trueup("drift", "--desired", "d", "--live", "l", "--format", "json", cwd=tmp_path)
    assert sorted((f["rule"], f["path"], f["message"]) for f in result.json()["findings"]
                  if f["path"] != "/metadata/annotations/x") == sorted(expected)
