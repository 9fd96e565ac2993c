"""``validate FILE...`` (the pre-commit form): named files are one part of a repository.

Inside a git repository the rest of it is read for the cross-file rules alone, so a named file's
references resolve against every file git keeps and a broken one is reported; only the named files
are reported on. Outside a repository the named files are checked against each other, and no
finding is made from the absence of a file that was not read."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from manifests import CONFIGMAP, deployment

SERVICE = """\
---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: shop}}
spec:
  selector: {{app: {selects}}}
  ports: [{{port: 80}}]
"""


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "settings.yaml").write_text(CONFIGMAP)
    (tmp_path / "k8s" / "old.yaml").write_text(deployment("old", config="gone", image="nginx:latest"))
    (tmp_path / "k8s" / "api.yaml").write_text(deployment("api"))
    (tmp_path / ".gitignore").write_text("scratch/\n")
    _git(tmp_path, "add", ".")
    return tmp_path


def _found(result) -> set[tuple[str, str]]:
    return {(f["file"], f["rule"]) for f in result.json()["findings"]}


def test_a_reference_into_an_unnamed_tracked_file_resolves(trueup, repo: Path) -> None:
    result = trueup("validate", "--format", "json", "k8s/api.yaml", cwd=repo)
    assert ("k8s/api.yaml", "K8S-IMAGE-TAG") not in _found(result)
    assert ("k8s/api.yaml", "K8S-REFERENCE-EXISTS") not in _found(result)
    # old.yaml's broken reference and latest tag are not reported: it was not named.
    assert all(f["file"] == "k8s/api.yaml" for f in result.json()["findings"])
    assert result.json()["summary"]["files"] == 1


def test_a_broken_reference_in_a_named_file_is_reported_where_it_is(trueup, repo: Path) -> None:
    (repo / "k8s" / "api.yaml").write_text(deployment("api", config="missing"))
    result = trueup("validate", "--format", "json", "k8s/api.yaml", cwd=repo)
    assert ("k8s/api.yaml", "K8S-REFERENCE-EXISTS") in _found(result)
    assert {file for file, _ in _found(result)} == {"k8s/api.yaml"}
    message = next(f["message"] for f in result.json()["findings"] if f["rule"] == "K8S-REFERENCE-EXISTS")
    assert "missing" in message


def test_one_file_holding_a_service_and_the_deployment_it_misses(trueup, repo: Path) -> None:
    (repo / "k8s" / "web.yaml").write_text(deployment("web") + SERVICE.format(name="web", selects="wbe"))
    result = trueup("validate", "--format", "json", "k8s/web.yaml", cwd=repo)
    assert ("k8s/web.yaml", "K8S-SERVICE-MATCHES-PODS") in _found(result)
    # Selecting a Deployment of another tracked file is fine.
    (repo / "k8s" / "web.yaml").write_text(SERVICE.format(name="web", selects="api"))
    assert ("k8s/web.yaml", "K8S-SERVICE-MATCHES-PODS") not in _found(
        trueup("validate", "--format", "json", "k8s/web.yaml", cwd=repo))


def test_a_file_git_ignores_is_not_context(trueup, repo: Path) -> None:
    (repo / "k8s" / "api.yaml").write_text(deployment("api", config="local"))
    (repo / "scratch").mkdir()
    (repo / "scratch" / "local.yaml").write_text(CONFIGMAP.replace("settings", "local"))
    result = trueup("validate", "--format", "json", "k8s/api.yaml", cwd=repo)
    assert ("k8s/api.yaml", "K8S-REFERENCE-EXISTS") in _found(result)


def test_named_from_a_subdirectory(trueup, repo: Path) -> None:
    """The repository is found from the files named, wherever trueup runs in it."""
    result = trueup("validate", "--format", "json", "api.yaml", cwd=repo / "k8s")
    assert "K8S-REFERENCE-EXISTS" not in {r for _, r in _found(result)}
    (repo / "k8s" / "api.yaml").write_text(deployment("api", config="missing"))
    assert "K8S-REFERENCE-EXISTS" in {r for _, r in _found(trueup("validate", "--format", "json", "api.yaml",
                                                                    cwd=repo / "k8s"))}


def test_outside_a_repository_no_finding_comes_from_a_file_not_read(trueup, tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_text(deployment("web", config="elsewhere") + SERVICE.format(name="web", selects="wbe"))
    result = trueup("validate", "--format", "json", "web.yaml", cwd=tmp_path)
    rules = {r for _, r in _found(result)}
    # The ConfigMap and the pods may be in files not named: nothing is said of them...
    assert not rules & {"K8S-REFERENCE-EXISTS", "K8S-SERVICE-MATCHES-PODS"}
    # ...but the named file's objects are still checked against each other.
    (tmp_path / "web.yaml").write_text(deployment("web").replace("labels: {app: web}", "labels: {app: other}"))
    assert "K8S-SELECTOR-MATCHES-TEMPLATE" in {r for _, r in _found(
        trueup("validate", "--format", "json", "web.yaml", cwd=tmp_path))}
    # A whole directory named is a whole environment: the reference rules run.
    (tmp_path / "web.yaml").write_text(deployment("web", config="elsewhere"))
    assert ("web.yaml", "K8S-REFERENCE-EXISTS") in _found(trueup("validate", "--format", "json", ".", cwd=tmp_path))


def test_a_compose_dependency_in_a_file_not_named(trueup, tmp_path: Path) -> None:
    """compose.yaml alone names db, which compose.override.yaml defines: outside a repository the
    override was not read, so nothing is said; inside one it is read, and a real typo is reported."""
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx:1.27.3\n    restart: always\n    depends_on: [db]\n")
    (tmp_path / "compose.override.yaml").write_text("services:\n  db:\n    image: postgres:16.4\n    restart: always\n")
    assert "COMPOSE-DEPENDS-ON-EXISTS" not in {r for _, r in _found(
        trueup("validate", "--format", "json", "compose.yaml", cwd=tmp_path))}
    _git(tmp_path, "init", "-q", "-b", "main")
    assert "COMPOSE-DEPENDS-ON-EXISTS" not in {r for _, r in _found(
        trueup("validate", "--format", "json", "compose.yaml", cwd=tmp_path))}
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx:1.27.3\n    restart: always\n    depends_on: [dbb]\n")
    assert ("compose.yaml", "COMPOSE-DEPENDS-ON-EXISTS") in _found(
        trueup("validate", "--format", "json", "compose.yaml", cwd=tmp_path))
