"""The patch invariant under generated desired/live pairs, for Kubernetes and compose (config: test_patches):

after trueup's patches are applied (through ``git apply``), trueup finds no drift; a second
run has nothing to patch; without ``--prune`` only live-only extras are left; and the
Kubernetes JSON Patch, applied by an RFC 6902 reader of the test's own, leaves no drift either.
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strategies import CONFIG_VALUES, NAME, TEXT, changed, deployments, leaves, set_at, with_noise
from trueup.patch.changes import changes_of
from trueup.drift import Context, Side, drift
from trueup.load import load_text
from trueup.patch import plan_file_edits, write_patches
from trueup.patch.yaml_emit import dump

# TRUEUP_HYPOTHESIS_EXAMPLES=5000 for a long hunt; CI runs the default.
SETTINGS = settings(max_examples=int(os.environ.get("TRUEUP_HYPOTHESIS_EXAMPLES", "150")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
ENV_NAME = st.from_regex(r"[A-Z][A-Z0-9_]{0,6}", fullmatch=True)


def loaded(text: str, file: str) -> list:
    return load_text(text, file=file, name=Path(file).name, fmt="yaml").documents


def drift_and_changes(desired: Any, live_text: str, file: str) -> tuple[list, list]:
    changes: list = []
    d = Side(Path(file).name, loaded(json.dumps(desired), "desired/" + Path(file).name))
    l = Side(Path(file).name, loaded(live_text, file))
    findings = list(drift([d], [l], Context(changes=changes)))
    return findings, changes


def git_apply(live_text: str, edit_diff: str, name: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / name).parent.mkdir(parents=True, exist_ok=True)
        (Path(tmp) / name).write_text(live_text)
        (Path(tmp) / "fix.patch").write_text(edit_diff)
        subprocess.run(["git", "apply", "fix.patch"], cwd=tmp, check=True, capture_output=True)
        return (Path(tmp) / name).read_text()


def check_invariant(desired: Any, live: Any, name: str, indented: bool, flow: bool | None = False) -> None:
    text = dump(live, indented, flow)
    assert loaded(text, name)[0].data == live
    findings, changes = drift_and_changes(desired, text, name)
    edits, notes = plan_file_edits(changes_of(changes), prune=True)
    assert notes == []
    patched = git_apply(text, edits[0].diff, name) if edits else text
    left, again = drift_and_changes(desired, patched, name)
    assert [(f.rule, f.path) for f in left] == []
    assert plan_file_edits(changes_of(again), prune=True) == ([], [])
    kept, _ = plan_file_edits(changes_of(changes), prune=False)
    unpruned = kept[0].text if kept else text
    remaining, _ = drift_and_changes(desired, unpruned, name)
    # Only extras are left (fewer, where fixing a value makes a live-only default a default again).
    assert {(f.rule, f.path) for f in remaining} <= {(f.rule, f.path) for f in findings if f.rule == "drift.extra"}


class PatchTestFailed(Exception):
    """A JSON Patch test op did not hold: the patch is for another state of the object."""


def apply_json_patch(doc: Any, ops: list[dict]) -> Any:
    """RFC 6902 add/replace/remove/test, written from the RFC for this test; a failed test raises."""
    doc = copy.deepcopy(doc)
    for op in ops:
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in op["path"][1:].split("/")]
        parent = doc
        for token in tokens[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        last = tokens[-1]
        if op["op"] == "test":
            found = parent[int(last)] if isinstance(parent, list) else parent.get(last, PatchTestFailed)
            if found != op["value"]:
                raise PatchTestFailed(op["path"])
        elif op["op"] == "remove":
            del parent[int(last) if isinstance(parent, list) else last]
        elif isinstance(parent, list) and op["op"] == "add":
            parent.insert(len(parent) if last == "-" else int(last), op["value"])
        elif isinstance(parent, list):
            parent[int(last)] = op["value"]
        else:
            assert op["op"] == "add" or last in parent, op
            parent[last] = op["value"]
    return doc


@st.composite
def drifted_deployment(draw: st.DrawFn) -> tuple[dict, dict]:
    desired = draw(deployments())
    live = with_noise(desired)
    pod = live["spec"]["template"]["spec"]
    for _ in range(draw(st.integers(1, 4))):
        move = draw(st.sampled_from(["leaf", "drop-item", "extra-item", "extra-label", "drop-key", "shuffle"]))
        if move == "leaf":
            pointer, value = draw(st.sampled_from(list(leaves(desired))))
            try:
                set_at(live, pointer, changed(value))
            except (KeyError, IndexError):
                pass
        elif move == "drop-item":
            container = draw(st.sampled_from(pod["containers"]))
            lists = [k for k in ("env", "ports", "volumeMounts") if container.get(k)]
            if lists:
                items = container[draw(st.sampled_from(lists))]
                items.pop(draw(st.integers(0, len(items) - 1)))
        elif move == "extra-item":
            container = draw(st.sampled_from(pod["containers"]))
            names = {e["name"] for e in container.get("env", [])}
            name = draw(ENV_NAME.filter(lambda n: n not in names))
            container.setdefault("env", []).append({"name": name, "value": draw(TEXT)})
        elif move == "extra-label":
            live["metadata"].setdefault("labels", {})["extra-" + draw(NAME)] = draw(NAME)
        elif move == "drop-key":
            container = draw(st.sampled_from(pod["containers"]))
            for key in ("resources", "livenessProbe", "ports"):
                if key in container and key != "resources":
                    del container[key]
                    break
        else:
            draw(st.randoms(use_true_random=False)).shuffle(pod["containers"])
    return desired, live


@SETTINGS
@given(drifted_deployment(), st.booleans())
def test_kubernetes_patches_leave_no_drift(pair: tuple[dict, dict], indented: bool) -> None:
    desired, live = pair
    check_invariant(desired, live, "live/deploy.yaml", indented)


@SETTINGS
@given(drifted_deployment())
def test_kubernetes_json_patch_leaves_no_drift(pair: tuple[dict, dict]) -> None:
    desired, live = pair
    text = dump(live, True)
    _, changes = drift_and_changes(desired, text, "live/deploy.yaml")
    with tempfile.TemporaryDirectory() as out:
        write_patches(changes_of(changes), Path(out), prune=True)
        found = list(Path(out).rglob("*.jsonpatch.json"))
        ops = json.loads(found[0].read_text()) if found else []
    patched = apply_json_patch(live, ops)
    left, _ = drift_and_changes(desired, dump(patched, True), "live/deploy.yaml")
    assert [(f.rule, f.path) for f in left] == []


@st.composite
def service(draw: st.DrawFn, names: list[str]) -> dict:
    env = draw(st.dictionaries(ENV_NAME, TEXT.filter(lambda t: "=" not in t), max_size=4))
    ports = draw(st.lists(st.tuples(st.integers(1024, 65535), st.integers(1, 65535)), max_size=3, unique_by=lambda p: p[0]))
    svc: dict[str, Any] = {"image": f"{draw(NAME)}:1.{draw(st.integers(0, 9))}"}
    if env:
        svc["environment"] = env
    if ports:
        svc["ports"] = [f"{h}:{c}" for h, c in ports]
    deps = draw(st.lists(st.sampled_from(names), max_size=2, unique=True)) if names else []
    if deps:
        svc["depends_on"] = {d: {"condition": draw(st.sampled_from(["service_started", "service_healthy"]))} for d in deps}
    return svc


def restyle(svc: dict, short_env: bool, long_ports: bool, list_deps: bool) -> dict:
    """The same service in another syntax, where that syntax can say it."""
    out = copy.deepcopy(svc)
    if short_env and isinstance(out.get("environment"), dict):
        out["environment"] = [f"{k}={v}" for k, v in out["environment"].items()]
    if long_ports and out.get("ports"):
        out["ports"] = [{"target": int(p.split(":")[1]), "published": p.split(":")[0]} if isinstance(p, str) else p
                        for p in out["ports"]]
    deps = out.get("depends_on")
    if list_deps and isinstance(deps, dict) and all(v["condition"] == "service_started" for v in deps.values()):
        out["depends_on"] = list(deps)
    return out


@st.composite
def drifted_compose(draw: st.DrawFn) -> tuple[dict, dict]:
    names = draw(st.lists(NAME, min_size=1, max_size=3, unique=True))
    services = {name: draw(service(names[:i])) for i, name in enumerate(names)}
    desired = {"services": {n: restyle(s, *draw(st.tuples(st.booleans(), st.booleans(), st.booleans())))
                            for n, s in services.items()}}
    live_services = copy.deepcopy(services)
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(names))
        svc = live_services[name]
        move = draw(st.sampled_from(["image", "env-value", "env-drop", "env-extra", "port", "port-drop", "dep"]))
        env = svc.get("environment") or {}
        if move == "image":
            svc["image"] += "-x"
        elif move == "env-value" and env:
            env[draw(st.sampled_from(sorted(env)))] = draw(TEXT.filter(lambda t: "=" not in t))
        elif move == "env-drop" and env:
            del env[draw(st.sampled_from(sorted(env)))]
        elif move == "env-extra":
            svc.setdefault("environment", {})["EXTRA_" + draw(ENV_NAME)] = "1"
        elif move == "port" and svc.get("ports"):
            i = draw(st.integers(0, len(svc["ports"]) - 1))
            host, container = svc["ports"][i].split(":")
            svc["ports"][i] = f"{host}:{int(container) % 65535 + 1}"
        elif move == "port-drop" and svc.get("ports"):
            svc["ports"].pop()
        elif move == "dep" and svc.get("depends_on"):
            dep = draw(st.sampled_from(sorted(svc["depends_on"])))
            svc["depends_on"][dep]["condition"] = "service_healthy" if svc["depends_on"][dep]["condition"] == "service_started" else "service_started"
    live = {"services": {n: restyle(s, *draw(st.tuples(st.booleans(), st.booleans(), st.booleans())))
                         for n, s in live_services.items()}}
    if draw(st.booleans()):
        live = {"version": "3.9", **live}
    return desired, live


@SETTINGS
@given(drifted_compose(), st.booleans())
def test_compose_patches_leave_no_drift_in_either_syntax(pair: tuple[dict, dict], indented: bool) -> None:
    desired, live = pair
    check_invariant(desired, live, "live/compose.yaml", indented)


@st.composite
def drifted_config(draw: st.DrawFn) -> tuple[dict, dict]:
    """Any nesting of maps and lists; live differs by changed, dropped and added values and items."""
    desired = draw(st.dictionaries(NAME, CONFIG_VALUES, min_size=1, max_size=5))
    live = copy.deepcopy(desired)
    for _ in range(draw(st.integers(1, 4))):
        places = [("", live)] + [(p, v) for p, v in _containers(live)]
        pointer, container = draw(st.sampled_from(places))
        move = draw(st.sampled_from(["change", "drop", "add"]))
        if isinstance(container, dict):
            keys = sorted(container)
            if move == "add" or not keys:
                container["new-" + draw(NAME)] = draw(CONFIG_VALUES)
            elif move == "drop":
                del container[draw(st.sampled_from(keys))]
            else:
                container[draw(st.sampled_from(keys))] = draw(CONFIG_VALUES)
        elif move == "add" or not container:
            container.append(draw(CONFIG_VALUES))
        elif move == "drop":
            container.pop()
        else:
            container[draw(st.integers(0, len(container) - 1))] = draw(CONFIG_VALUES)
    return desired, live


def _containers(value: Any, pointer: str = ""):
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, item in items:
        if isinstance(item, (dict, list)):
            here = f"{pointer}/{key}"
            yield here, item
            yield from _containers(item, here)


@SETTINGS
@given(drifted_config(), st.booleans(), st.sampled_from([False, None]))
def test_config_patches_leave_no_drift_in_block_and_flow_files(pair: tuple[dict, dict], indented: bool,
                                                               flow: bool | None) -> None:
    desired, live = pair
    check_invariant(desired, live, "live/app.yaml", indented, flow)


def test_a_patch_fails_on_an_object_whose_list_moved_instead_of_editing_another_item() -> None:
    """Each index a JSON Patch op goes through is pinned by a test op on that item's identity."""
    desired = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
               "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                   "metadata": {"labels": {"app": "web"}},
                   "spec": {"containers": [{"name": "app", "image": "web:2.0"}, {"name": "proxy", "image": "envoy:1.30"}]}}}}
    live = copy.deepcopy(desired)
    live["spec"]["template"]["spec"]["containers"][0]["image"] = "web:1.9"
    _, changes = drift_and_changes(desired, dump(live, True), "live/deploy.yaml")
    with tempfile.TemporaryDirectory() as out:
        write_patches(changes_of(changes), Path(out), prune=True)
        ops = json.loads(next(Path(out).rglob("*.jsonpatch.json")).read_text())
    assert ops == [{"op": "test", "path": "/spec/template/spec/containers/0/name", "value": "app"},
                   {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "web:2.0"}]
    assert apply_json_patch(live, ops) == desired
    moved = copy.deepcopy(live)  # a sidecar injected first since the patch was made
    moved["spec"]["template"]["spec"]["containers"].reverse()
    with pytest.raises(PatchTestFailed):
        apply_json_patch(moved, ops)
