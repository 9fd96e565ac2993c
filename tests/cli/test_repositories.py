"""Real-repository shapes, read whole: ``trueup validate .`` over fixture repositories of our own
(tests/example-files/repos/<name>), each copied into a fresh git work tree as a user's checkout.

Each repository holds one class of what real trees hold: Helm charts beside plain manifests,
templates outside charts, JSONC editor and compiler configs, kustomize bases/overlays/components
with patches and generators, CRDs with custom resources good and bad, typos and removed APIs,
and a tree of custom resources only. The exact findings (file, line, rule, severity, pointer),
the exit code and what the summary says was checked are in
tests/example-files/repos-expected/<name>.yaml; regenerate after a deliberate change with
``TRUEUP_UPDATE_GOLDEN=1 pytest tests/cli/test_repositories.py`` and read the diff.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES

REPOS = EXAMPLES / "repos"
EXPECTED = EXAMPLES / "repos-expected"
NAMES = sorted(p.name for p in REPOS.iterdir() if p.is_dir())
# The typos repository's workloads are minimal: their policy findings would hide what it is about.
ARGS = {"typos": ["--no-policy"]}


def checkout(name: str, tmp_path: Path) -> Path:
    """The fixture repository as a git work tree with everything committed."""
    repo = tmp_path / name
    shutil.copytree(REPOS / name, repo)
    if (repo / "gitignore").exists():  # kept without its dot here, or trueup's own git would obey it
        (repo / "gitignore").rename(repo / ".gitignore")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-q", "-m", "fixture"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    return repo


def outcome(result) -> dict:
    report = result.json()
    summary = report["summary"]
    return {
        "exit_code": result.code,
        "findings": [[f["file"], f["line"], f["rule"], f["severity"], f["path"], f["target"]]
                     for f in report["findings"]],
        "skipped": summary["skipped"],
        "skipped_kinds": summary["skipped_kinds"],
    }


@pytest.mark.parametrize("name", NAMES)
def test_validate_reads_the_repository_as_a_user_expects(trueup, tmp_path: Path, name: str, valid_report) -> None:
    repo = checkout(name, tmp_path)
    result = trueup("validate", "--no-cache", "--format", "json", *ARGS.get(name, []), ".", cwd=repo)
    valid_report(result.out)
    got = outcome(result)
    path = EXPECTED / f"{name}.yaml"
    if os.environ.get("TRUEUP_UPDATE_GOLDEN"):
        path.write_text(yaml.safe_dump(got, sort_keys=False, width=160, default_flow_style=None), encoding="utf-8")
    assert got == yaml.safe_load(path.read_text(encoding="utf-8"))
    assert not [f for f in got["findings"] if f[2] == "input.parse" and "templates/" in f[0]]


def test_the_text_summary_says_what_was_checked_and_verbose_lists_it(trueup, tmp_path: Path) -> None:
    repo = checkout("helm", tmp_path)
    plain = trueup("validate", "--no-cache", ".", cwd=repo)
    assert plain.lines[-1] == (
        "failed: 2 findings (2 high) in 1 file; 9 documents in 9 files; 3 validated against a schema, "
        "6 documents had no schema (kinds: config file); 76 rules run; 6 Helm template files of 3 charts "
        "(charts/bad, charts/web, charts/web/charts/db) not read as data")
    verbose = trueup("validate", "--no-cache", "--verbose", ".", cwd=repo).lines
    listed = verbose[verbose.index("Helm chart charts/bad: 1 template file not read as data"):-1]
    assert listed == [
        "Helm chart charts/bad: 1 template file not read as data", "  charts/bad/templates/configmap.yaml",
        "Helm chart charts/web: 4 template files not read as data", "  charts/web/templates/_helpers.tpl",
        "  charts/web/templates/deployment.yaml", "  charts/web/templates/service.yaml",
        "  charts/web/templates/tests/test-connection.yaml",
        "Helm chart charts/web/charts/db: 1 template file not read as data",
        "  charts/web/charts/db/templates/statefulset.yaml",
    ]
    assert "no schema: charts/web/Chart.yaml (charts/web/Chart.yaml)" in verbose


def test_custom_resources_only_is_not_a_bare_ok(trueup, tmp_path: Path) -> None:
    repo = checkout("cr-only", tmp_path)
    result = trueup("validate", "--no-cache", ".", cwd=repo)
    assert (result.code, result.lines) == (0, [
        "ok: 2 documents in 2 files, no findings; 0 validated against a schema, 2 documents had no schema "
        "(kinds: Application, Certificate); 76 rules run"])
    strict = trueup("validate", "--no-cache", "--format", "json", ".", cwd=repo)
    assert strict.json()["summary"]["skipped_kinds"] == {"Application": 1, "Certificate": 1}


def test_named_chart_templates_are_templates_too(trueup, tmp_path: Path) -> None:
    """pre-commit names every changed file: a chart's template is still not read as YAML."""
    repo = checkout("helm", tmp_path)
    result = trueup("validate", "--no-cache", "--format", "json", "charts/web/templates/deployment.yaml",
                    "charts/web/values.yaml", "k8s/namespace.yaml", cwd=repo)
    assert result.code == 0 and result.json()["findings"] == []
    assert result.json()["summary"]["files"] == 2


