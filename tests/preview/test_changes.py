"""Two renders compared (trueup.preview.changes): drift renamed as changes, problems introduced and fixed."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from trueup.config import load_config
from trueup.errors import ParseError, RenderError, TrueupError
from trueup.load import load_text
from trueup.model import Document, Finding, Severity, Summary
from trueup.preview.changes import Rendered, at_revision, changes, render_revision, scrub


@pytest.mark.parametrize("text, revision, expected", [
    ("{root}/templates/a.j2:3: boom", "HEAD~1", "HEAD~1:templates/a.j2:3: boom"),
    ("in {root}", "main", "in main:."),
    ("{root}/a and {root}/b", "v1.0", "v1.0:a and v1.0:b"),
    ("{root}/a", None, "{root}/a"),                      # the working tree: left as it is
    ("nothing to do", "HEAD", "nothing to do"),
], ids=["file", "root-itself", "twice", "working-tree", "no-path"])
def test_scrub(tmp_path: Path, text: str, revision: str | None, expected: str) -> None:
    root = tmp_path / "copy ü"
    root.mkdir()
    assert scrub(text.format(root=root), revision, root) == expected.format(root=root)


def test_scrub_names_the_unresolved_form_too(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    assert scrub(f"{real}/a.yaml and {link}/b.yaml", "HEAD", link) == "HEAD:a.yaml and HEAD:b.yaml"


def test_at_revision_names_the_file_as_git_does(tmp_path: Path) -> None:
    error = ParseError(f"bad value in {tmp_path}/values/prod.yaml", str(tmp_path / "values" / "prod.yaml"), 2, 1)
    named = at_revision(error, "HEAD~1", tmp_path)
    assert str(named) == "HEAD~1:values/prod.yaml:2:1: bad value in HEAD~1:values/prod.yaml"
    assert type(named) is ParseError and named.args == (named.cause,)
    assert str(error) == f"{tmp_path}/values/prod.yaml:2:1: bad value in {tmp_path}/values/prod.yaml"  # unchanged


@pytest.mark.parametrize("file, revision, name_file, expected", [
    ("values/prod.yaml", "HEAD~1", True, "HEAD~1:values/prod.yaml"),
    (None, "HEAD~1", True, "HEAD~1:trueup.yaml"),             # no file: the config
    ("values/prod.yaml", "HEAD~1", False, "values/prod.yaml"),
    ("values/prod.yaml", None, True, "values/prod.yaml"),
    ("/elsewhere/x.yaml", "main", True, "main:/elsewhere/x.yaml"),  # outside the copy: kept absolute
], ids=["relative", "no-file", "without-name-file", "working-tree", "outside"])
def test_at_revision_file_names(tmp_path: Path, file: str | None, revision: str | None, name_file: bool,
                                expected: str) -> None:
    named = at_revision(RenderError("x", file, 1), revision, tmp_path, name_file=name_file)
    assert named.file == expected


def _docs(text: str, name: str) -> list[Document]:
    return load_text(textwrap.dedent(text), file=f"templates/{name}.j2", name=name, fmt="yaml").documents


CM = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {LEVEL: %s}
"""
DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
        - name: api
          image: x
          envFrom:
            - configMapRef: {name: settings}
