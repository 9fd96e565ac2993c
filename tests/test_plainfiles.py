"""plainfiles.py: ``trueup validate PATHS``: named and walked files, the templates directory left out,
CRDs learned first, kustomize patches read as partial objects, a compose file's .env, changed-only
reporting with the rest of the repository as context, and cached results."""
from __future__ import annotations

from pathlib import Path

import pytest

from trueup.cache import ResultCache, fingerprint
from trueup.model import Summary
from trueup.options import CheckSettings
from trueup.plainfiles import check_files
from trueup.wiring import checker_for, find_config

from manifests import WIDGET_CRD as CRD

SERVICE = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: x\nspec:\n  selector:\n    app: api\n"
           "  ports:\n    - port: 80\n")
DEPLOYMENT = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  namespace: x\nspec:\n  selector:\n"
              "    matchLabels:\n      app: {app}\n  template:\n    metadata:\n      labels:\n        app: {app}\n"
              "    spec:\n      containers:\n        - name: c\n          image: nginx:1.25\n"
              "          imagePullPolicy: Always\n")


def _run(paths, *rules: str, no_policy: bool = False, **kwargs) -> tuple[list[tuple], Summary]:
    config = find_config(None, required=False)
    checker = checker_for(config, CheckSettings(no_policy=no_policy, rule=rules))
    summary = Summary()
    findings = list(check_files([Path(p) for p in paths], config, checker, summary, **kwargs))
    return [(f.rule, str(f.severity), f.file, f.line, f.path) for f in findings], summary


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_walk_skips_the_templates_directory(here: Path, write) -> None:
    write("trueup.yaml", "version: 1\ntemplates: tpl\n")
    write("tpl/x.yaml", "bad: [\n")
    write("broken.yaml", "bad: [\n")
    findings, summary = _run(["."], no_policy=True)
    assert findings == [("input.parse", "high", "broken.yaml", 2, "")]
    assert (summary.files, summary.documents) == (2, 1)
    assert _run(["tpl/x.yaml"], no_policy=True)[0] == []


def test_without_a_config_the_templates_directory_is_data(here: Path, write) -> None:
    write("templates/x.yaml", "bad: [\n")
    assert _run(["."], no_policy=True)[0] == [("input.parse", "high", "templates/x.yaml", 2, "")]


def test_named_and_walked_failures(here: Path, write) -> None:
    write("d/tpl.yaml", "a: {{ x }}\n  b: [\n")
    write("d/broken.json", "{\n")
    findings, summary = _run(["d", "missing.yaml"], no_policy=True)
    assert findings == [("input.parse", "high", "d/broken.json", 2, ""), ("input.template", "info", "d/tpl.yaml", 2, ""),
                        ("input.unreadable", "critical", "missing.yaml", None, "")]
    assert summary.files == 3


def test_a_named_file_of_unknown_format_is_left_out(here: Path, write) -> None:
    write("notes.txt", "{{ not data\n")
    write("a.yaml", "a: 1\n")
    findings, summary = _run(["notes.txt", "a.yaml"], no_policy=True)
    assert (findings, summary.files, summary.documents) == ([], 1, 1)


def test_crds_are_read_before_custom_resources(here: Path, write) -> None:
    write("a-widget.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: huge\n")
    write("b-crd.yaml", CRD)
    findings, summary = _run(["."], no_policy=True)
    assert findings == [("schema", "high", "a-widget.yaml", 6, "/spec/size")]
    assert (summary.files, summary.documents, summary.skipped) == (2, 2, 0)
    findings, summary = _run(["a-widget.yaml"], no_policy=True)
    assert (findings, dict(summary.unvalidated)) == ([], {"Widget": 1})


KUSTOMIZATION = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\n"
                 "resources: [cm.yaml]\npatches:\n  - path: patch.yaml\n")
PATCH = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: \"two\"\n"
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"


@pytest.mark.parametrize("paths", [["k"], ["k/patch.yaml", "k/cm.yaml"]], ids=["walked", "named"])
def test_kustomize_patches_are_partial_and_resources_get_its_namespace(here: Path, write, paths) -> None:
    write("k/kustomization.yaml", KUSTOMIZATION)
    write("k/patch.yaml", PATCH)
    write("k/cm.yaml", CONFIGMAP)
    findings, _ = _run(paths, "K8S-DEFAULT-NAMESPACE")
    assert findings == [("schema", "high", "k/patch.yaml", 6, "/spec/replicas")]


def test_without_a_kustomization_the_same_files_are_whole_objects(here: Path, write) -> None:
    write("k/patch.yaml", PATCH)
    write("k/cm.yaml", CONFIGMAP)
    findings, _ = _run(["k"], "K8S-DEFAULT-NAMESPACE")
    assert findings == [("K8S-DEFAULT-NAMESPACE", "low", "k/cm.yaml", 3, "/metadata"),
                        ("schema", "high", "k/patch.yaml", 5, "/spec"),
                        ("schema", "high", "k/patch.yaml", 6, "/spec/replicas"),
                        ("K8S-DEFAULT-NAMESPACE", "low", "k/patch.yaml", 3, "/metadata")]


