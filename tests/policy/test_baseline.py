"""Baselines end to end: new vs known findings, line moves, expiry, lifetime, updates."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

CONFIG = """\
version: 1
environments:
  prod:
    values: [values.yaml]
policy:
  packs: [kubernetes]
  disable: [K8S-RECOMMENDED-LABELS, K8S-SECCOMP, K8S-DEFAULT-NAMESPACE, K8S-CPU-LIMIT, K8S-LIVENESS-PROBE,
            K8S-READINESS-PROBE]
baselines:
  max_days: 30
"""
POD = """\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
    - name: web
      image: nginx:{{ tag }}
      resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}
      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
"""


@pytest.fixture
def repo(write, tmp_path: Path) -> Path:
    write("trueup.yaml", CONFIG)
    write("values.yaml", "tag: latest\n")
    write("templates/pod.yaml.j2", POD)
    return tmp_path


def _entries(repo: Path) -> list[dict]:
    return yaml.safe_load((repo / "baselines/accepted.yaml").read_text())["entries"]


def _unwaived(result) -> list[str]:
    return [f["rule"] for f in result.json()["findings"] if not f["waived"] and f["rule"] != "drift.not-compared"]


def test_known_findings_pass_new_ones_fail(trueup, repo: Path, write) -> None:
    assert trueup("check", "--format", "json", cwd=repo).code == 1
    made = trueup("baseline", "update", "--owner", "sre@example.com", "--reason", "rollout pending", cwd=repo)
    assert made.code == 0
    assert made.out == "baseline baselines/accepted.yaml: 1 entries (1 new, 0 kept, 0 resolved)\n"
    [entry] = _entries(repo)
    assert (entry["rule"], entry["target"], entry["path"], entry["owner"]) == (
        "K8S-IMAGE-TAG", "Pod/shop/web", "/spec/containers/0/image", "sre@example.com")
    assert entry["expires"] == (dt.date.today() + dt.timedelta(days=30)).isoformat()
    known = trueup("check", "--baseline", "--format", "json", cwd=repo)
    assert known.code == 0
    assert "(baselined: rollout pending; sre@example.com; until" in known.json()["findings"][0]["message"]
    write("templates/pod.yaml.j2", POD.replace("securityContext: {allowPrivilegeEscalation: false,", "securityContext: {privileged: true, allowPrivilegeEscalation: false,"))
    new = trueup("check", "--baseline", "--format", "json", cwd=repo)
    assert new.code == 1
    assert _unwaived(new) == ["K8S-PRIVILEGED"]


def test_line_moves_keep_the_fingerprint(trueup, repo: Path, write) -> None:
    trueup("baseline", "update", "--owner", "sre@example.com", cwd=repo)
    write("templates/pod.yaml.j2", "# moved down by a new comment block\n#\n#\n" + POD)
    result = trueup("check", "--baseline", "--format", "json", cwd=repo)
    assert result.code == 0
    assert result.json()["findings"][0]["line"] == 11


def test_expired_entry_fails_and_is_named(trueup, repo: Path) -> None:
    trueup("baseline", "update", "--owner", "sre@example.com", cwd=repo)
    path = repo / "baselines/accepted.yaml"
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    text = path.read_text()
    path.write_text(text.replace(_entries(repo)[0]["expires"], yesterday))
    result = trueup("check", "--baseline", cwd=repo)
    assert result.code == 1
    lines = result.lines
    assert any(l.startswith("baselines/accepted.yaml:5: high: baseline entry for K8S-IMAGE-TAG at "
                            f"/spec/containers/0/image expired on {yesterday} (owner sre@example.com)") for l in lines), lines
    assert any("[K8S-IMAGE-TAG]" in l for l in lines)


def test_entry_beyond_the_lifetime_limit_fails(trueup, repo: Path) -> None:
    trueup("baseline", "update", "--owner", "sre@example.com", cwd=repo)
    path = repo / "baselines/accepted.yaml"
    path.write_text(path.read_text().replace(_entries(repo)[0]["expires"], "2099-01-01"))
    result = trueup("check", "--baseline", "--format", "json", cwd=repo)
    assert result.code == 1
    assert sorted(_unwaived(result)) == ["K8S-IMAGE-TAG", "baseline.expired"]
    assert "beyond the 30-day limit" in next(f["message"] for f in result.json()["findings"] if f["rule"] == "baseline.expired")


def test_update_keeps_known_entries_and_drops_resolved(trueup, repo: Path, write) -> None:
    trueup("baseline", "update", "--owner", "first@example.com", "--reason", "first reason", cwd=repo)
    write("templates/pod.yaml.j2", POD.replace("image: nginx:{{ tag }}", "image: nginx:{{ tag }}\n      ports: [{containerPort: 80}]")
          .replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"))
    second = trueup("baseline", "update", "--owner", "second@example.com", "--reason", "second", "--ticket", "OPS-7", cwd=repo)
    assert second.out == "baseline baselines/accepted.yaml: 2 entries (1 new, 1 kept, 0 resolved)\n"
    by_rule = {e["rule"]: e for e in _entries(repo)}
    assert (by_rule["K8S-IMAGE-TAG"]["owner"], by_rule["K8S-IMAGE-TAG"]["reason"]) == ("first@example.com", "first reason")
    assert (by_rule["K8S-READONLY-ROOT-FS"]["owner"], by_rule["K8S-READONLY-ROOT-FS"]["ticket"]) == ("second@example.com", "OPS-7")
    write("values.yaml", "tag: '1.27.1'\n")
    third = trueup("baseline", "update", "--owner", "x@example.com", cwd=repo)
    assert third.out == "baseline baselines/accepted.yaml: 1 entries (0 new, 1 kept, 1 resolved)\n"


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--expires", "2020-01-01"], "--expires must be after today and at most 30 days away"),
        (["--expires", "soon"], "--expires must be a date (YYYY-MM-DD)"),
    ],
)
def test_bad_update_options(trueup, repo: Path, args: list[str], fragment: str) -> None:
    result = trueup("baseline", "update", "--owner", "x@example.com", *args, cwd=repo)
    assert result.code == 2
    assert fragment in result.err


def test_owner_is_needed_outside_git(trueup, repo: Path) -> None:
    result = trueup("baseline", "update", cwd=repo)
    assert result.code == 2
    assert result.err == "trueup: give --owner (no git user.email to default to)\n"


def test_broken_baseline_file_is_a_config_error(trueup, repo: Path, write) -> None:
    write("baselines/accepted.yaml", "version: 1\nentries:\n  - rule: K8S-IMAGE-TAG\n    target: x\n")
    result = trueup("check", "--baseline", cwd=repo)
    assert result.code == 2
    assert result.err.startswith("trueup: baselines/accepted.yaml:3: baseline: entry 1 needs fingerprint, path, reason")


def test_update_refuses_a_baselines_directory_planted_as_a_symlink(trueup, repo: Path, tmp_path_factory) -> None:
    import os

    outside = tmp_path_factory.mktemp("outside")
    os.symlink(outside, repo / "baselines")
    result = trueup("baseline", "update", "--owner", "x@example.com", "--reason", "r", cwd=repo)
    assert (result.code, result.err) == (2, "trueup: baselines: cannot write: a symlink; refused, not followed\n")
    assert list(outside.iterdir()) == []


def test_the_baseline_applies_wherever_it_exists_and_no_baseline_shows_everything(trueup, repo: Path) -> None:
    """As the hooks, the action and the workflows run trueup: no flag needed; `--no-baseline` to see all."""
    before = trueup("check", "--env", "prod", "--format", "json", cwd=repo)
    assert before.code == 1 and "K8S-IMAGE-TAG" in _unwaived(before)
    trueup("baseline", "update", "--owner", "sre@example.com", "--reason", "rollout pending", cwd=repo)
    by_default = trueup("check", "--env", "prod", "--format", "json", cwd=repo)
    assert (by_default.code, _unwaived(by_default)) == (0, [])
    assert {f["rule"] for f in by_default.json()["findings"] if f["waived"]} >= {"K8S-IMAGE-TAG"}
    everything = trueup("check", "--env", "prod", "--no-baseline", "--format", "json", cwd=repo)
    assert everything.code == 1 and "K8S-IMAGE-TAG" in _unwaived(everything)
    hook = trueup("validate", "--quiet", "--skip-excluded", "--env", "prod", cwd=repo)
    assert (hook.code, hook.out) == (0, "")
