"""A compose file is judged with its project's ``.env`` (the file beside it, as compose reads it):
named alone (the pre-commit form), walked, or rendered; never through a link out of its directory."""
from __future__ import annotations

import os
from pathlib import Path

COMPOSE = 'services:\n  web:\n    image: "nginx:${TAG}"\n    restart: always\n'


def _rules(result) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in result.json()["findings"]:
        out.setdefault(f["rule"], []).append(f["message"])
    return out


def test_a_named_compose_file_reads_the_env_beside_it(trueup, tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    (tmp_path / ".env").write_text("TAG=latest\n")
    rules = _rules(trueup("validate", "--format", "json", "compose.yaml", cwd=tmp_path))
    assert "COMPOSE-VARIABLE-DEFINED" not in rules  # TAG is defined: the .env was read, though not named
    assert rules["COMPOSE-IMAGE-TAG"] == [
        'service web: image "nginx:${TAG}" (compose resolves it to "nginx:latest") is not pinned to a version or digest']
    (tmp_path / ".env").write_text("TAG=1.27.3\n")
    rules = _rules(trueup("validate", "--format", "json", "compose.yaml", cwd=tmp_path))
    assert "COMPOSE-IMAGE-TAG" not in rules  # the cached result of the first run is not reused


def test_no_env_file_leaves_the_reference_alone(trueup, tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    rules = _rules(trueup("validate", "--format", "json", "compose.yaml", cwd=tmp_path))
    assert "COMPOSE-IMAGE-TAG" not in rules
    assert rules["COMPOSE-VARIABLE-DEFINED"] == ["${TAG} is defined in no .env of the project and has no default"]


def test_an_env_file_linked_from_outside_is_not_read(trueup, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secrets.env").write_text("TAG=latest\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "compose.yaml").write_text(COMPOSE)
    os.symlink(outside / "secrets.env", project / ".env")
    rules = _rules(trueup("validate", "--format", "json", "compose.yaml", cwd=project))
    assert "COMPOSE-IMAGE-TAG" not in rules


def test_a_rendered_compose_file_reads_the_rendered_env(trueup, tmp_path: Path) -> None:
    (tmp_path / "trueup.yaml").write_text("version: 1\nenvironments:\n  prod: {values: [values/prod.yaml]}\n")
    (tmp_path / "values").mkdir()
    (tmp_path / "values" / "prod.yaml").write_text("tag: latest\n")
    (tmp_path / "templates" / "stack").mkdir(parents=True)
    (tmp_path / "templates" / "stack" / "compose.yaml").write_text(COMPOSE)
    (tmp_path / "templates" / "stack" / ".env.j2").write_text("TAG={{ tag }}\n")
    result = trueup("validate", "--format", "json", cwd=tmp_path)
    assert result.code == 1, result.out + result.err
    assert _rules(result)["COMPOSE-IMAGE-TAG"] == [
        'service web: image "nginx:${TAG}" (compose resolves it to "nginx:latest") is not pinned to a version or digest']
