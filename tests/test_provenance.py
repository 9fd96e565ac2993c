"""Drift on a template line that only imports or calls a macro points at the values-file line that
set the value: where a person edits it."""
from __future__ import annotations

from pathlib import Path

import pytest

CONFIG = """\
version: 1
environments:
  prod: {values: [values/common.yaml, values/prod.yaml]}
targets:
  - {name: k8s, kind: kubernetes, desired: "k8s/*.yaml", live: "live/{env}", namespace: shop}
policy: {packs: []}
"""
MACROS = """\
{% macro deployment(app) -%}
apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ app.name }}, namespace: shop}
spec:
  replicas: {{ app.replicas }}
  selector: {matchLabels: {app: {{ app.name }}}}
  template:
    metadata: {labels: {app: {{ app.name }}}}
    spec:
      containers: [{name: app, image: "{{ app.image }}"}]
{%- endmacro %}
"""
LIVE = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 5
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: app, image: "ghcr.io/x/api:0.9.0"}]
"""


@pytest.fixture
def repo(write, tmp_path: Path) -> Path:
    write("trueup.yaml", CONFIG)
    write("templates/k8s/_macros.j2", MACROS)
    write("templates/k8s/api.yaml.j2", '{% import "k8s/_macros.j2" as m %}\n{{ m.deployment(api) }}\n')
    write("values/common.yaml", "api:\n  name: api\n  replicas: 2\n  image: ghcr.io/x/api:1.0.0\n")
    write("values/prod.yaml", "# prod runs more\napi:\n  replicas: 3\n")
    write("live/prod/api.yaml", LIVE)
    return tmp_path


def _where(trueup, repo: Path, *args: str) -> dict[str, tuple]:
    report = trueup("drift", "--format", "json", *args, cwd=repo).json()
    return {f["path"]: (f["file"], f["line"], f["column"]) for f in report["findings"]}


def test_a_value_from_a_macro_points_at_the_values_line_that_set_it(trueup, repo: Path) -> None:
    where = _where(trueup, repo)
    assert where["/spec/replicas"] == ("values/prod.yaml", 3, 3)  # the last file to set it wins
    assert where["/spec/template/spec/containers/0/image"] == ("values/common.yaml", 4, 3)
    assert _where(trueup, repo, "--no-blame") == where


def test_a_value_no_single_key_holds_stays_on_the_template_line(trueup, repo: Path, write) -> None:
    write("values/prod.yaml", "api:\n  replicas: 3\nworker:\n  replicas: 3\n")  # which one? not known
    assert _where(trueup, repo)["/spec/replicas"][:2] == ("templates/k8s/api.yaml.j2", 1)


def test_a_line_that_writes_the_yaml_itself_is_left_alone(trueup, repo: Path, write) -> None:
    write("templates/k8s/api.yaml.j2", MACROS.split("\n", 1)[1].rsplit("{%-", 1)[0].replace("app.", "api."))
    assert _where(trueup, repo)["/spec/replicas"][:2] == ("templates/k8s/api.yaml.j2", 5)
