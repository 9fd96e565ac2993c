"""trueup drift, end to end: config-free trees, environments, ignore rules, secrets."""
from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES

NOISE = EXAMPLES / "drift" / "k8s-noise"
PASSWORD = "Zq8!vR2#pL9@tX4w"
NEW_PASSWORD = "n3w-Secr3t-77"


def test_kubectl_export_full_of_noise_is_no_drift(trueup, valid_report) -> None:
    result = trueup("drift", "--desired", NOISE / "desired", "--live", NOISE / "live", "--format", "json")
    report = valid_report(result.out)
    assert result.code == 0, result.out
    assert report["findings"] == []
    assert report["summary"]["documents"] == 12


def _drifted_copy(tmp_path: Path) -> Path:
    live = tmp_path / "live"
    shutil.copytree(NOISE / "live", live)
    secret = live / "config-and-secret.yaml"
    text = secret.read_text()
    old = base64.b64encode(PASSWORD.encode()).decode()
    secret.write_text(text.replace(old, base64.b64encode(NEW_PASSWORD.encode()).decode()))
    export = live / "export.yaml"
    export.write_text(export.read_text().replace("    replicas: 2\n    revisionHistoryLimit", "    replicas: 5\n    revisionHistoryLimit"))
    return live


def test_real_drift_in_an_export_is_found_with_both_locations(trueup, tmp_path: Path, valid_report) -> None:
    live = _drifted_copy(tmp_path)
    result = trueup("drift", "--desired", NOISE / "desired", "--live", live, "--format", "json")
    report = valid_report(result.out)
    assert result.code == 1
    got = [(f["rule"], f["target"], f["path"], f["line"], f["live_line"], f["desired"], f["live"]) for f in report["findings"]]
    assert got == [
        ("drift.changed", "Deployment/default/api", "/spec/replicas", 7, 31, 2, 5),
        ("drift.changed", "Secret/default/db", "/stringData/password", 69, 17, "********", "********"),
    ]
    assert report["findings"][0]["file"] == f"{NOISE / 'desired'}/api.yaml".replace("\\", "/")
    assert report["findings"][0]["live_file"] == f"{live}/export.yaml"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_secret_values_never_printed(trueup, tmp_path: Path, fmt: str) -> None:
    live = _drifted_copy(tmp_path)
    result = trueup("drift", "--desired", NOISE / "desired", "--live", live, "--format", fmt)
    everything = result.out + result.err
    assert "Secret/default/db" in everything
    for secret in (PASSWORD, NEW_PASSWORD):
        assert secret not in everything
        assert base64.b64encode(secret.encode()).decode() not in everything


def test_whole_objects_and_files_missing_and_extra(trueup, write, tmp_path: Path) -> None:
    write("d/k8s.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: '1'}\n---\n"
          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: only-desired, namespace: shop}\n")
    write("d/app.yaml", "port: 8080\n")
    write("l/elsewhere/moved.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\ndata: {x: '1'}\n"
          "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: only-live}\n")
    write("l/extra.toml", "a = 1\n")
    result = trueup("drift", "--desired", tmp_path / "d", "--live", tmp_path / "l", "--format", "json", cwd=tmp_path)
    assert result.code == 1
    got = sorted((f["rule"], f["target"], f["path"], f["line"]) for f in result.json()["findings"])
    assert got == [
        ("drift.extra", "ConfigMap/default/only-live", "", 6),
        ("drift.extra", "extra.toml", "", 1),
        ("drift.missing", "ConfigMap/shop/only-desired", "", 6),
        ("drift.missing", "app.yaml", "", 1),
    ]


REPO_CONFIG = """\
version: 1
environments:
  prod:
    values: [values.yaml]
targets:
  - name: k8s
    kind: kubernetes
    desired: "k8s/*.yaml"
    live: "live/{env}"
    namespace: shop
    ignore:
      - paths: [/spec/replicas]
        kinds: [Deployment]
        reason: scaled by the HPA
      - paths: ["/metadata/annotations/*"]
        reason: annotations are written by the mesh
"""
DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {owner: team-a}
spec:
  replicas: {{ replicas }}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:{{ tag }}"}]
