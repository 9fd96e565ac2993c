"""``drift --shard I/N`` deals work units (each Kubernetes object, each other file) by a stable hash,
across and within targets, with or without trueup.yaml: the merged shards are the one run."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trueup.shards import Shard


@given(st.text(), st.integers(1, 9))
def test_every_unit_belongs_to_exactly_one_shard(unit: str, total: int) -> None:
    assert sum(Shard(i, total).owns(unit) for i in range(1, total + 1)) == 1
    assert Shard(1, total).owns(unit) == Shard(1, total).owns(str(unit))  # the same on every call and machine


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app{n}, namespace: shop}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: app{n}}}}}
  template:
    metadata: {{labels: {{app: app{n}}}}}
    spec:
      containers: [{{name: app, image: "ghcr.io/x/app:1.{n}.0"}}]
"""


def _estate(root: Path, objects: int = 60) -> None:
    """One target holding every object, two objects to a file; a third of them drifted live, one
    missing live, one only live; and a config file beside them in a second target."""
    (root / "templates" / "k8s").mkdir(parents=True)
    (root / "live" / "prod" / "k8s").mkdir(parents=True)
    for n in range(0, objects, 2):
        pair = [DEPLOYMENT.format(n=m, replicas=2) for m in (n, n + 1)]
        (root / "templates" / "k8s" / f"apps{n}.yaml").write_text("---\n".join(pair))
        live = [DEPLOYMENT.format(n=m, replicas=3 if m % 3 == 0 else 2) for m in (n, n + 1) if m != 5]
        (root / "live" / "prod" / "k8s" / f"apps{n}.yaml").write_text("---\n".join(live))
    (root / "live" / "prod" / "k8s" / "stray.yaml").write_text(DEPLOYMENT.format(n=999, replicas=1))
    (root / "templates" / "app.yaml").write_text("port: 8080\nworkers: 4\n")
    (root / "live" / "prod" / "app.yaml").write_text("port: 8081\nworkers: 4\n")
    (root / "trueup.yaml").write_text(
        "version: 1\nenvironments:\n  prod: {}\ntargets:\n"
        "  - {name: k8s, kind: kubernetes, desired: 'k8s/*.yaml', live: 'live/{env}/k8s', namespace: shop}\n"
        "  - {name: app, kind: config, desired: 'app.yaml', live: 'live/{env}/app.yaml'}\npolicy: {packs: []}\n")


def _findings(report: dict) -> list[str]:
    return sorted(json.dumps(f, sort_keys=True) for f in report["findings"])


@pytest.mark.parametrize("total", [2, 4, 8])
def test_one_big_target_splits_and_the_merged_shards_are_the_run(trueup, tmp_path: Path, total: int, valid_report) -> None:
    _estate(tmp_path)
    whole = trueup("drift", "--format", "json", "--no-blame", cwd=tmp_path)
    names = []
    for i in range(1, total + 1):
        part = trueup("drift", "--shard", f"{i}/{total}", "--no-blame", "--format", "json", "--output", f"s{i}.json",
                      cwd=tmp_path)
        assert part.code in (0, 1), part.err
        names.append(f"s{i}.json")
    parts = [json.loads((tmp_path / n).read_text()) for n in names]
    # The objects of the one k8s target are dealt among the shards, not given to one.
    holding = [sum(1 for f in p["findings"] if f["target"].startswith("Deployment/")) for p in parts]
    assert sum(holding) == sum(1 for f in whole.json()["findings"] if f["target"].startswith("Deployment/"))
    assert sum(1 for n in holding if n) >= 2 and max(holding) < sum(holding)
    merged = valid_report(trueup("report", "merge", *names, "--format", "json", cwd=tmp_path).out)
    assert _findings(merged) == _findings(whole.json())
    assert merged["summary"] == whole.json()["summary"]


def test_without_trueup_yaml_too(trueup, tmp_path: Path) -> None:
    _estate(tmp_path)
    args = ("drift", "--desired", "templates/k8s", "--live", "live/prod/k8s", "--namespace", "shop", "--no-blame",
            "--format", "json")
    whole = trueup(*args, cwd=tmp_path)
    for i in (1, 2, 3):
        assert trueup(*args, "--shard", f"{i}/3", "--output", f"c{i}.json", cwd=tmp_path).code in (0, 1)
    merged = trueup("report", "merge", "c1.json", "c2.json", "c3.json", "--format", "json", cwd=tmp_path).json()
    assert _findings(merged) == _findings(whole.json())
    assert merged["summary"] == whole.json()["summary"]


@pytest.mark.parametrize("with_config", [False, True])
@pytest.mark.parametrize("secret_side", ["live", "desired"])
def test_a_secret_read_by_another_shard_is_still_masked(trueup, tmp_path: Path, with_config: bool,
                                                        secret_side: str) -> None:
    """A Secret's value quoted in a drifted ConfigMap is masked in the unsharded run because the
    Secret was read; a shard holding only the ConfigMap has read the Secret too, and masks it: a live
    Secret (left as its file is read) or a desired one (left as it is rendered or read)."""
    def unit(kind: str, name: str) -> str:
        return "object\0" + "\0".join(("", kind, "shop", name))

    secret, config = next((f"s{i}", f"c{i}") for i in range(200)
                          if Shard(1, 2).owns(unit("Secret", f"s{i}")) != Shard(1, 2).owns(unit("ConfigMap", f"c{i}")))
    value = "sk-live-9f8e7d6c5b4a"
    the_secret = f"---\napiVersion: v1\nkind: Secret\nmetadata: {{name: {secret}, namespace: shop}}\nstringData: {{token: {value}}}\n"
    desired = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {config}, namespace: shop}}\ndata: {{note: 'call us'}}\n"
    live = (f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {config}, namespace: shop}}\n"
            f"data: {{note: 'call us with {value} please'}}\n")
    if secret_side == "live":
        live += the_secret
    else:
        desired += the_secret
    (tmp_path / "d").mkdir()
    (tmp_path / "l").mkdir()
    (tmp_path / "d" / "all.yaml").write_text(desired)
    (tmp_path / "l" / "all.yaml").write_text(live)
    args: tuple[str, ...] = ("drift", "--desired", "d", "--live", "l", "--namespace", "shop", "--no-blame", "--format", "json")
    if with_config:  # the desired side rendered from templates, one Kubernetes target
        (tmp_path / "templates").mkdir()
        (tmp_path / "templates" / "all.yaml").write_text(desired)
        (tmp_path / "trueup.yaml").write_text(
            "version: 1\nenvironments:\n  prod: {}\ntargets:\n"
            "  - {name: k8s, kind: kubernetes, desired: 'all.yaml', live: 'l/all.yaml', namespace: shop}\n"
            "policy: {packs: []}\n")
        args = ("drift", "--no-blame", "--format", "json")
    outputs = [trueup(*args, cwd=tmp_path).out] + [trueup(*args, "--shard", f"{i}/2", cwd=tmp_path).out for i in (1, 2)]
    assert all(value not in out for out in outputs)
    assert any("/data/note" in out for out in outputs[1:])  # the ConfigMap's drift is reported by its shard
