"""Patches: surgical YAML edits, git apply end to end, idempotence, secrets, and the drift invariant."""
from __future__ import annotations

import copy
import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, REPO
from trueup.patch.changes import changes_of
from trueup.load import load_text
from trueup.load.yaml_ import plain_scalar as yaml_plain_scalar
from trueup.patch.ops import Op, apply_ops
from trueup.patch.ops import NotSurgical
from trueup.patch.yaml_edit import edit_document

LIVE = """\
# live settings, hand-edited on the host
server:
  port: 8080        # the api port
  host: '0.0.0.0'
  name: "shop api"
features: [a, b]
limits:
  burst: 20
"""


def replace_scalars(text: str, index: int, edits: list) -> str:
    data = load_text(text, file="l.yaml", name="l.yaml", fmt="yaml").documents[index].data
    ops = [Op("set", pointer, value) for pointer, value in edits]
    return edit_document(text, index, "", ops, apply_ops(data, ops))


def test_scalars_are_swapped_in_place_keeping_style_and_comments() -> None:
    out = replace_scalars(LIVE, 0, [("/server/port", 9090), ("/server/host", "127.0.0.1"),
                                    ("/server/name", 'shop "api"'), ("/features/1", "c"), ("/limits/burst", "20")])
    assert out == LIVE.replace("port: 8080 ", "port: 9090 ").replace("'0.0.0.0'", "'127.0.0.1'").replace(
        '"shop api"', '"shop \\"api\\""').replace("[a, b]", "[a, c]").replace("burst: 20", 'burst: "20"')
    assert yaml.safe_load(out)["limits"]["burst"] == "20"


@pytest.mark.parametrize("pointer", ["/nope/x", "/features/7", "/server/port/x"])
def test_places_not_in_the_file_are_refused(pointer: str) -> None:
    with pytest.raises(NotSurgical):
        edit_document(LIVE, 0, "", [Op("set", pointer, 1)], {})


def _repo(tmp_path: Path) -> Path:
    for name in ("trueup.yaml", "templates", "values", "policy", "examples"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def test_patches_apply_with_git_and_remove_the_drift(trueup, tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    before = trueup("drift", "--env", "prod", "--env", "dev", "--format", "json", "--patches", "out", cwd=repo)
    assert before.code == 1
    assert "trueup: wrote 10 patch files to out" in before.err
    patches = sorted(str(p.relative_to(repo)) for p in (repo / "out").rglob("*.patch"))
    assert patches == ["out/examples/live/dev/compose.yaml.patch", "out/examples/live/prod/app.yaml.patch",
                       "out/examples/live/prod/k8s/all.yaml.patch",
                       "out/examples/live/prod/k8s/configmap-api-config.yaml.patch"]
    original = {p: (repo / p).read_bytes() for p in ("examples/live/prod/k8s/all.yaml", "examples/live/prod/app.yaml")}
    subprocess.run(["git", "apply", *patches], cwd=repo, check=True)
    after = trueup("drift", "--env", "prod", "--env", "dev", "--format", "json", "--patches", "out2", cwd=repo)
    assert [f for f in after.json()["findings"] if f["rule"].startswith("drift.")] == []
    assert after.code == 0
    assert not (repo / "out2").exists()
    for path, old in original.items():
        new = (repo / path).read_bytes().splitlines()
        changed = [i for i, (a, b) in enumerate(zip(old.splitlines(), new)) if a != b]
        assert len(new) == len(old.splitlines()) and len(changed) <= 2


def test_kubernetes_json_patch_and_full_object(trueup, tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    trueup("drift", "--env", "prod", "--patches", "out", cwd=repo)
    ops = json.loads((repo / "out/kubernetes/Deployment_shop_api.jsonpatch.json").read_text())
    assert ops == [{"op": "replace", "path": "/spec/replicas", "value": 4}]
    full = yaml.safe_load((repo / "out/kubernetes/Deployment_shop_api.yaml").read_text())
    assert (full["kind"], full["metadata"]["name"], full["spec"]["replicas"]) == ("Deployment", "api", 4)


def test_secret_patches_are_owner_only_and_never_printed(trueup, tmp_path: Path) -> None:
    noise = EXAMPLES / "drift" / "k8s-noise"
    live = tmp_path / "live"
    shutil.copytree(noise / "live", live)
    secret = live / "config-and-secret.yaml"
    secret.write_text(secret.read_text().replace("WnE4IXZSMiNwTDlAdFg0dw==", "b2xkLXNlY3JldC0xMjM="))
    result = trueup("drift", "--desired", noise / "desired", "--live", live, "--patches", tmp_path / "out", cwd=tmp_path)
    assert result.code == 1
    printed = result.out + result.err
    assert "Zq8!vR2#pL9@tX4w" not in printed and "old-secret-123" not in printed and "WnE4IXZSMiNwTDlAdFg0dw==" not in printed
    files = {p.name: p for p in (tmp_path / "out").rglob("*") if p.is_file()}
    for name in ("Secret_default_db.jsonpatch.json", "Secret_default_db.yaml", "config-and-secret.yaml.patch"):
        assert stat.S_IMODE(files[name].stat().st_mode) == 0o600, name
    assert json.loads(files["Secret_default_db.jsonpatch.json"].read_text()) == [
        {"op": "replace", "path": "/data/password", "value": "WnE4IXZSMiNwTDlAdFg0dw=="}]
    assert "+  password: WnE4IXZSMiNwTDlAdFg0dw==" in files["config-and-secret.yaml.patch"].read_text()


# PyYAML's dumper (YAML 1.1) leaves strings like 0E0 unquoted, which YAML 1.2 reads as numbers:
# generated strings are ones it writes unambiguously, so the properties test trueup, not the dumper.
leaf = st.one_of(st.integers(-999, 999), st.booleans(), st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
                 .filter(lambda t: yaml_plain_scalar(t) == t or yaml.safe_dump(t).startswith(("'", '"'))))
config = st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True),
                         st.one_of(leaf, st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), leaf, min_size=1, max_size=3)),
                         min_size=1, max_size=5)