"""


def test_environment_drift_with_ignore_rules(trueup, write, tmp_path: Path) -> None:
    write("trueup.yaml", REPO_CONFIG)
    write("values.yaml", "replicas: 2\ntag: '1.27'\n")
    write("templates/k8s/web.yaml.j2", DEPLOY)
    live = DEPLOY.replace("{{ replicas }}", "7").replace("{{ tag }}", "1.26").replace("team-a", "team-b")
    write("live/prod/web.yaml", live.replace("  name: web\n", "  name: web\n  namespace: shop\n"))
    result = trueup("drift", "--env", "prod", cwd=tmp_path)
    assert result.code == 1
    assert result.lines == [
        "Deployment/shop/web (prod): templates/k8s/web.yaml.j2 vs live live/prod/web.yaml",
        '  changed /spec/template/spec/containers/0/image (line 12, live line 13): live "nginx:1.26", desired "nginx:1.27"',
        "failed: 1 finding (1 high) in 1 file; 1 document in 1 file",
    ]
    verbose = trueup("drift", "--env", "prod", "--verbose", "--format", "json", cwd=tmp_path).json()
    ignored = sorted((f["path"], f["message"]) for f in verbose["findings"] if f["rule"] == "drift.ignored")
    assert ignored == [
        ("/metadata/annotations/owner", "owner differs live (ignored: annotations are written by the mesh)"),
        ("/spec/replicas", "replicas differs live (ignored: scaled by the HPA)"),
    ]
    assert verbose["summary"]["exit_code"] == 1


def test_missing_live_path_is_exit_2(trueup, write, tmp_path: Path) -> None:
    write("trueup.yaml", REPO_CONFIG)
    write("values.yaml", "replicas: 2\ntag: '1.27'\n")
    write("templates/k8s/web.yaml.j2", DEPLOY)
    result = trueup("drift", "--env", "prod", cwd=tmp_path)
    assert result.code == 2
    assert result.err == "trueup: live/prod: live path not found\n"


def test_config_free_needs_both_trees(trueup, tmp_path: Path) -> None:
    result = trueup("drift", "--desired", tmp_path, cwd=tmp_path)
    assert result.code == 2
    assert "give both --desired DIR and --live DIR" in result.err


def test_configured_secret_names_are_masked(trueup, write, tmp_path: Path) -> None:
    write("trueup.yaml", "version: 1\nsecrets:\n  keys: ['^SIGNING_', 'pin$']\n")
    write("d/app.yaml", "SIGNING_SEED: alpha-7731\nuser_pin: '4321'\nport: 80\n")
    write("l/app.yaml", "SIGNING_SEED: beta-9911\nuser_pin: '8765'\nport: 81\n")
    result = trueup("drift", "--desired", "d", "--live", "l", "--format", "json", cwd=tmp_path)
    shown = {f["path"]: (f["desired"], f["live"]) for f in result.json()["findings"]}
    assert shown == {"/SIGNING_SEED": ("********", "********"), "/user_pin": ("********", "********"), "/port": (80, 81)}
    for value in ("alpha-7731", "beta-9911", "4321", "8765"):
        assert value not in result.out + result.err


def test_an_unreadable_file_is_an_input_finding_not_missing_or_extra(trueup, write, tmp_path: Path) -> None:
    """What an unreadable file holds is unknown: its counterpart's objects and file are not drift."""
    write("d/app.yaml", "a: 1\n")
    write("l/app.yaml", "a: [1\n")
    write("d/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: a}\ndata: {k: v}\n")
    write("l/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: a}\ndata: {k: v\n")
    write("d/broken.yaml", "b: [2\n")
    write("l/broken.yaml", "b: 2\n")
    write("d/gone.yaml", "c: 3\n")
    result = trueup("drift", "--desired", tmp_path / "d", "--live", tmp_path / "l", "--format", "json")
    assert result.code == 1  # a malformed file met in a tree is a finding (high); the rest is compared
    found = sorted((f["rule"], f["target"]) for f in result.json()["findings"])
    assert [r for r in found if r[0] == "input.parse"] == [
        ("input.parse", f"{tmp_path}/d/broken.yaml"), ("input.parse", f"{tmp_path}/l/app.yaml"),
        ("input.parse", f"{tmp_path}/l/cm.yaml")]
    assert [r for r in found if r[0] != "input.parse"] == [("drift.missing", "gone.yaml")]


def test_ini_files_pair_by_path_in_config_free_drift(trueup, write, tmp_path: Path) -> None:
    write("d/app.ini", "[server]\nport = 8080\n")
    write("l/app.ini", "[server]\nport = 9090\n")
    write("d/nginx.conf", "worker_processes 2;\n")
    write("l/nginx.conf", "worker_processes 4;\n")
    result = trueup("drift", "--desired", tmp_path / "d", "--live", tmp_path / "l", "--format", "json")
    assert result.code == 1
    assert [(f["rule"], f["target"], f["path"], f["desired"], f["live"]) for f in result.json()["findings"]] == [
        ("drift.changed", "app.ini", "/server/port", "8080", "9090")]


