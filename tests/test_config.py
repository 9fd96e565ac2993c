"""trueup.yaml -> Config (trueup.config): defaults, every setting read, errors at the key's line."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from trueup.config import (
    Config, Environment, KubernetesSettings, Target, config_free, find_config, load_config,
)
from trueup.errors import ConfigError
from trueup.load import Limits


def _config(tmp_path: Path, text: str, name: str = "trueup.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


FULL = """
version: 1
templates: tpl
environments:
  prod:
    values: [values/common.yaml, values/prod.yaml]
    templates: ["k8s/**", "config/**"]
    namespace: shop
  dev:
    templates: compose/**
targets:
  - name: kubernetes
    kind: kubernetes
    desired: "k8s/**/*.yaml"
    live: "live/{env}/k8s"
    namespace: shop
    environments: [prod]
    ignore:
      - paths: [/spec/replicas]
        kinds: [Deployment]
        reason: scaled by the HPA
    compare_written: [Argo CD]
  - name: app
    kind: config
    desired: [config/app.yaml, config/extra.yaml]
    compare_written: true
drift:
  appliers: [kubectl-client-side-apply]
schemas:
  - files: "config/app.yaml"
    schema: policy/app.schema.json
  - files: ["a/*.json", "b/*.json"]
    schema: policy/b.schema.json
kubernetes:
  version: "1.33"
  strict: false
  missing_schemas: warn
  crds: [deploy/crds/]
  schema_locations: ["../CRDs-catalog/{{.Group}}/{{.ResourceKind}}.json", "file:///srv/schemas"]
exclude: [legacy, "docs/examples/**"]
secrets:
  keys: ['^SIGNING_', 'pin$']
limits:
  max_file_bytes: 1024
  max_depth: 20
  render_timeout: 2.5
