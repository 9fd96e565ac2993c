"""pipeline.py: the stages of rendered runs: rendering templates with values, loading and checking each
rendered file (CRDs first), drifting targets, and the notes about what was not compared."""
from __future__ import annotations

from pathlib import Path

import pytest

from trueup import pipeline
from trueup.config import Config, Environment, KubernetesSettings, Target, config_free
from trueup.errors import InputError, RenderError
from trueup.load import load_text
from trueup.model import Finding, Severity, Summary, as_applied
from trueup.options import CheckSettings
from trueup.wiring import checker_for

from manifests import WIDGET_CRD as CRD

WIDGET = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: huge\n"


def _short(findings) -> list[tuple]:
    return [(f.rule, str(f.severity), f.file, f.line, f.path, f.message, f.environment) for f in findings]


@pytest.fixture
def templates(write, tmp_path: Path) -> Path:
    write("t/c.yaml.j2", "x: {{ v }}\nenv: {{ environment }}\n")
    write("t/_partials/h.j2", "{% macro m() %}{% endmacro %}")
    write("t/k/b.yaml", "plain: text\n")
    write("one.yaml", "v: 1\nw: 1\n")
    write("two.yaml", "v: 2\n")
    return tmp_path


# render_templates / render_environment

def test_render_templates_later_values_win_partials_skipped(templates: Path) -> None:
    rendered = pipeline.render_templates(templates / "t", "t", [templates / "one.yaml", templates / "two.yaml"],
                                         root=templates, environment="qa", config=config_free(templates))
    assert [(o.template, o.output, o.text) for o in rendered.outputs] == [
        ("c.yaml.j2", "c.yaml", "x: 2\nenv: qa\n"), ("k/b.yaml", "k/b.yaml", "plain: text\n")]
    assert (rendered.name, rendered.failures, rendered.value_findings) == ("qa", [], [])
    assert rendered.values.data == {"v": 2, "w": 1}


def test_render_templates_globs_and_no_environment(templates: Path) -> None:
    rendered = pipeline.render_templates(templates / "t", "t", [templates / "one.yaml"], root=templates,
                                         environment=None, config=config_free(templates), globs=("*.j2",))
    assert [(o.output, o.text) for o in rendered.outputs] == [("c.yaml", "x: 1\nenv: \n")]
    rendered = pipeline.render_templates(templates / "t", "t", [], root=templates, environment="qa",
                                         config=config_free(templates), globs=("c.yaml",))
    assert (rendered.outputs, _short(rendered.failures)) == (
        [], [("input.render", "critical", "t/c.yaml.j2", 1, "", "'v' is undefined", "qa")])


def test_render_templates_keeps_going_past_a_failure(templates: Path, write) -> None:
    write("t/a.yaml.j2", "ok: 1\nbad: {{ nothing.here }}\n")
    write("two.yaml", "v: 2\nv: 3\n")
    rendered = pipeline.render_templates(templates / "t", "t", [templates / "one.yaml", templates / "two.yaml"],
                                         root=templates, environment="qa", config=config_free(templates))
    assert [o.output for o in rendered.outputs] == ["c.yaml", "k/b.yaml"]
    assert _short(rendered.failures) == [
        ("input.render", "critical", "t/a.yaml.j2", 2, "", "'nothing' is undefined", "qa")]
    assert _short(rendered.value_findings) == [
        ("input.duplicate-key", "high", "two.yaml", 2, "/v",
         "duplicate key 'v': the later value silently replaces the earlier one", "qa")]


def test_render_environment_uses_its_values_and_globs(write, tmp_path: Path) -> None:
    write("templates/c.yaml.j2", "x: {{ v }}\n")
    write("templates/k/b.yaml", "y: 1\n")
    write("v.yaml", "v: 7\n")
    config = Config(root=tmp_path, path=tmp_path / "trueup.yaml",
                    environments={"qa": Environment("qa", ("v.yaml",), ("k/**",))})
    assert [(o.output, o.text) for o in pipeline.render_environment(config, "qa").outputs] == [("k/b.yaml", "y: 1\n")]
    config.environments["qa"] = Environment("qa", ("v.yaml",), ("**",))
    rendered = pipeline.render_environment(config, "qa")
    assert ([(o.output, o.text) for o in rendered.outputs], rendered.name) == (
        [("c.yaml", "x: 7\n"), ("k/b.yaml", "y: 1\n")], "qa")


# check_rendered

def test_check_rendered_crds_first_unparsable_output_and_counts(write, tmp_path: Path) -> None:
    write("t/k/a-widget.yaml", WIDGET)
    write("t/k/b-crd.yaml", CRD)
    write("t/d.yaml", "bad: [\n")
    write("t/c.yaml", "x: 1\n")
    config = config_free(tmp_path)
    rendered = pipeline.render_templates(tmp_path / "t", "t", [], root=tmp_path, environment="qa", config=config)
    summary = Summary()
    findings = list(pipeline.check_rendered(rendered, checker_for(config, CheckSettings(no_policy=True)), config,
                                            summary, "t"))
    assert _short(findings) == [
        ("input.render", "critical", "t/d.yaml", 2, "",
         "rendered output: invalid YAML: did not find expected node content (while parsing a flow node)", "qa"),
        ("schema", "high", "t/k/a-widget.yaml", 6, "/spec/size", "must be one of 'small', 'large'", "qa")]
    assert (summary.files, summary.documents, dict(summary.unvalidated)) == (4, 3, {"config file": 1})