def test_an_environment_no_target_covers_is_not_compared(trueup, write, tmp_path: Path) -> None:
    """Not "ok": drift exits 2 when nothing at all was compared; an uncovered environment beside a
    covered one is a note (drift.not-compared), and check carries on with one per environment."""
    config = REPO_CONFIG.replace("environments:\n", "environments:\n  dev:\n    values: [values.yaml]\n")
    config = config.replace('    live: "live/{env}"\n', '    live: "live/{env}"\n    environments: [prod]\n')
    write("trueup.yaml", config)
    write("values.yaml", "replicas: 2\ntag: '1.27'\n")
    write("templates/k8s/web.yaml.j2", DEPLOY)
    write("live/prod/web.yaml", DEPLOY.replace("{{ replicas }}", "2").replace("{{ tag }}", "1.27"))
    only_dev = trueup("drift", "--env", "dev", cwd=tmp_path)
    assert (only_dev.code, only_dev.out) == (2, "")
    assert only_dev.err == "trueup: trueup.yaml: nothing to compare: no target of trueup.yaml with a live side covers dev\n"
    both = trueup("drift", "--format", "json", cwd=tmp_path)
    assert both.code == 0
    assert [(f["rule"], f["severity"], f["environment"], f["message"]) for f in both.json()["findings"]] == [
        ("drift.not-compared", "info", "dev",
         "environment 'dev': no target of trueup.yaml compares it with live state; not compared")]
    text = trueup("drift", cwd=tmp_path)
    assert text.lines[-1] == "ok: 2 documents in 2 files, no findings; 1 note"
    assert trueup("drift", "--quiet", cwd=tmp_path).out == ""
    check = trueup("check", "--env", "dev", "--format", "json", "--no-policy", cwd=tmp_path)
    assert check.code == 0
    assert [f["rule"] for f in check.json()["findings"]] == ["drift.not-compared"]


SECRET = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"


@pytest.mark.parametrize(
    ("desired", "live", "expected"),
    [
        pytest.param(SECRET + "stringData: oops\n", SECRET + "stringData: oops\n", [], id="string-data-a-string"),
        pytest.param(SECRET + "data: [a]\n", SECRET + "data: [a]\n", [], id="data-a-list"),
        pytest.param(SECRET + "data: [a]\n", SECRET + "data: [b]\n",
                     ['  changed /data (line 4, live line 4): live "********", desired "********"'], id="data-lists-differ"),
        pytest.param(SECRET + "stringData: oops\n", SECRET + "stringData: {k: v}\n",
                     ['  missing /stringData (line 4, live line 4): desired "********"',
                      '  extra   /stringData/k (live line 4): live "********"'], id="a-string-then-a-mapping"),
    ],
)
def test_a_secret_payload_that_is_not_a_mapping_is_compared_whole(trueup, write, tmp_path: Path, desired: str,
                                                                  live: str, expected: list[str]) -> None:
    write("d/s.yaml", desired)
    write("l/s.yaml", live)
    result = trueup("drift", "--desired", tmp_path / "d", "--live", tmp_path / "l")
    assert "Traceback" not in result.out + result.err
    assert (result.code, [line for line in result.lines if line.startswith("  ")]) == (1 if expected else 0, expected)


def test_an_ignore_rule_by_name_on_an_object_whose_metadata_is_not_a_mapping(trueup, write, tmp_path: Path) -> None:
    write("trueup.yaml", "version: 1\nenvironments:\n  prod:\n    values: [values.yaml]\ntargets:\n  - name: k8s\n"
                         "    kind: kubernetes\n    desired: 'k8s/*.yaml'\n    live: 'live/{env}'\n"
                         "    ignore: [{paths: [/spec/replicas], reason: HPA, names: [web]}]\n")
    write("values.yaml", "replicas: 1\n")
    write("templates/k8s/web.yaml.j2", "apiVersion: apps/v1\nkind: Deployment\nmetadata: oops\n"
                                       "spec: {replicas: {{ replicas }}}\n")
    write("live/prod/web.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: oops\nspec: {replicas: 2}\n")
    result = trueup("drift", "--env", "prod", cwd=tmp_path)
    assert "Traceback" not in result.out + result.err
    assert (result.code, [line for line in result.lines if line.startswith("  ")]) == (
        1, ["  changed /spec/replicas (line 4, live line 4): live 2, desired 1"])


def test_nan_on_both_sides_is_no_drift(trueup, write, tmp_path: Path) -> None:
    for side in ("d", "l"):
        write(f"{side}/app.toml", "x = nan\ny = -nan\nz = inf\n")
        write(f"{side}/app.yaml", "x: .nan\nl: [.nan, 1]\n")
    result = trueup("drift", "--desired", tmp_path / "d", "--live", tmp_path / "l")
    assert (result.code, [line for line in result.lines if line.startswith("  ")]) == (0, [])
