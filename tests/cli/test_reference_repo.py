"""The reference platform shipped in this repository renders and validates clean everywhere."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import REPO

ENVIRONMENTS = ["dev", "staging", "prod"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_check_is_clean_in_every_environment(trueup, env: str, valid_report) -> None:
    result = trueup("check", "--env", env, "--format", "json", cwd=REPO)
    report = valid_report(result.out)
    assert result.code == 0, result.out + result.err
    assert report["findings"] == []
    assert report["environments"] == [env]
    assert report["summary"]["documents"] >= 2


def test_check_text_is_one_summary_line(trueup) -> None:
    result = trueup("check", "--env", "prod", cwd=REPO)
    assert result.code == 0
    assert result.lines == ["ok: 11 documents in 11 files, no findings"]
    assert trueup("check", "--env", "prod", "--quiet", cwd=REPO).out == ""


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


def test_validate_without_paths_renders_every_environment(trueup) -> None:
    result = trueup("validate", "--format", "json", cwd=REPO)
    report = result.json()
    assert result.code == 0
    assert report["environments"] == ENVIRONMENTS


def test_live_snapshot_validates_in_strict_mode(trueup) -> None:
    result = trueup("validate", "--strict", "examples/live/prod/k8s", cwd=REPO)
    assert result.code == 0, result.out
    assert "no findings" in result.out