"""


def _state(level: str, extra: list[tuple[str, list]], findings: list[Finding]) -> Rendered:
    outputs = [("k8s/cm.yaml", _docs(CM % level, "k8s/cm.yaml")), ("k8s/deploy.yaml", _docs(DEPLOY, "k8s/deploy.yaml"))]
    return Rendered(outputs=outputs + extra, findings=findings, namespace="shop")


def test_changes() -> None:
    kept = Finding("K8S-X", Severity.HIGH, "both have it", "Deployment/shop/api", "/spec", "templates/k8s/deploy.yaml.j2", 4)
    fixed = Finding("R1", Severity.HIGH, "old problem", "t", "/a", "f", 1, desired=1, live=2)
    new = Finding("R2", Severity.LOW, "new problem", "t", "/b", "f", 2)
    base = {"prod": _state("info", [("old.yaml", _docs("o: 1\n", "old.yaml"))], [kept, fixed])}
    head = {"prod": _state("debug", [("app.yaml", _docs("a: 1\n", "app.yaml"))], [kept, new])}
    found = [(f.rule, f.severity, f.message, f.target, f.path, f.file, f.line, f.desired, f.live, f.environment)
             for f in changes(base, head)]
    assert found == [
        ("change.changed", Severity.INFO, "LEVEL changes", "ConfigMap/shop/settings", "/data/LEVEL",
         "templates/k8s/cm.yaml.j2", 4, "debug", "info", "prod"),
        ("change.added", Severity.INFO, "file added", "app.yaml", "", "templates/app.yaml.j2", 1, None, None, "prod"),
        ("change.removed", Severity.INFO, "file removed", "old.yaml", "", "templates/old.yaml.j2", 1, None, None, "prod"),
        ("change.impact", Severity.INFO,
         "reads ConfigMap 'settings', which this change alters: api needs a rollout to see it",
         "Deployment/shop/api", "/spec/template/spec/containers/0/envFrom/0/configMapRef/name",
         "templates/k8s/deploy.yaml.j2", 11, None, None, "prod"),
        ("R2", Severity.LOW, "new problem", "t", "/b", "f", 2, None, None, None),
        ("change.fixed", Severity.INFO, "fixes R1: old problem", "t", "/a", "f", 1, None, None, None),
    ]


def test_no_change_is_no_finding() -> None:
    same = Finding("R", Severity.HIGH, "m", "t", "/a", "f", 1)
    assert list(changes({"prod": _state("info", [], [same])}, {"prod": _state("info", [], [same])})) == []
    assert list(changes({}, {})) == []


def test_a_new_environment_is_all_added_and_a_gone_one_all_removed() -> None:
    head = {"b-new": Rendered(outputs=[("a.yaml", _docs("a: 1\n", "a.yaml"))])}
    base = {"a-old": Rendered(outputs=[("z.yaml", _docs("z: 1\n", "z.yaml"))])}
    assert [(f.environment, f.rule, f.target) for f in changes(base, head)] == [
        ("a-old", "change.removed", "z.yaml"), ("b-new", "change.added", "a.yaml")]


def test_render_revision_without_a_config() -> None:
    assert render_revision(None, None, Summary(), revision="HEAD~1") == {}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "values").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "trueup.yaml").write_text(
        "version: 1\nenvironments:\n  prod:\n    values: [values/prod.yaml]\n  dev: {}\n", encoding="utf-8")
    (tmp_path / "values" / "prod.yaml").write_text("a: [\n", encoding="utf-8")
    (tmp_path / "templates" / "app.yaml.j2").write_text("x: {{ environment }}\n", encoding="utf-8")
    return tmp_path


def test_render_revision_renders_each_environment(project: Path) -> None:
    states = render_revision(load_config(project / "trueup.yaml"), None, Summary(), only=["dev"])
    assert list(states) == ["dev"]
    state = states["dev"]
    assert [(name, [doc.data for doc in docs]) for name, docs in state.outputs] == [("app.yaml", [{"x": "dev"}])]
    assert (state.findings, state.namespace, state.reads) == ([], "default", {"templates/app.yaml.j2": frozenset()})


def test_a_base_that_cannot_render_is_a_finding_of_that_revision(project: Path) -> None:
    states = render_revision(load_config(project / "trueup.yaml"), None, Summary(), revision="HEAD~1", tolerant=True)
    assert sorted(states) == ["dev", "prod"]
    assert states["prod"].outputs == []
    assert [(f.rule, f.file, f.line, f.environment) for f in states["prod"].findings] == [
        ("input.parse", "values/prod.yaml", 2, "prod")]


def test_a_head_that_cannot_render_stops_the_run_naming_the_revision(project: Path) -> None:
    with pytest.raises(TrueupError) as caught:
        render_revision(load_config(project / "trueup.yaml"), None, Summary(), revision="HEAD~1")
    assert str(caught.value) == ("HEAD~1:values/prod.yaml:2:1: invalid YAML: did not find expected node content "
                                 "(while parsing a flow node)")
