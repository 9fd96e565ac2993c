"""The reference platform shipped in this repository renders and validates clean everywhere."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import REPO

ENVIRONMENTS = ["dev", "staging", "prod"]


# The live snapshots under examples/live carry deliberate drift (see their README); nothing else.
DELIBERATE_DRIFT = {
    "staging": [],
    "dev": [
        ("drift.changed", "compose/compose.yaml", "/services/redis/image", "redis:7.4.1", "redis:7.4.0"),
        ("drift.changed", "compose/compose.yaml", "/services/api/environment/LOG_LEVEL", "debug", "info"),
    ],
    "prod": [
        ("drift.changed", "ConfigMap/shop/api-config", "/data/app.yaml", None, None),
        ("drift.changed", "Deployment/shop/api", "/spec/replicas", 4, 6),
        ("drift.changed", "Deployment/shop/web", "/spec/template/spec/containers/0/image",
         "ghcr.io/example/shop-web:1.8.2", "ghcr.io/example/shop-web:1.8.1"),
        ("drift.changed", "config/app.yaml", "/cache/ttlSeconds", 600, 300),
    ],
}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_check_finds_only_the_deliberate_drift(trueup, env: str, valid_report) -> None:
    result = trueup("check", "--env", env, "--format", "json", cwd=REPO)
    report = valid_report(result.out)
    expected = DELIBERATE_DRIFT[env]
    assert result.code == (1 if expected else 0), result.out + result.err
    got = [
        (f["rule"], f["target"], f["path"], f["desired"] if "\n" not in str(f["desired"]) else None,
         f["live"] if "\n" not in str(f["live"]) else None)
        for f in report["findings"] if not f["waived"] and f["rule"] != "drift.not-compared"
    ]
    assert got == expected
    # staging has no live snapshot: it is said to be not compared, not reported as in sync.
    assert [f["environment"] for f in report["findings"] if f["rule"] == "drift.not-compared"] == (
        ["staging"] if env == "staging" else [])
    waived = sorted((f["rule"], f["target"]) for f in report["findings"] if f["waived"])
    assert waived == ([] if env == "dev" else [
        ("K8S-REFERENCE-EXISTS", "Deployment/shop/api"), ("K8S-REFERENCE-EXISTS", "StatefulSet/shop/postgres"),
    ])
    assert all("made by External Secrets" in f["message"] for f in report["findings"] if f["waived"])
    assert report["environments"] == [env]
    assert report["summary"]["documents"] >= 2


def test_check_text_is_one_summary_line(trueup) -> None:
    result = trueup("check", "--env", "staging", cwd=REPO)
    assert result.code == 0
    assert result.lines == [
        "trueup.yaml: info: environment 'staging': no target of trueup.yaml compares it with live state; "
        "not compared [drift.not-compared] (staging)",
        "ok: 11 documents in 11 files, no findings (2 waived); 1 note; 11 validated against a schema; 76 rules run",
    ]
    assert trueup("check", "--env", "staging", "--quiet", cwd=REPO).out == ""


def test_render_prod_stream_holds_every_object(trueup) -> None:
    result = trueup("render", "--env", "prod", cwd=REPO)
    assert result.code == 0, result.err
    docs = [d for d in yaml.safe_load_all(result.out) if d]
    kinds = sorted(f"{d['kind']}/{d['metadata']['name']}" for d in docs if "kind" in d)
    assert kinds == [
        "ConfigMap/api-config", "Deployment/api", "Deployment/redis", "Deployment/web",
        "Namespace/shop", "Service/api", "Service/postgres", "Service/redis", "Service/web",
        "StatefulSet/postgres",
    ]
    api = next(d for d in docs if d.get("kind") == "Deployment" and d["metadata"]["name"] == "api")
    assert api["spec"]["replicas"] == 4
    assert "# Source: k8s/api-deployment.yaml" in result.out


def test_render_out_mirrors_template_tree(trueup, tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    result = trueup("render", "--env", "dev", "--out", out, cwd=REPO)
    assert result.code == 0, result.err
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["compose/compose.yaml", "config/app.yaml"]
    compose = yaml.safe_load((out / "compose/compose.yaml").read_text())
    assert sorted(compose["services"]) == ["api", "postgres", "redis", "web"]


def test_validate_is_clean_in_every_environment(trueup) -> None:
    result = trueup("validate", "--format", "json", cwd=REPO)
    report = result.json()
    assert result.code == 0
    assert report["environments"] == ENVIRONMENTS


def test_live_snapshot_validates_in_strict_mode(trueup) -> None:
    result = trueup("validate", "--strict", "--no-policy", "examples/live/prod/k8s", cwd=REPO)
    assert result.code == 0, result.out
    assert "no findings" in result.out