def test_check_rendered_without_checker_only_counts(write, tmp_path: Path) -> None:
    write("t/k/a-widget.yaml", WIDGET + "---\n" + WIDGET)
    config = config_free(tmp_path)
    rendered = pipeline.render_templates(tmp_path / "t", "t", [], root=tmp_path, environment="qa", config=config)
    summary = Summary()
    assert list(pipeline.check_rendered(rendered, None, config, summary, "t")) == []
    assert (summary.files, summary.documents) == (1, 2)


def test_check_rendered_runs_cross_file_rules(write, tmp_path: Path) -> None:
    write("t/compose.yaml", "services:\n  web:\n    image: nginx:1.25\n    depends_on: [db]\n")
    config = config_free(tmp_path)
    rendered = pipeline.render_templates(tmp_path / "t", "t", [], root=tmp_path, environment="qa", config=config)
    checker = checker_for(config, CheckSettings(rule=("COMPOSE-DEPENDS-ON-EXISTS",)))
    findings = list(pipeline.check_rendered(rendered, checker, config, Summary(), "t"))
    assert [(f.rule, f.file, f.line, f.environment) for f in findings] == [
        ("COMPOSE-DEPENDS-ON-EXISTS", "t/compose.yaml", 4, "qa")]


def _drift_config(tmp_path: Path, live: str | None = "live/app.yaml") -> Config:
    return Config(root=tmp_path, path=tmp_path / "trueup.yaml",
                  environments={"prod": Environment("prod", (), ("**",))},
                  targets=[Target("app", "config", ("app.yaml",), live, ("prod",))])


def test_check_rendered_drifts_targets(write, tmp_path: Path) -> None:
    write("templates/app.yaml", "port: 8080\n")
    write("live/app.yaml", "port: 9090\n")
    config = _drift_config(tmp_path)
    rendered = pipeline.render_environment(config, "prod")
    changes: list = []
    findings = list(pipeline.check_rendered(rendered, None, config, Summary(), "templates", drift=True,
                                            changes=changes))
    assert [(f.rule, f.path, f.desired, f.live, f.live_file, f.environment) for f in findings] == [
        ("drift.changed", "/port", 8080, 9090, "live/app.yaml", "prod")]
    assert [(c.difference.kind, c.difference.desired, c.difference.live) for c in changes] == [("changed", 8080, 9090)]
    assert list(pipeline.check_rendered(rendered, None, config, Summary(), "templates")) == []


def test_check_rendered_sets_a_targets_namespace(write, tmp_path: Path) -> None:
    write("templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    config = Config(root=tmp_path, path=tmp_path / "trueup.yaml",
                    environments={"prod": Environment("prod", (), ("**",))},
                    targets=[Target("k", "kubernetes", ("**",), None, None, namespace="shop")])
    outputs: list = []
    list(pipeline.check_rendered(pipeline.render_environment(config, "prod"), None, config, Summary(), "templates",
                                 outputs=outputs))
    [(name, [doc])] = outputs
    assert (name, doc.namespace, as_applied(doc).target) == ("cm.yaml", "shop", "ConfigMap/shop/c")


def test_check_rendered_gives_compose_its_dotenv(write, tmp_path: Path) -> None:
    write("templates/c/compose.yaml", "services:\n  web:\n    image: nginx:${TAG}\n")
    write("templates/c/.env", "TAG=1.25\n")
    config = Config(root=tmp_path, path=tmp_path / "trueup.yaml",
                    environments={"dev": Environment("dev", (), ("**",))})
    checker = checker_for(config, CheckSettings(rule=("COMPOSE-VARIABLE-DEFINED",)))
    rendered = pipeline.render_environment(config, "dev")
    assert list(pipeline.check_rendered(rendered, checker, config, Summary(), "templates")) == []
    (tmp_path / "templates/c/.env").write_text("OTHER=1\n")
    rendered = pipeline.render_environment(config, "dev")
    findings = list(pipeline.check_rendered(rendered, checker, config, Summary(), "templates"))
    assert [(f.rule, f.file, f.line) for f in findings] == [("COMPOSE-VARIABLE-DEFINED", "templates/c/compose.yaml", 3)]


# check_loaded

def test_check_loaded_yields_load_findings_then_checks(tmp_path: Path) -> None:
    config = config_free(tmp_path)
    loaded = load_text("a: 1\na: 2\n---\npassword: hunter2-xyz-123\n", file="f.yaml", name="f.yaml", fmt="yaml")
    summary = Summary()
    findings = list(pipeline.check_loaded(loaded, checker_for(config, CheckSettings(rule=("SECRET-*",))), summary))
    assert [(f.rule, f.line) for f in findings] == [("input.duplicate-key", 2), ("SECRET-PASSWORD-VALUE", 4)]
    assert (summary.documents, dict(summary.unvalidated), summary.unvalidated_documents) == (
        2, {"config file": 2}, [("config file", "f.yaml (f.yaml)"), ("config file", "f.yaml (f.yaml)")])