fail_on: medium
"""


def test_every_setting_is_read(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, FULL))
    assert config.root == tmp_path.resolve()
    assert config.path == (tmp_path / "trueup.yaml").resolve()
    assert config.display == "trueup.yaml"
    assert config.templates == "tpl"
    assert config.environments == {
        "prod": Environment("prod", ("values/common.yaml", "values/prod.yaml"), ("k8s/**", "config/**"), "shop"),
        "dev": Environment("dev", (), ("compose/**",), None),  # one glob as a string
    }
    assert config.targets == [
        Target("kubernetes", "kubernetes", ("k8s/**/*.yaml",), "live/{env}/k8s", ("prod",), "shop",
               ({"paths": ["/spec/replicas"], "kinds": ["Deployment"], "reason": "scaled by the HPA"},), ("Argo CD",)),
        Target("app", "config", ("config/app.yaml", "config/extra.yaml"), None, None, None, (), True),
    ]
    assert [(m.files, m.schema) for m in config.schemas] == [
        (("config/app.yaml",), "policy/app.schema.json"), (("a/*.json", "b/*.json"), "policy/b.schema.json")]
    assert config.kubernetes == KubernetesSettings(
        "1.33", False, "warn", ("deploy/crds/",),
        ("../CRDs-catalog/{{.Group}}/{{.ResourceKind}}.json", "file:///srv/schemas"))
    assert config.exclude == ("legacy", "docs/examples/**")
    assert config.secret_keys == ("^SIGNING_", "pin$")
    assert config.appliers == ("kubectl-client-side-apply",)
    assert (config.limits.max_bytes, config.limits.max_depth) == (1024, 20)
    assert config.render_timeout == 2.5
    assert config.fail_on == "medium"
    assert config.raw["version"] == 1


def test_defaults(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, "version: 1\n"))
    assert (config.templates, config.environments, config.targets, config.schemas) == ("templates", {}, [], [])
    assert config.kubernetes == KubernetesSettings(None, True, "ignore", (), ())
    assert config.limits == Limits()
    assert (config.render_timeout, config.fail_on, config.secret_keys, config.exclude, config.appliers) == (
        30.0, None, (), (), None)


def test_empty_sections_and_a_yml_name(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, "environments: {}\ntargets: []\n", name="trueup.yml"))
    assert (config.display, config.environments, config.targets) == ("trueup.yml", {}, [])


@pytest.mark.parametrize("text, message", [
    ("", "trueup.yaml: the config is empty"),
    ("# only a comment\n", "trueup.yaml: the config is empty"),
    ("- a\n", "trueup.yaml:1:1: the config must be a mapping of settings"),
    ("hello\n", "trueup.yaml:1:1: the config must be a mapping of settings"),
    ("version: 1\ntemplatez: t\n", "trueup.yaml:2:1: templatez: unknown field 'templatez'"),
    ("version: 2\n", "trueup.yaml:1:1: version: must be 1"),
    ("templates: 3\n", "trueup.yaml:1:1: templates: expected string, got integer"),
    ("limits:\n  max_file_bytes: big\n", "trueup.yaml:2:3: limits.max_file_bytes: expected integer, got string"),
    ("limits:\n  max_depth: 1\n", "trueup.yaml:2:3: limits.max_depth: must be >= 2"),
    ("environments:\n  prod:\n", "trueup.yaml:2:3: environments.prod: expected object, got null"),
    ("environments: [prod]\n", "trueup.yaml:1:1: environments: expected object, got array"),
    ("targets:\n  - name: k\n    kind: kubernetes\n", "trueup.yaml:2:5: targets.0: required field 'desired' is missing"),
    ("targets:\n  - {name: k, kind: helm, desired: x}\n",
     "trueup.yaml:2:15: targets.0.kind: must be one of 'kubernetes', 'compose', 'config'"),
    ("targets:\n  - {name: k, kind: config, desired: []}\n",
     "trueup.yaml:2:29: targets.0.desired: must have at least 1 items"),
    ("version: 1\nversion: 1\n",
     "trueup.yaml:2:1: duplicate key 'version': the later value silently replaces the earlier one"),
    ("secrets:\n  keys: ['(']\n", "trueup.yaml:2:10: secrets.keys.0: is not a valid regex"),
    ("kubernetes:\n  version: latest\n",
     r"trueup.yaml:2:3: kubernetes.version: does not match the pattern '^v?[0-9]+\\.[0-9]+(\\.[0-9]+)?$'"),
    ("a: [\n", "trueup.yaml:2:1: invalid YAML: did not find expected node content (while parsing a flow node)"),
    ("kubernetes:\n  schema_locations:\n    - ./local\n    - https://example.com/{{.Group}}\n",
     "trueup.yaml:4:7: kubernetes.schema_locations: 'https://example.com/{{.Group}}' is not a local folder; "
     "nothing is downloaded at run time (check out the catalog and name the folder)"),
    ("environments: {'bad name': {}}\n",
     "trueup.yaml:1:16: environments.bad name: the name 'bad name' does not match the pattern "
     "'^[A-Za-z0-9][A-Za-z0-9_.-]*$'"),
    ("environments:\n  ok: {}\n  bad/name:\n    values: [a]\n",
     "trueup.yaml:3:3: environments.bad/name: the name 'bad/name' does not match the pattern "
     "'^[A-Za-z0-9][A-Za-z0-9_.-]*$'"),
    ("environments:\n  ok: {}\n  _x: {}\n",
     "trueup.yaml:3:3: environments._x: the name '_x' does not match the pattern '^[A-Za-z0-9][A-Za-z0-9_.-]*$'"),
    ("environments:\n  prod: {valuez: []}\n", "trueup.yaml:2:10: environments.prod.valuez: unknown field 'valuez'"),
    ("policy:\n  severity: {K8S-X: huge}\n",
     "trueup.yaml:2:14: policy.severity.K8S-X: must be one of 'critical', 'high', 'medium', 'low', 'info'"),
], ids=["empty", "comment-only", "list", "scalar", "unknown-key", "version", "templates-int", "bytes-string",
        "depth-too-small", "environment-null", "environments-list", "target-no-desired", "target-kind",
        "desired-empty", "duplicate-key", "bad-regex", "k8s-version", "malformed-yaml", "remote-schema-location",
        "environment-name-flow", "environment-name-block", "environment-name-underscore", "environment-unknown-key",
        "additional-properties-value"])
def test_errors_name_the_key_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_config(tmp_path, text))
    assert str(caught.value) == message


def test_find_config_walks_up_to_the_nearest(tmp_path: Path) -> None:
    outer = _config(tmp_path, "version: 1\n")
    deep = tmp_path / "a b" / "ü" / "c"
    deep.mkdir(parents=True)
    assert find_config(deep) == outer
    inner = _config(tmp_path / "a b", "version: 1\n", name="trueup.yml")
    assert find_config(deep) == inner
    (tmp_path / "a b" / "ü" / "trueup.yaml").mkdir()  # a directory of that name is not a config
    assert find_config(deep) == inner


def test_find_config_prefers_yaml_over_yml(tmp_path: Path) -> None:
    _config(tmp_path, "version: 1\n", name="trueup.yml")
    yaml = _config(tmp_path, "version: 1\n")
    assert find_config(tmp_path) == yaml


def test_environment_lookup(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, FULL))
    assert config.environment("prod").namespace == "shop"
    with pytest.raises(ConfigError) as caught:
        config.environment("staging")
    assert str(caught.value) == "trueup.yaml: unknown environment 'staging' (known: dev, prod)"
    with pytest.raises(ConfigError) as none:
        config_free(tmp_path).environment("prod")
    assert none.value.cause == "unknown environment 'prod' (known: none defined)"


@pytest.mark.parametrize("rendered, env, target", [
    ("k8s/a/deploy.yaml", "prod", "kubernetes"),
    ("k8s/a/deploy.yaml", "dev", None),          # the kubernetes target is prod's only
    ("config/app.yaml", "dev", "app"),           # a target naming no environments applies to all
    ("config/app.yaml", None, "app"),
    ("config/other.yaml", "prod", None),
], ids=["prod-k8s", "dev-k8s", "dev-app", "no-env", "unmatched"])
def test_target_for(tmp_path: Path, rendered: str, env: str | None, target: str | None) -> None:
    config = load_config(_config(tmp_path, FULL))
    found = config.target_for(rendered, env)
    assert (found.name if found else None) == target


def test_applies_to() -> None:
    assert Target("t", "config", ("*",)).applies_to(None) is True
    scoped = Target("t", "config", ("*",), environments=("prod",))
    assert (scoped.applies_to("prod"), scoped.applies_to("dev"), scoped.applies_to(None)) == (True, False, False)


def test_kubernetes_settings_from_raw_makes_lists_tuples() -> None:
    settings = KubernetesSettings.from_raw({"crds": ["a", "b"], "schema_locations": ["c"], "strict": False})
    assert settings == KubernetesSettings(None, False, "ignore", ("a", "b"), ("c",))
    assert KubernetesSettings.from_raw({}) == KubernetesSettings()


def test_config_free(tmp_path: Path) -> None:
    config = config_free(tmp_path / "." / "x" / "..")
    assert config == Config(root=tmp_path.resolve())
    assert (config.path, config.display, config.targets) == (None, "trueup.yaml", [])