def test_crds_named_in_trueup_yaml_validate_custom_resources(trueup, tmp_path: Path) -> None:
    repo = checkout("crds", tmp_path)
    shutil.move(repo / "crds", tmp_path / "shared-crds")
    nothing = trueup("validate", "--no-cache", "--format", "json", "apps", cwd=repo)
    assert (nothing.code, nothing.json()["summary"]["skipped_kinds"]) == (0, {"Backup": 4, "ServiceMonitor": 1})
    (repo / "trueup.yaml").write_text("version: 1\nkubernetes:\n  crds: [../shared-crds]\n", encoding="utf-8")
    result = trueup("validate", "--no-cache", "--format", "json", "apps", cwd=repo)
    assert [(f["line"], f["path"]) for f in result.json()["findings"]] == [
        (23, "/spec/retentionDays"), (26, "/spec/target/region"), (33, "/spec"), (34, "/spec/retentionDays"), (51, "/spec")]
    (repo / "trueup.yaml").write_text("version: 1\nkubernetes:\n  crds: [missing/]\n", encoding="utf-8")
    missing = trueup("validate", "apps", cwd=repo)
    assert missing.code == 2 and missing.err == "trueup: missing/: kubernetes.crds: no such file or directory\n"


def test_schema_locations_laid_out_as_kubeconform_reads_them(trueup, tmp_path: Path) -> None:
    """A CRD catalog checkout (datreeio/CRDs-catalog's layout) validates custom resources offline."""
    repo = checkout("cr-only", tmp_path)
    catalog = tmp_path / "catalog" / "cert-manager.io"
    catalog.mkdir(parents=True)
    (catalog / "certificate_v1.json").write_text(
        '{"type": "object", "properties": {"spec": {"type": "object", "required": ["secretName", "issuerRef"],'
        ' "properties": {"secretName": {"type": "string"}, "dnsNames": {"type": "array", "items": {"type": "string"}},'
        ' "issuerRef": {"type": "object"}, "duration": {"type": "string"}}, "additionalProperties": false}}}',
        encoding="utf-8")
    (repo / "trueup.yaml").write_text(
        "version: 1\nkubernetes:\n  schema_locations: ['../catalog/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json']\n",
        encoding="utf-8")
    clean = trueup("validate", "--no-cache", "--format", "json", ".", cwd=repo)
    assert clean.json()["findings"] == [] and clean.json()["summary"]["skipped_kinds"] == {
        "Application": 1, "config file": 1}
    cert = repo / "certificate.yaml"
    cert.write_text(cert.read_text().replace("dnsNames:", "dnsNamez:"))
    bad = trueup("validate", "--no-cache", "--format", "json", ".", cwd=repo)
    assert [(f["file"], f["line"], f["path"], f["message"]) for f in bad.json()["findings"]] == [
        ("certificate.yaml", 8, "/spec/dnsNamez", "unknown field 'dnsNamez'")]
    (repo / "trueup.yaml").write_text("version: 1\nkubernetes:\n  schema_locations: ['https://example.com/{{.Group}}']\n")
    refused = trueup("validate", ".", cwd=repo)
    assert (refused.code, refused.err) == (2, "trueup: trueup.yaml:3:22: kubernetes.schema_locations: "
                                              "'https://example.com/{{.Group}}' is not a local folder; nothing is "
                                              "downloaded at run time (check out the catalog and name the folder)\n")
