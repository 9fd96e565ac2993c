"""trueup.yaml: found upwards, validated against the shipped schema, errors at the key's line."""
from __future__ import annotations

from pathlib import Path

import pytest

MINIMAL = """\
version: 1
templates: templates
environments:
  prod:
    values: [values.yaml]
"""


def _repo(write, config: str = MINIMAL) -> None:
    write("trueup.yaml", config)
    write("values.yaml", "name: api\nreplicas: 2\n")
    write("templates/app.yaml.j2", "name: {{ name }}\nreplicas: {{ replicas }}\n")


def test_config_is_found_from_a_subdirectory(trueup, write, tmp_path: Path) -> None:
    _repo(write)
    sub = tmp_path / "deep" / "er"
    sub.mkdir(parents=True)
    result = trueup("render", "--env", "prod", cwd=sub)
    assert result.code == 0, result.err
    assert result.out == "# Source: app.yaml\nname: api\nreplicas: 2\n"


def test_config_given_with_flag(trueup, write, tmp_path: Path) -> None:
    _repo(write)
    elsewhere = tmp_path.parent
    result = trueup("render", "--config", tmp_path / "trueup.yaml", "--env", "prod", cwd=elsewhere)
    assert result.code == 0, result.err
    assert "replicas: 2" in result.out


@pytest.mark.parametrize(
    "config, where, fragment",
    [
        (MINIMAL + "colour: blue\n", "trueup.yaml:6:1:", "colour: unknown field 'colour'"),
        (MINIMAL.replace("[values.yaml]", "values.yaml"), "trueup.yaml:5:5:", "environments.prod.values: expected array, got string"),
        (MINIMAL + "targets:\n  - name: k8s\n    kind: helm\n    desired: x\n", "trueup.yaml:8:5:", "targets.0.kind: must be one of 'kubernetes', 'compose', 'config'"),
        (MINIMAL + "targets:\n  - kind: config\n    desired: x\n", "trueup.yaml:7:5:", "targets.0: required field 'name' is missing"),
        (MINIMAL + "kubernetes:\n  version: latest\n", "trueup.yaml:7:3:", "kubernetes.version: does not match the pattern"),
        ("version: 1\n  templates: x\n", "trueup.yaml:2:12:", "invalid YAML"),
        ("- a\n- b\n", "trueup.yaml:1:1:", "must be a mapping"),
        (MINIMAL + "version: 1\n", "trueup.yaml:6:1:", "duplicate key 'version'"),
        (MINIMAL + "secrets:\n  keys: ['(?:[']\n", "trueup.yaml:7:10:", "secrets.keys.0: is not a valid regex"),
    ],
)
def test_bad_config_names_key_and_line(trueup, write, tmp_path: Path, config: str, where: str, fragment: str) -> None:
    _repo(write, config)
    result = trueup("check", "--env", "prod", cwd=tmp_path)
    assert result.code == 2
    assert result.out == ""
    line = result.err.strip()
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith(f"trueup: {where}"), line
    assert fragment in line


def test_unknown_environment(trueup, write, tmp_path: Path) -> None:
    _repo(write)
    result = trueup("check", "--env", "qa", cwd=tmp_path)
    assert result.code == 2
    assert result.err == "trueup: trueup.yaml: unknown environment 'qa' (known: prod)\n"


def test_missing_values_file(trueup, write, tmp_path: Path) -> None:
    _repo(write, MINIMAL.replace("[values.yaml]", "[values.yaml, values-prod.yaml]"))
    result = trueup("check", "--env", "prod", cwd=tmp_path)
    assert result.code == 2
    assert result.err == "trueup: values-prod.yaml: values file not found\n"


def test_no_config_where_one_is_needed(trueup, tmp_path: Path) -> None:
    result = trueup("check", cwd=tmp_path)
    assert result.code == 2
    assert "no trueup.yaml here or in any parent directory" in result.err


def test_fail_on_from_config_and_flag(trueup, write, tmp_path: Path) -> None:
    _repo(write, MINIMAL + "fail_on: never\nschemas:\n  - files: app.yaml\n    schema: app.schema.json\n")
    write("app.schema.json", '{"properties": {"replicas": {"type": "string"}}}')
    assert trueup("check", "--env", "prod", cwd=tmp_path).code == 0
    assert trueup("check", "--env", "prod", "--fail-on", "high", cwd=tmp_path).code == 1
    assert trueup("check", "--env", "prod", "--fail-on", "critical", cwd=tmp_path).code == 0
    bad = trueup("check", "--env", "prod", "--fail-on", "severe", cwd=tmp_path)
    assert bad.code == 2
    assert "unknown severity 'severe'" in bad.err