@settings(max_examples=150, deadline=None)
@given(config, st.data())
def test_patched_scalars_read_back_as_desired(live: dict, data: st.DataObject) -> None:
    """Drift invariant for scalar drift: after the patch, the file parses to the desired data."""
    text = yaml.safe_dump(live, sort_keys=False, default_flow_style=False)
    live = load_text(text, file="l.yaml", name="l.yaml", fmt="yaml").documents[0].data
    leaves = [(f"/{k}", v) for k, v in live.items() if not isinstance(v, dict)] + [
        (f"/{k}/{k2}", v2) for k, v in live.items() if isinstance(v, dict) for k2, v2 in v.items()]
    pointer, _ = data.draw(st.sampled_from(leaves))
    value = data.draw(leaf)
    desired = copy.deepcopy(live)
    parts = pointer.strip("/").split("/")
    (desired[parts[0]] if len(parts) == 2 else desired)[parts[-1]] = value
    patched = replace_scalars(text, 0, [(pointer, value)])
    assert load_text(patched, file="p.yaml", name="p.yaml", fmt="yaml").documents[0].data == desired
    assert sum(a != b for a, b in zip(text.splitlines(), patched.splitlines())) <= 1


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True),
                       st.one_of(leaf, st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), leaf, min_size=1, max_size=4)),
                       min_size=2, max_size=6), st.data())
def test_patch_restores_missing_keys_and_changed_values(desired: dict, data: st.DataObject) -> None:
    """The invariant through the whole pipeline: drift, patch the live file, drift again: nothing left."""
    from trueup.drift import Context, drift
    from trueup.drift.pair import Side
    from trueup.patch import plan_file_edits

    live = copy.deepcopy(desired)
    keys = sorted(live)
    for key in data.draw(st.lists(st.sampled_from(keys), max_size=len(keys) - 1, unique=True)):
        if isinstance(live[key], dict) and len(live[key]) > 1 and data.draw(st.booleans()):
            del live[key][sorted(live[key])[0]]
        elif data.draw(st.booleans()):
            live[key] = data.draw(leaf) if not isinstance(live[key], dict) else live[key]
        elif len(live) > 1:
            del live[key]
    live_text = yaml.safe_dump(live, sort_keys=False, default_flow_style=False)
    desired_doc = load_text(json.dumps(desired), file="d/app.yaml", name="app.yaml", fmt="yaml")
    live_doc = load_text(live_text, file="l/app.yaml", name="app.yaml", fmt="yaml")
    changes: list = []
    list(drift([Side("app.yaml", desired_doc.documents)], [Side("app.yaml", live_doc.documents)], Context(changes=changes)))
    edits, notes = plan_file_edits(changes_of(changes))
    assert notes == []
    patched = edits[0].text if edits else live_text
    assert load_text(patched, file="p", name="app.yaml", fmt="yaml").documents[0].data == desired


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.from_regex(r"[a-m]{1,6}", fullmatch=True),
                       st.one_of(leaf, st.dictionaries(st.from_regex(r"[a-m]{1,6}", fullmatch=True), leaf, min_size=1, max_size=4)),
                       min_size=1, max_size=5),
       st.dictionaries(st.from_regex(r"[n-z]{1,6}", fullmatch=True), leaf, min_size=1, max_size=3), st.data())
