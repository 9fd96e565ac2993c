"""Templates are untrusted: sandboxed, confined to their root, bounded; errors name file and line."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

CONFIG = """\
version: 1
templates: templates
environments:
  prod:
    values: [values.yaml]
limits:
  render_timeout: 2
"""


@pytest.fixture
def repo(write, tmp_path: Path):
    write("trueup.yaml", CONFIG)
    write("values.yaml", "name: api\nreplicas: 2\nitems: [a, b]\n")
    return tmp_path


def _error(result) -> str:
    assert result.code == 2, result.out + result.err
    text = (result.out + result.err).strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    return text


ESCAPES = [
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", 2, "'__subclasses__'"),
    ("{{ name.__class__ }}", 2, "'__class__'"),
    ("{{ os.system('touch pwned') }}", 2, "'os'"),
    ("{{ open('/etc/passwd').read() }}", 2, "'open'"),
    ("{{ name['__class__'] }}", 2, "'__class__'"),
    ("{% set x = cycler.__init__.__globals__ %}", 2, "'__globals__'"),
    ("{{ lipsum.__globals__['os'].popen('id').read() }}", 2, "'__globals__'"),
]


@pytest.mark.parametrize("body, line, fragment", ESCAPES)
def test_sandbox_escape_is_refused_before_anything_runs(trueup, write, repo: Path, body: str, line: int, fragment: str) -> None:
    write("templates/app.yaml.j2", "name: {{ name }}\n" + body + "\n")
    result = trueup("render", "--env", "prod", cwd=repo)
    message = _error(result)
    assert message.startswith(f"trueup: templates/app.yaml.j2:{line}: ")
    assert fragment in message and "forbids" in message
    assert not (repo / "pwned").exists()


@pytest.mark.parametrize(
    "include",
    ["../../../../etc/passwd", "/etc/passwd", "sub/../../values.yaml"],
)
def test_include_cannot_leave_the_templates_root(trueup, write, repo: Path, include: str) -> None:
    write("templates/app.yaml.j2", "a: 1\n{% include '" + include + "' %}\n")
    message = _error(trueup("render", "--env", "prod", cwd=repo))
    assert "leaves the templates root" in message
    assert "root:x:0:0" not in message


def test_symlinked_template_outside_root_is_refused(trueup, write, repo: Path, tmp_path: Path) -> None:
    secret = write("outside/secret.txt", "password: hunter2\n")
    write("templates/app.yaml.j2", "a: 1\n")
    os.symlink(secret, repo / "templates" / "leak.yaml")
    message = _error(trueup("render", "--env", "prod", cwd=repo))
    assert "leak.yaml" in message and "outside" in message
    assert "hunter2" not in message


def test_include_through_symlink_outside_root_is_refused(trueup, write, repo: Path) -> None:
    secret = write("outside/secret.txt", "password: hunter2\n")
    write("templates/app.yaml.j2", "a: 1\n{% include '_leak.txt' %}\n")
    os.symlink(secret, repo / "templates" / "_leak.txt")
    message = _error(trueup("render", "--env", "prod", cwd=repo))
    assert message.startswith("trueup: templates/_leak.txt: symlink resolves outside its root")
    assert "hunter2" not in message


@pytest.mark.parametrize(
    "body, line, fragment",
    [
        ("a: 1\nb: {{ missing }}\n", 2, "'missing' is undefined"),
        ("a: 1\n\n{% if name %}\nb: 2\n", 4, "template syntax error"),
        ("a: {{ values.nope.deeper }}\n", 1, "undefined"),
        ("a: 1\nb: {{ '' | required('set image.tag in values') }}\n", 2, "set image.tag in values"),
        ("a: {{ name | no_such_filter }}\n", 1, "no_such_filter"),
        ("a: {{ 1 / 0 }}\n", 1, "division by zero"),
        ("a: {{ 'x' * 100000000 }}\n", 1, "repetition too large"),
        ("a: {{ 2 ** 100000 }}\n", 1, "exponent too large"),
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n", None, "longer than 2s"),
    ],
)
def test_template_errors_name_file_and_line(trueup, write, repo: Path, body: str, line, fragment: str) -> None:
    write("templates/app.yaml.j2", body)
    message = _error(trueup("render", "--env", "prod", cwd=repo))
    prefix = "trueup: templates/app.yaml.j2:" + (f"{line}: " if line else "")
    assert message.startswith(prefix), message
    assert fragment in message


def test_error_in_an_included_partial_names_the_partial(trueup, write, repo: Path) -> None:
    write("templates/_parts/labels.j2", "labels:\n  app: {{ name }}\n  tier: {{ tier }}\n")
    write("templates/app.yaml.j2", "a: 1\n{% include '_parts/labels.j2' %}\n")
    message = _error(trueup("render", "--env", "prod", cwd=repo))
    assert message.startswith("trueup: templates/_parts/labels.j2:3: "), message
    assert "'tier' is undefined" in message


def test_check_reports_a_broken_template_and_still_checks_the_rest(trueup, write, repo: Path) -> None:
    write("templates/a.yaml.j2", "a: {{ missing }}\n")
    write("templates/b.yaml", "b: [1,\n")
    write("templates/c.yaml", "c: 1\nc: 2\n")
    result = trueup("check", "--env", "prod", cwd=repo)
    assert result.code == 2
    assert result.lines == [
        "templates/a.yaml.j2:1: critical: 'missing' is undefined [input.render] in a.yaml.j2 (prod)",
        "templates/b.yaml:2:1: critical: rendered output: invalid YAML: did not find expected node content (while parsing a flow node) [input.render] in b.yaml (prod)",
        "templates/c.yaml:2:1: high: duplicate key 'c': the later value silently replaces the earlier one [input.duplicate-key] at /c in c.yaml (prod)",
        "trueup.yaml: info: environment 'prod': no target of trueup.yaml compares it with live state; not compared [drift.not-compared] (prod)",
    ]


def test_filters_and_context(trueup, write, repo: Path) -> None:
    write(
        "templates/app.yaml.j2",
        """\
        env: {{ environment }}
        json: {{ items | to_json }}
        b64: {{ name | b64encode }}
        back: {{ name | b64encode | b64decode }}
        list:
          {{ {"items": items, "n": replicas} | to_yaml | indent(2) }}
        """,
    )
    result = trueup("render", "--env", "prod", cwd=repo)
    assert result.code == 0, result.err
    assert result.out == (
        "# Source: app.yaml\nenv: prod\njson: [\"a\", \"b\"]\nb64: YXBp\nback: api\n"
        "list:\n  items:\n  - a\n  - b\n  n: 2\n"
    )


def test_render_without_config(trueup, write, tmp_path: Path) -> None:
    write("t/_macros.j2", "{% macro label(x) %}app: {{ x }}{% endmacro %}\n")
    write("t/k8s/svc.yaml.j2", "{% import '_macros.j2' as m %}\n{{ m.label(name) }}\nport: {{ port }}\n")
    write("common.yaml", "name: api\nport: 80\n")
    write("prod.yaml", "port: 8080\n")
    result = trueup("render", "--templates", "t", "--values", "common.yaml", "--values", "prod.yaml", cwd=tmp_path)
    assert result.code == 0, result.err
    assert result.out == "# Source: k8s/svc.yaml\napp: api\nport: 8080\n"
