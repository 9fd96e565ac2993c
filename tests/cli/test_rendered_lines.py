"""Findings in rendered desired state point at the template line a person edits."""
from __future__ import annotations

from pathlib import Path

from trueup.render_lines import line_map

DEPLOYMENT = """\
{% import "_labels.j2" as l %}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ name }}
  labels:
    {{ l.labels(name) | indent(4) }}
spec:
  replicas: "{{ replicas }}"
  selector:
    matchLabels:
      app: {{ name }}
  template:
    metadata:
      labels:
        app: {{ name }}
    spec:
      containers:
{% for c in containers %}
        - name: {{ c.name }}
          image: {{ c.image }}
          ports:
            - containerPort: {{ c.port }}
{% endfor %}
      volumes:
        {{ volumes | to_yaml | indent(8) }}
"""


def test_schema_findings_land_on_template_lines(trueup, write, tmp_path: Path) -> None:
    write("trueup.yaml", "version: 1\nenvironments:\n  prod:\n    values: [values.yaml]\nkubernetes:\n  strict: true\n")
    write(
        "values.yaml",
        """\
        name: api
        replicas: 3
        containers:
          - {name: api, image: "api:1.0", port: 8080}
          - {name: sidecar, image: "proxy:2.1", port: "http"}
        volumes:
          - name: cache
            emptyDir: {sizeLimitt: 1Gi}
        """,
    )
    write("templates/_labels.j2", "{% macro labels(name) %}app: {{ name }}\ntier: {{ tierr }}{% endmacro %}\n")
    write("templates/deploy.yaml.j2", DEPLOYMENT.replace("tierr", "tier"))
    (tmp_path / "templates/_labels.j2").write_text("{% macro labels(name) %}app: {{ name }}\ntier: backend{% endmacro %}\n")
    result = trueup("check", "--env", "prod", "--format", "json", cwd=tmp_path)
    assert result.code == 1, result.out + result.err
    got = [(f["file"], f["line"], f["path"], f["message"]) for f in result.json()["findings"] if f["rule"] == "schema"]
    assert got == [
        ("templates/deploy.yaml.j2", 9, "/spec/replicas", "expected integer, got string"),
        ("templates/deploy.yaml.j2", 23, "/spec/template/spec/containers/1/ports/0/containerPort", "expected integer, got string"),
        ("templates/deploy.yaml.j2", 26, "/spec/template/spec/volumes/0/emptyDir/sizeLimitt", "unknown field 'sizeLimitt'"),
    ]
    assert {f["target"] for f in result.json()["findings"] if f["rule"] != "drift.not-compared"} == {
        "Deployment/default/api"}
    policy = {(f["rule"], f["line"]) for f in result.json()["findings"] if f["rule"].startswith("K8S-")}
    assert ("K8S-MEMORY-LIMIT", 20) in policy


def test_line_map_literal_loop_and_expression_lines(tmp_path: Path) -> None:
    template = tmp_path / "t.yaml.j2"
    template.write_text("a: 1\n{% for i in items %}\n- x: {{ i }}\n  y: 2\n{% endfor %}\nz: {{ z }}\nlast: 1\n")
    rendered = "a: 1\n- x: 1\n  y: 2\n- x: 2\n  y: 2\nz: 9\nlast: 1\n"
    assert line_map(template, rendered) == [1, 3, 4, 3, 4, 6, 7]


def test_line_map_of_unreadable_template_is_empty(tmp_path: Path) -> None:
    assert line_map(tmp_path / "missing.j2", "a: 1\n") == []