def test_prune_removes_keys_only_live_has(desired: dict, extra: dict, data: st.DataObject) -> None:
    from trueup.drift import Context, drift
    from trueup.drift.pair import Side
    from trueup.patch import plan_file_edits

    live = copy.deepcopy(desired)
    nested = [k for k, v in live.items() if isinstance(v, dict)]
    for key, value in extra.items():
        if nested and data.draw(st.booleans()):
            live[data.draw(st.sampled_from(nested))][key] = value
        else:
            live[key] = value
    live_text = yaml.safe_dump(live, sort_keys=False, default_flow_style=False)
    desired_doc = load_text(json.dumps(desired), file="d/app.yaml", name="app.yaml", fmt="yaml")
    live_doc = load_text(live_text, file="l/app.yaml", name="app.yaml", fmt="yaml")
    changes: list = []
    list(drift([Side("app.yaml", desired_doc.documents)], [Side("app.yaml", live_doc.documents)], Context(changes=changes)))
    assert plan_file_edits(changes_of(changes)) == ([], [])
    edits, notes = plan_file_edits(changes_of(changes), prune=True)
    assert notes == []
    assert load_text(edits[0].text, file="p", name="app.yaml", fmt="yaml").documents[0].data == desired


def test_missing_files_and_objects_become_creations(trueup, write, tmp_path: Path) -> None:
    write("trueup.yaml", "version: 1\nenvironments:\n  prod: {}\ntargets:\n  - {name: cfg, kind: config, desired: 'conf/*.yaml', live: 'live/conf'}\n"
          "  - {name: k8s, kind: kubernetes, desired: 'k8s/*.yaml', live: 'live/k8s', namespace: shop}\npolicy: {packs: []}\n")
    write("templates/conf/app.yaml", "port: 80\n")
    write("templates/conf/logging.yaml", "level: info  # new file\n")
    write("templates/k8s/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: '1'}\n")
    write("live/conf/app.yaml", "port: 80\n")
    write("live/k8s/other.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, namespace: shop}\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    result = trueup("drift", "--patches", "out", "--format", "json", cwd=tmp_path)
    assert sorted((f["rule"], f["target"]) for f in result.json()["findings"]) == [
        ("drift.extra", "ConfigMap/shop/other"), ("drift.missing", "ConfigMap/shop/settings"), ("drift.missing", "conf/logging.yaml")]
    created = yaml.safe_load((tmp_path / "out/kubernetes/ConfigMap_shop_settings.yaml").read_text())
    assert created["metadata"]["name"] == "settings"
    patch = (tmp_path / "out/live/conf/logging.yaml.patch").read_text()
    assert patch.startswith("--- /dev/null\n+++ b/live/conf/logging.yaml\n")
    subprocess.run(["git", "apply", "out/live/conf/logging.yaml.patch"], cwd=tmp_path, check=True)
    assert (tmp_path / "live/conf/logging.yaml").read_text() == "level: info  # new file\n"
    after = trueup("drift", "--format", "json", cwd=tmp_path)
    assert ("drift.missing", "conf/logging.yaml") not in [(f["rule"], f["target"]) for f in after.json()["findings"]]


def test_adopt_edits_plain_desired_files_and_names_templates(trueup, write, tmp_path: Path) -> None:
    write("trueup.yaml", "version: 1\nenvironments:\n  prod:\n    values: [values.yaml]\ntargets:\n"
          "  - {name: plain, kind: config, desired: 'plain.yaml', live: 'live/plain.yaml'}\n"
          "  - {name: tpl, kind: config, desired: 'tpl.yaml', live: 'live/tpl.yaml'}\npolicy: {packs: []}\n")
    write("values.yaml", "port: 80\n")
    write("templates/plain.yaml", "# kept by hand\nworkers: 4   # per core\n")
    write("templates/tpl.yaml.j2", "port: {{ port }}\n")
    write("live/plain.yaml", "workers: 8\n")
    write("live/tpl.yaml", "port: 81\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    assert trueup("drift", "--direction", "adopt", cwd=tmp_path).code == 2
    result = trueup("drift", "--direction", "adopt", "--patches", "out", cwd=tmp_path)
    assert result.code == 1
    assert "trueup: no file diff for templates/tpl.yaml.j2: rendered from a template; adopt edits plain files only" in result.err
    assert sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "out").rglob("*")) == [
        "out/templates", "out/templates/plain.yaml.patch"]
    subprocess.run(["git", "apply", "out/templates/plain.yaml.patch"], cwd=tmp_path, check=True)
    assert (tmp_path / "templates/plain.yaml").read_text() == "# kept by hand\nworkers: 8   # per core\n"
    after = trueup("drift", "--format", "json", cwd=tmp_path)
    assert [f["target"] for f in after.json()["findings"]] == ["tpl.yaml"]


def test_a_key_and_an_item_appended_at_the_same_place_keep_their_blocks() -> None:
    """Found by the invariant: an indentless list's new item goes before the new key that follows it."""
    text = "b:\n- null\n"
    ops = [Op("add", "/a", None), Op("add", "/b/-", None)]
    out = edit_document(text, 0, "", ops, {"b": [None, None], "a": None})
    assert out == "b:\n- null\n- null\na: null\n"