def test_json_format_reports_a_run_that_could_not_start(trueup, write, tmp_path: Path, valid_report) -> None:
    _repo(write, MINIMAL + "colour: blue\n")
    result = trueup("check", "--env", "prod", "--format", "json", cwd=tmp_path)
    assert result.code == 2
    report = valid_report(result.out)
    assert report["findings"] == []
    assert report["summary"]["exit_code"] == 2
    assert report["error"] == {"message": "colour: unknown field 'colour'", "file": "trueup.yaml", "line": 6, "column": 1}
    assert result.err == "trueup: trueup.yaml:6:1: colour: unknown field 'colour'\n"


@pytest.mark.parametrize(
    "schema, fragment",
    [
        ('{"$ref": "https://example.com/app.json"}', "cannot resolve $ref 'https://example.com/app.json': nothing is downloaded"),
        ('{"$ref": "other.json#/nope"}', "cannot resolve $ref"),
        ('{"type": "objekt"}', "invalid JSON Schema at type"),
        ('{"type": "object",', "schema is not valid JSON"),
        (None, "schema file not found"),
    ],
)
def test_bad_user_schema_is_one_line(trueup, write, tmp_path: Path, schema, fragment: str) -> None:
    write("app.yaml", "a: 1\n")
    write("other.json", '{"type": "object"}')
    if schema is not None:
        write("app.schema.json", schema)
    result = trueup("validate", "--schema", "app.schema.json", "app.yaml", cwd=tmp_path)
    assert result.code == 2
    assert result.err.startswith("trueup: app.schema.json")
    assert fragment in result.err
    assert len(result.err.splitlines()) == 1 and "Traceback" not in result.err


def test_user_schema_with_local_ref(trueup, write, tmp_path: Path) -> None:
    write("schemas/app.json", '{"properties": {"db": {"$ref": "db.json"}}}')
    write("schemas/db.json", '{"type": "object", "properties": {"port": {"type": "integer"}}}')
    write("app.yaml", "db:\n  port: five\n")
    result = trueup("validate", "--schema", "schemas/app.json", "app.yaml", cwd=tmp_path)
    assert result.code == 1
    assert result.lines[0] == "app.yaml:2:3: high: expected integer, got string [schema] at /db/port (value \"five\")"


def test_target_kind_overrides_detection(trueup, write, tmp_path: Path) -> None:
    _repo(write, MINIMAL + "targets:\n  - name: settings\n    kind: config\n    desired: 'settings/*.yaml'\n")
    body = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: 80}\n"
    write("templates/settings/looks-like-k8s.yaml", body)
    write("templates/k8s/svc.yaml", body)
    result = trueup("check", "--env", "prod", "--no-policy", "--format", "json", cwd=tmp_path)
    assert [(f["file"], f["path"]) for f in result.json()["findings"] if f["rule"] != "drift.not-compared"] == [
        ("templates/k8s/svc.yaml", "/spec/ports")]


def test_schema_outside_the_repository_keeps_file_names(trueup, write, tmp_path: Path) -> None:
    _repo(write)
    write("elsewhere/schemas/app.json", '{"properties": {"replicas": {"$ref": "types.json#/count"}}}')
    write("elsewhere/schemas/types.json", '{"count": {"type": "string"}}')
    repo_file = tmp_path / "values.yaml"
    result = trueup("validate", "--schema", tmp_path / "elsewhere/schemas/app.json", repo_file, cwd=tmp_path)
    assert result.code == 1
    assert result.lines[0] == 'values.yaml:2:1: high: expected string, got integer [schema] at /replicas (value 2)'


def test_config_schema_paths_must_be_relative(trueup, write, tmp_path: Path) -> None:
    _repo(write, MINIMAL + "schemas:\n  - files: '*.yaml'\n    schema: /etc/passwd\n")
    result = trueup("check", "--env", "prod", cwd=tmp_path)
    assert result.code == 2
    assert result.err.startswith("trueup: trueup.yaml:8:5: schemas.0.schema: does not match the pattern")


def test_an_unknown_policy_profile_is_one_line_and_exit_2(trueup, write, tmp_path) -> None:
    write("trueup.yaml", "version: 1\npolicy: {profile: loose}\n")
    write("x.yaml", "a: 1\n")
    result = trueup("validate", "x.yaml", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == "trueup: trueup.yaml:2:10: policy.profile: must be one of 'minimal', 'standard', 'strict'\n"
