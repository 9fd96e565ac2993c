"""One `trueup check` with a finding of every kind (schema, policy, drift, input.parse), through
every reporter: SARIF 2.1.0-valid with each kind present, and no secret anywhere, in any format,
in GitHub Actions mode (annotations and job summary) too.
"""
from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from .test_sarif import valid_sarif
from trueup.report import FORMATS

DESIRED_PASSWORD, LIVE_PASSWORD = "Hunter2-SuperSecret!", "Live-Other-Secret-99"
SECRETS = [DESIRED_PASSWORD, LIVE_PASSWORD, *(base64.b64encode(s.encode()).decode() for s in
                                              (DESIRED_PASSWORD, LIVE_PASSWORD))]

FILES = {
    "trueup.yaml": """\
        version: 1
        templates: templates
        environments:
          prod:
            values: [values/prod.yaml]
        targets:
          - name: kubernetes
            kind: kubernetes
            desired: "k8s/**/*.yaml"
            live: "live/{env}/k8s"
          - name: app
            kind: config
            desired: "config/app.yaml"
            live: "live/{env}/app.yaml"
        kubernetes:
          version: "1.33"
        """,
    "values/prod.yaml": f'replicas: "three"\ndb_password: "{DESIRED_PASSWORD}"\nport: 8080\n',
    "templates/k8s/deployment.yaml.j2": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
        spec:
          replicas: {{ replicas }}
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - name: web
                  image: nginx:latest
        """,
    "templates/k8s/secret.yaml.j2": """\
        apiVersion: v1
        kind: Secret
        metadata:
          name: db
          namespace: shop
        stringData:
          password: "{{ db_password }}"
        """,
    "templates/config/app.yaml.j2": "server:\n  port: {{ port }}\n",
    "live/prod/k8s/deployment.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
        spec:
          replicas: 5
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - name: web
                  image: nginx:latest
        """,
    "live/prod/k8s/secret.yaml": f"""\
        apiVersion: v1
        kind: Secret
        metadata:
          name: db
          namespace: shop
        stringData:
          password: "{LIVE_PASSWORD}"
        """,
    "live/prod/app.yaml": "server:\n  port: [8080\n",  # unparsable: input.parse (high), exit 1
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    import textwrap

    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def test_sarif_of_a_run_with_every_kind_of_finding_is_valid(trueup, repo: Path) -> None:
    result = trueup("check", "--format", "sarif", cwd=repo)
    assert result.code == 1, result.err  # the unparsable live file is a finding; the rest is compared
    run = valid_sarif(result.out)["runs"][0]
    rules = {r["ruleId"] for r in run["results"]}
    assert {"schema", "K8S-IMAGE-TAG", "drift.changed", "input.parse"} <= rules
    parse = next(r for r in run["results"] if r["ruleId"] == "input.parse")
    assert parse["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "live/prod/app.yaml"
    assert parse["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    assert run["invocations"][0] == {"executionSuccessful": True, "exitCode": 1, "startTimeUtc": "2026-12-06T12:00:00Z"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_in_any_format(trueup, repo: Path, fmt: str) -> None:
    result = trueup("check", "--verbose", "--format", fmt, cwd=repo)
    assert result.code == 1, result.err
    everything = result.out + result.err
    assert "password" in everything or fmt == "sarif" and "Secret/shop/db" in everything
    for secret in SECRETS:
        assert secret not in everything, (fmt, secret)


def test_no_secret_in_github_actions_annotations_or_summary(trueup, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = repo / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = trueup("check", "--verbose", cwd=repo)
    assert result.code == 1
    annotations = [line for line in result.lines if line.startswith("::")]
    assert any(a.startswith("::error file=live/prod/app.yaml,line=") and "title=input.parse::" in a for a in annotations)
    assert any("title=drift.changed::password differs" in a for a in annotations)
    written = summary.read_text()
    assert "failing" in written.splitlines()[0]
    for secret in SECRETS:
        assert secret not in result.out + result.err + written


def test_a_merged_report_keeps_the_masks(trueup, repo: Path) -> None:
    trueup("check", "--format", "json", "--output", "r.json", cwd=repo)
    assert "Secret/shop/db" in (repo / "r.json").read_text()
    for fmt in FORMATS:
        merged = trueup("report", "merge", "r.json", "--format", fmt, cwd=repo)
        assert merged.code == 1, (fmt, merged.err)
        for secret in SECRETS:
            assert secret not in merged.out + merged.err, (fmt, secret)
    assert json.loads((repo / "r.json").read_text())["summary"]["exit_code"] == 1