def test_check_loaded_patch_runs_values_rules_only(tmp_path: Path) -> None:
    """A kustomize patch is part of an object: no required fields, no whole-object rules; secrets still count."""
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations:\n"
            f"    token: ghp_{'a1B2' * 9}\n")
    checker = checker_for(config_free(tmp_path), CheckSettings())
    whole = pipeline.check_loaded(load_text(text, file="d.yaml", name="d.yaml", fmt="yaml"), checker, Summary())
    assert [(f.rule, f.path) for f in whole] == [
        ("schema", ""), ("K8S-DEFAULT-NAMESPACE", "/metadata"), ("SECRET-GITHUB-TOKEN", "/metadata/annotations/token")]
    patch = pipeline.check_loaded(load_text(text, file="d.yaml", name="d.yaml", fmt="yaml"), checker, Summary(),
                                  patch=True)
    assert [(f.rule, f.path) for f in patch] == [("SECRET-GITHUB-TOKEN", "/metadata/annotations/token")]


def test_check_loaded_with_an_extra_schema_counts_it_validated(write, tmp_path: Path) -> None:
    schema = write("s.json", '{"properties": {"a": {"type": "string"}}}')
    loaded = load_text("a: 1\n", file="v.yaml", name="v.yaml", fmt="yaml")
    summary = Summary()
    findings = list(pipeline.check_loaded(loaded, checker_for(config_free(tmp_path), CheckSettings(no_policy=True)),
                                          summary, schema))
    assert [(f.rule, f.path, f.message) for f in findings] == [("schema", "/a", "expected string, got integer")]
    assert (summary.documents, summary.skipped) == (1, 0)


# configured_crds, validator_for

def test_configured_crds_learns_and_reports(write, tmp_path: Path) -> None:
    write("crds/widget.yaml", CRD)
    write("crds/broken.yaml", "kind: [\n")
    config = Config(root=tmp_path, kubernetes=KubernetesSettings(crds=("crds/",)))
    checker = checker_for(config, CheckSettings(no_policy=True))
    findings = pipeline.configured_crds(config, checker)
    assert _short(findings) == [("input.parse", "high", "crds/broken.yaml", 2, "",
                                 "invalid YAML: did not find expected node content (while parsing a flow node)", None)]
    doc = load_text(WIDGET, file="w.yaml", name="w.yaml", fmt="yaml").documents[0]
    assert [(f.rule, f.path) for f in checker.check(doc)] == [("schema", "/spec/size")]


def test_configured_crds_missing_path(tmp_path: Path) -> None:
    config = Config(root=tmp_path, kubernetes=KubernetesSettings(crds=("nowhere.yaml",)))
    with pytest.raises(InputError) as caught:
        pipeline.configured_crds(config, checker_for(config, CheckSettings(no_policy=True)))
    assert str(caught.value) == "nowhere.yaml: kubernetes.crds: no such file or directory"


@pytest.mark.parametrize("settings, version, strict, expected", [
    (KubernetesSettings(version="1.30", strict=True), None, None, ("1.30", True)),
    (KubernetesSettings(version="1.30", strict=True), "1.29", False, ("1.29", False)),
    (KubernetesSettings(strict=False), None, None, (None, False)),
], ids=["config", "overridden", "default-version"])
def test_validator_for(tmp_path: Path, settings, version, strict, expected) -> None:
    validator = pipeline.validator_for(Config(root=tmp_path, kubernetes=settings), kubernetes_version=version,
                                       strict=strict)
    assert (validator.kubernetes_version, validator.strict) == expected


def test_error_finding() -> None:
    finding = pipeline.error_finding(RenderError("boom", "t.j2", 3, 4), "input.render", "t", "prod")
    assert finding == Finding("input.render", Severity.CRITICAL, "boom", "t", "", "t.j2", 3, 4, environment="prod")


# not_compared, targets_not_compared

def test_not_compared_and_targets_not_compared(tmp_path: Path) -> None:
    targets = [Target("live-one", "config", ("a",), "live/a", ("prod",)), Target("no-live", "config", ("b",))]
    config = Config(root=tmp_path, path=tmp_path / "trueup.yaml", targets=targets)
    assert _short(pipeline.not_compared(config, targets, ["prod", "dev"])) == [
        ("drift.not-compared", "info", "trueup.yaml", None, "",
         "environment 'dev': no target of trueup.yaml compares it with live state; not compared", "dev")]
    notes = pipeline.targets_not_compared(config, targets, ["prod", "dev"])
    assert [(f.target, f.file, f.message, f.environment) for f in notes] == [
        ("no-live", "trueup.yaml", "target 'no-live' has no live side in trueup.yaml; not compared", "prod")]
    assert pipeline.targets_not_compared(config, [targets[1]], ["prod"], every=[targets[1]]) == []
