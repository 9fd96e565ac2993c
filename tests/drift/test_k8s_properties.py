"""Kubernetes drift invariants under generated objects of many kinds (hypothesis):

- an object against what the server makes of it (every default the tables apply, zeros the
  server does not keep dropped, system metadata, fields controllers, admission plugins and
  GitOps tools write, keyed lists and sets reordered) has no drift;
- the same with one field the user set changed live is exactly one finding, at its pointer.
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