def test_a_patch_directive_marks_a_patch_without_kustomization(here: Path, write) -> None:
    write("p.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  $patch: replace\n")
    assert _run(["p.yaml"], no_policy=True)[0] == []


@pytest.mark.parametrize("dotenv, expected", [
    ("TAG=1.25\n", []),
    ("OTHER=1\n", [("COMPOSE-VARIABLE-DEFINED", "medium", "c/compose.yaml", 3, "/services/web/image")]),
    (None, [("COMPOSE-VARIABLE-DEFINED", "medium", "c/compose.yaml", 3, "/services/web/image")]),
], ids=["defined", "other-variable", "no-env-file"])
def test_dotenv_beside_a_compose_file(here: Path, write, dotenv, expected) -> None:
    write("c/compose.yaml", "services:\n  web:\n    image: nginx:${TAG}\n")
    if dotenv is not None:
        write("c/.env", dotenv)
    assert _run(["c/compose.yaml"], "COMPOSE-VARIABLE-DEFINED")[0] == expected


def test_dotenv_symlinked_out_of_its_directory_is_not_read(here: Path, write, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.env"
    outside.write_text("TAG=1.25\n")
    write("c/compose.yaml", "services:\n  web:\n    image: nginx:${TAG}\n")
    (here / "c/.env").symlink_to(outside)
    assert _run(["c/compose.yaml"], "COMPOSE-VARIABLE-DEFINED")[0] == [
        ("COMPOSE-VARIABLE-DEFINED", "medium", "c/compose.yaml", 3, "/services/web/image")]


@pytest.fixture
def services(here: Path, write) -> Path:
    write("svc.yaml", SERVICE)
    write("dep.yaml", DEPLOYMENT.format(app="other"))
    return here


MISMATCH = ("K8S-SERVICE-MATCHES-PODS", "high", "svc.yaml", 7, "/spec/selector")


def test_changed_only_reports_the_changed_files(services: Path) -> None:
    findings, summary = _run(["."], "K8S-SERVICE-MATCHES-PODS", changed={services / "svc.yaml"})
    assert (findings, summary.files, summary.documents) == ([MISMATCH], 1, 1)
    findings, summary = _run(["."], "K8S-SERVICE-MATCHES-PODS", changed={services / "dep.yaml"})
    assert (findings, summary.files) == ([], 1)


def test_changed_file_reads_the_others_as_context(services: Path) -> None:
    (services / "dep.yaml").write_text(DEPLOYMENT.format(app="api"))
    assert _run(["."], "K8S-SERVICE-MATCHES-PODS", changed={services / "svc.yaml"})[0] == []


def test_named_files_with_and_without_repository_context(services: Path) -> None:
    assert _run(["svc.yaml"], "K8S-SERVICE-MATCHES-PODS")[0] == []  # alone: absence is not judged
    findings, summary = _run(["svc.yaml"], "K8S-SERVICE-MATCHES-PODS", context=services)
    assert (findings, summary.files) == ([MISMATCH], 1)
    (services / "dep.yaml").write_text(DEPLOYMENT.format(app="api"))
    assert _run(["svc.yaml"], "K8S-SERVICE-MATCHES-PODS", context=services)[0] == []


def test_cache_hits_give_the_same_findings(services: Path, write, tmp_path_factory,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    write("broken.yaml", "bad: [\n")
    directory = tmp_path_factory.mktemp("cache")
    config = find_config(None, required=False)
    checker = checker_for(config, CheckSettings(rule=("K8S-SERVICE-MATCHES-PODS", "K8S-IMAGE-PULL-POLICY")))

    def run_once() -> tuple[list[dict], tuple]:
        summary = Summary()
        cache = ResultCache(directory, fingerprint(config, checker))
        findings = [f.to_json() for f in check_files([Path(".")], config, checker, summary, cache=cache)]
        return findings, (summary.files, summary.documents, dict(summary.unvalidated))

    cold = run_once()
    loads: list[str] = []
    from trueup import filecheck  # where each file is parsed

    real = filecheck.load_bytes
    monkeypatch.setattr(filecheck, "load_bytes", lambda data, path, **kw: loads.append(kw["file"]) or real(
        data, path, **kw))
    warm = run_once()
    assert warm == cold
    assert [f["rule"] for f in cold[0]] == ["input.parse", "K8S-SERVICE-MATCHES-PODS"]
    assert loads == ["broken.yaml"]  # a file that does not parse has no entry; the others are hits


def test_special_files_are_noted(here: Path, write) -> None:
    import os

    write("d/a.yaml", "a: 1\n")
    os.mkfifo(here / "d/pipe.yaml")
    assert _run(["d"], no_policy=True)[0] == [("input.not-regular", "info", "d/pipe.yaml", None, "")]
