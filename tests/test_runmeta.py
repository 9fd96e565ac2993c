"""Every record a run leaves (JSON, SARIF, JUnit, Markdown, HTML) says when it ran, with which trueup,
on which commit of which repository, and from which CI run; findings link to the file at that commit."""
from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from trueup.runmeta import RunMeta, collect, web_address

TOKEN = "ghp_s3cr3tT0kenValue0123456789abcdefABCD"
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:latest"}]
"""


@pytest.mark.parametrize("remote, expected", [
    ("git@github.com:acme/shop.git", "https://github.com/acme/shop"),
    ("ssh://git@gitlab.example.com:2222/platform/gitops.git", "https://gitlab.example.com/platform/gitops"),
    (f"https://x-access-token:{TOKEN}@github.com/acme/shop.git", "https://github.com/acme/shop"),
    ("https://github.example.com:8443/acme/shop", "https://github.example.com:8443/acme/shop"),
    ("/srv/git/shop.git", None),
    ("file:///srv/git/shop.git", None),
    ("https://github.com/acme/../etc", None),
    ("", None),
])
def test_a_remote_becomes_a_web_address_without_credentials(remote: str, expected: str | None) -> None:
    assert web_address(remote) == expected


def test_github_actions_variables(tmp_path: Path) -> None:
    env = {"GITHUB_ACTIONS": "true", "GITHUB_SHA": "a" * 40, "GITHUB_REF_NAME": "42/merge", "GITHUB_HEAD_REF": "fix-web",
           "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_RUN_ID": "123",
           "GITHUB_RUN_ATTEMPT": "2", "SOURCE_DATE_EPOCH": "1796558400"}
    run = collect(tmp_path, env)
    assert run.to_json() == {"started": "2026-12-06T12:00:00Z", "trueup": run.version, "commit": "a" * 40,
                             "branch": "fix-web", "repository": "https://github.com/acme/shop",
                             "ci_run": "https://github.com/acme/shop/actions/runs/123/attempts/2"}
    assert run.file_link("k8s/web.yaml", 9) == f"https://github.com/acme/shop/blob/{'a' * 40}/k8s/web.yaml#L9"
    assert run.file_link("../outside.yaml", 1) is None and run.file_link("/etc/passwd") is None


def test_gitlab_ci_variables(tmp_path: Path) -> None:
    env = {"GITLAB_CI": "true", "CI_COMMIT_SHA": "b" * 40, "CI_COMMIT_REF_NAME": "main",
           "CI_PROJECT_URL": "https://gitlab.com/acme/shop", "CI_PIPELINE_URL": "https://gitlab.com/acme/shop/-/pipelines/9"}
    run = collect(tmp_path, env)
    assert (run.commit, run.branch, run.ci_run) == ("b" * 40, "main", "https://gitlab.com/acme/shop/-/pipelines/9")
    assert run.file_link("a.yaml", 2) == f"https://gitlab.com/acme/shop/-/blob/{'b' * 40}/a.yaml#L2"
    assert run.commit_link() == f"https://gitlab.com/acme/shop/-/commit/{'b' * 40}"


@pytest.mark.parametrize("epoch", ["99999999999999999999", "\u00b2", "-5", "1e9", ""])
def test_a_source_date_epoch_that_is_no_time_reads_the_clock(tmp_path: Path, epoch: str) -> None:
    import re

    started = collect(tmp_path, {"SOURCE_DATE_EPOCH": epoch}).started
    assert re.fullmatch(r"20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z", started), started


def test_outside_a_repository_only_the_time_and_version(tmp_path: Path) -> None:
    run = collect(tmp_path, {"SOURCE_DATE_EPOCH": "0"})
    assert run == RunMeta("1970-01-01T00:00:00Z") and run.file_link("a.yaml") is None


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    _git(tmp_path, "init", "-q", "-b", "release")
    _git(tmp_path, "remote", "add", "origin", f"https://ci:{TOKEN}@github.com/acme/shop.git")
    (tmp_path / "deploy" / "k8s").mkdir(parents=True)
    (tmp_path / "deploy" / "trueup.yaml").write_text("version: 1\n")
    (tmp_path / "deploy" / "k8s" / "web.yaml").write_text(DEPLOYMENT)
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.email=a@b.c", "-c", "user.name=A", "commit", "-qm", "web")
    return tmp_path / "deploy", _git(tmp_path, "rev-parse", "HEAD")


def test_every_record_says_when_and_on_what_and_never_the_token(trueup, repo, valid_report) -> None:
    root, sha = repo
    outputs = {fmt: trueup("validate", "--format", fmt, "k8s", cwd=root) for fmt in
               ("json", "sarif", "junit", "markdown", "html")}
    assert all(result.code == 1 for result in outputs.values())
    for result in outputs.values():
        assert TOKEN not in result.out + result.err and "ci:" not in result.out
    report = valid_report(outputs["json"].out)
    assert report["run"] == {"started": "2026-12-06T12:00:00Z", "trueup": report["version"], "commit": sha,
                             "branch": "release", "repository": "https://github.com/acme/shop", "ci_run": None}
    link = f"https://github.com/acme/shop/blob/{sha}/deploy/k8s/web.yaml#L9"
    markdown = outputs["markdown"].out
    assert (f"<sub>Ran 2026-12-06 12:00 UTC with trueup {report['version']} on "
            f"[`{sha[:12]}`](https://github.com/acme/shop/commit/{sha}) (`release`)</sub>") in markdown
    assert f"[`k8s/web.yaml:9`]({link})" in markdown
    html = outputs["html"].out
    assert '<time datetime="2026-12-06T12:00:00Z">2026-12-06 12:00 UTC</time>' in html
    assert f'<a href="{link}"><code>k8s/web.yaml:9</code></a>' in html
    sarif = json.loads(outputs["sarif"].out)["runs"][0]
    assert sarif["versionControlProvenance"] == [{"repositoryUri": "https://github.com/acme/shop", "revisionId": sha,
                                                  "branch": "release"}]
    assert sarif["invocations"][0]["startTimeUtc"] == "2026-12-06T12:00:00Z"
    suite = ET.fromstring(outputs["junit"].out)[0]
    assert suite.get("timestamp") == "2026-12-06T12:00:00"
    assert {p.get("name"): p.get("value") for p in suite.find("properties")}["trueup.commit"] == sha


def test_the_ci_run_is_linked_in_github_actions(trueup, repo, monkeypatch) -> None:
    root, sha = repo
    for name, value in {"GITHUB_ACTIONS": "true", "GITHUB_SHA": sha, "GITHUB_REF_NAME": "release",
                        "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/shop",
                        "GITHUB_RUN_ID": "777", "GITHUB_RUN_ATTEMPT": "1"}.items():
        monkeypatch.setenv(name, value)
    html = trueup("validate", "--format", "html", "k8s", cwd=root).out
    assert '<a href="https://github.com/acme/shop/actions/runs/777">CI run</a>' in html
    report = json.loads(trueup("validate", "--format", "json", "k8s", cwd=root).out)
    assert report["run"]["ci_run"] == "https://github.com/acme/shop/actions/runs/777"


def test_text_output_does_not_ask_git(trueup, repo, monkeypatch) -> None:
    """The pre-commit form stays quick: the text format is no record and collects nothing."""
    root, _ = repo
    monkeypatch.setenv("PATH", "/nonexistent")  # no git on the way: a text run must not need it
    result = trueup("validate", "k8s", cwd=root)
    assert result.code == 1 and "Ran " not in result.out
