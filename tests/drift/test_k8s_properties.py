"""Kubernetes drift invariants under generated objects of many kinds (hypothesis):

- an object against what the server makes of it (every default the tables apply, zeros the
  server does not keep dropped, system metadata, fields controllers, admission plugins and
  GitOps tools write, keyed lists and sets reordered) has no drift;
- the same with one field the user set changed live is exactly one finding, at its pointer;
- fields only a controller owns in the object's managedFields are no drift, and are without it.
"""
from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from k8s_strategies import deep, objects, server_view, user_leaves
from strategies import changed, set_at

from .conftest import drift_of


@settings(max_examples=150, deadline=None)
@given(objects(), st.randoms(use_true_random=False))
def test_what_the_server_makes_of_an_object_is_no_drift(obj: dict, rnd) -> None:
    found = drift_of(obj, server_view(obj, rnd))
    assert [(f.rule, f.path, f.desired, f.live) for f in found] == []


@settings(max_examples=200, deadline=None)
@given(objects(), st.data())
def test_one_changed_user_field_is_one_finding_at_its_pointer(obj: dict, data: st.DataObject) -> None:
    leaves = user_leaves(obj)
    assume(leaves)
    pointer, value = data.draw(st.sampled_from(leaves))
    live = server_view(deep(obj))
    set_at(live, pointer, changed(value))
    assert [(f.rule, f.path) for f in drift_of(obj, live)] == [("drift.changed", pointer)]


def _controller_owned(live: dict, rnd) -> tuple[dict, list[str]]:
    """Live with a controller's field of its own (an annotation and, for scalable kinds, replicas
    changed through the scale subresource), recorded in managedFields as the server records it."""
    meta = live.setdefault("metadata", {})
    key = f"controller.example.com/seen-{rnd.randrange(1000)}"
    meta.setdefault("annotations", {})[key] = "yes"
    fields: dict = {"f:metadata": {"f:annotations": {f"f:{key}": {}}}}
    pointers = [f"/metadata/annotations/{key.replace('/', '~1')}"]
    if isinstance(live.get("spec"), dict) and "replicas" in live["spec"]:
        live["spec"]["replicas"] = live["spec"]["replicas"] + 3 if isinstance(live["spec"]["replicas"], int) else 5
        fields["f:spec"] = {"f:replicas": {}}
        pointers.append("/spec/replicas")
    meta["managedFields"] = [
        {"manager": "kubectl-client-side-apply", "operation": "Update", "time": "2026-12-01T00:00:00Z",
         "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:name": {}}}},
        {"manager": "some-controller", "operation": "Update", "time": "2026-12-02T00:00:00Z",
         "fieldsType": "FieldsV1", "fieldsV1": fields},
    ]
    return live, pointers


@settings(max_examples=100, deadline=None)
@given(objects(), st.randoms(use_true_random=False))
def test_fields_only_controllers_own_are_no_drift(obj: dict, rnd) -> None:
    live, pointers = _controller_owned(server_view(obj, rnd), rnd)
    assert [(f.rule, f.path) for f in drift_of(obj, live)] == []
    # Without the record, the same live values are drift (the record is what says who wrote them).
    del live["metadata"]["managedFields"]
    assert sorted(f.path for f in drift_of(obj, live) if f.rule in ("drift.changed", "drift.extra")) == sorted(pointers)
