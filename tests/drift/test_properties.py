"""Drift invariants under generated objects (hypothesis):

- drift(x, x) is empty;
- a live copy with server noise and defaults added has no drift;
- a live copy with keyed lists shuffled has no drift;
- changing any leaf value gives exactly one finding, at that leaf's pointer.
"""
from __future__ import annotations

import copy
from typing import Any, Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import CONFIG_VALUES, NAME, changed, compose_files, deployments, leaves, set_at, with_noise
from trueup.pointer import escape_token

from .conftest import drift_of

@settings(max_examples=120, deadline=None)
@given(deployments())
def test_an_object_against_itself_has_no_drift(obj: dict) -> None:
    assert drift_of(obj, copy.deepcopy(obj)) == []


@settings(max_examples=120, deadline=None)
@given(deployments())
def test_server_noise_and_defaults_are_not_drift(obj: dict) -> None:
    found = drift_of(obj, with_noise(obj))
    assert [(f.rule, f.path, f.live) for f in found] == []


@settings(max_examples=120, deadline=None)
@given(deployments(), st.randoms(use_true_random=False))
def test_shuffled_keyed_lists_are_not_drift(obj: dict, rnd) -> None:
    live = with_noise(obj)
    pod = live["spec"]["template"]["spec"]
    rnd.shuffle(pod["containers"])
    rnd.shuffle(pod.get("volumes", []))
    for c in pod["containers"]:
        for name in ("env", "ports", "volumeMounts"):
            rnd.shuffle(c.get(name, []))
    assert [(f.rule, f.path) for f in drift_of(obj, live)] == []


@settings(max_examples=200, deadline=None)
@given(deployments(), st.data())
def test_changing_any_leaf_is_exactly_one_finding_there(obj: dict, data: st.DataObject) -> None:
    pointer, value = data.draw(st.sampled_from(list(leaves(obj))))
    live = copy.deepcopy(obj)
    set_at(live, pointer, changed(value))
    assert [(f.rule, f.path) for f in drift_of(obj, live)] == [("drift.changed", pointer)]


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(NAME, CONFIG_VALUES, min_size=1, max_size=5), st.data())
def test_config_files_leaf_change_is_one_finding(config: dict, data: st.DataObject) -> None:
    assert drift_of(config, copy.deepcopy(config), "app.yaml") == []
    found_leaves = [(p, v) for p, v in _all_leaves(config)]
    if not found_leaves:
        return
    pointer, value = data.draw(st.sampled_from(found_leaves))
    live = copy.deepcopy(config)
    set_at(live, pointer, changed(value))
    assert [(f.rule, f.path) for f in drift_of(config, live, "app.yaml")] == [("drift.changed", pointer)]


def _all_leaves(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _all_leaves(v, f"{pointer}/{escape_token(k)}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _all_leaves(v, f"{pointer}/{i}")
    elif pointer:
        yield pointer, value


@settings(max_examples=120, deadline=None)
@given(compose_files(), st.randoms(use_true_random=False))
def test_compose_long_syntax_and_order_are_not_drift(compose: dict, rnd) -> None:
    live = copy.deepcopy(compose)
    live["version"] = "3.9"
    for service in live["services"].values():
        service["environment"] = [f"{k}={v}" for k, v in service["environment"].items()]
        rnd.shuffle(service["environment"])
        long = [{"target": int(p.split(":")[1]), "published": p.split(":")[0], "protocol": "tcp"} for p in service["ports"]]
        rnd.shuffle(long)
        service["ports"] = long
    assert [(f.rule, f.path) for f in drift_of(compose, live, "compose.yaml")] == []
