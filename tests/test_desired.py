"""Desired state (trueup.desired): values merged in order, templates chosen, rendered output parsed."""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, Iterator

import pytest

from trueup import mask
from trueup.desired import deep_merge, load_rendered, load_rendered_kept, load_values, template_names
from trueup.errors import ConfigError, InputError, ParseError
from trueup.render import Rendered


@pytest.fixture(autouse=True)
def _forget_secrets() -> Iterator[None]:
    """load_values registers secret values module-wide (trueup.mask): forgotten after each test."""
    with mask.known_scope():
        yield


def _put(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.mark.parametrize("base, override, merged", [
    ({}, {}, {}),
    ({"a": 1}, {}, {"a": 1}),
    ({"a": {"x": 1, "y": 2}}, {"a": {"y": 3, "z": 4}}, {"a": {"x": 1, "y": 3, "z": 4}}),
    ({"a": [1, 2]}, {"a": [3]}, {"a": [3]}),                     # lists replace
    ({"a": {"x": 1}}, {"a": None}, {"a": None}),                 # null replaces a mapping
    ({"a": 1}, {"a": {"x": 1}}, {"a": {"x": 1}}),                # a mapping replaces a scalar
    ({"a": {"b": {"c": 1, "d": 1}}}, {"a": {"b": {"d": 2}}}, {"a": {"b": {"c": 1, "d": 2}}}),
], ids=["empty", "keep", "nested", "list-replaces", "null-replaces", "map-over-scalar", "deep"])
def test_deep_merge(base: dict[str, Any], override: dict[str, Any], merged: dict[str, Any]) -> None:
    before = repr(base)
    assert deep_merge(base, override) == merged
    assert repr(base) == before  # the base is not changed


def test_values_merge_in_order_and_keep_each_layer(tmp_path: Path) -> None:
    common = _put(tmp_path, "values/common.yaml", """
        image: {tag: "1.0", repo: shop}
        replicas: 1
        """)
    prod = _put(tmp_path, "values/prod.json", '{"image": {"tag": "2.0"}, "replicas": 3}')
    values = load_values([common, prod], tmp_path)
    assert values.data == {"image": {"tag": "2.0", "repo": "shop"}, "replicas": 3}
    assert values.findings == []
    assert [(doc.source.file, doc.source.format) for doc in values.layers] == [
        ("values/common.yaml", "yaml"), ("values/prod.json", "json")]
    assert values.layers[1].locate("/replicas") == (1, 27)  # the key's column


def test_every_document_of_a_values_file_is_a_layer(tmp_path: Path) -> None:
    path = _put(tmp_path, "v.yaml", "a: 1\n---\nb: 2\n---\na: 3\n")
    values = load_values([path], tmp_path)
    assert values.data == {"a": 3, "b": 2}
    assert [doc.index for doc in values.layers] == [0, 1, 2]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "~\n"], ids=["empty", "comment", "null"])
def test_an_empty_values_file_adds_nothing(tmp_path: Path, text: str) -> None:
    path = _put(tmp_path, "v.yaml", text)
    values = load_values([path], tmp_path)
    assert (values.data, values.findings, values.layers) == ({}, [], [])


def test_a_duplicate_key_is_a_finding_and_the_later_value_wins(tmp_path: Path) -> None:
    path = _put(tmp_path, "v.yaml", "a: 1\na: 2\n")
    values = load_values([path], tmp_path)
    assert values.data == {"a": 2}
    assert [(f.rule, f.file, f.line) for f in values.findings] == [("input.duplicate-key", "v.yaml", 2)]


@pytest.mark.parametrize("text", ["- 1\n", "'just a string'\n", "42\n"], ids=["list", "string", "number"])
def test_a_values_file_must_hold_a_mapping(tmp_path: Path, text: str) -> None:
    path = _put(tmp_path, "dir ü/v.yaml", text)
    with pytest.raises(ConfigError) as caught:
        load_values([path], tmp_path)
    assert str(caught.value) == "dir ü/v.yaml:1:1: a values file must hold a mapping of names to values"


def test_a_missing_values_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_values([tmp_path / "values" / "nope.yaml"], tmp_path)
    assert str(caught.value) == "values/nope.yaml: values file not found"


def test_a_values_file_outside_the_root_is_named_by_its_path(tmp_path: Path) -> None:
    outside = _put(tmp_path, "elsewhere/v.yaml", "a: [\n")
    root = tmp_path / "repo"
    root.mkdir()
    with pytest.raises(ParseError) as caught:
        load_values([outside], root)
    assert caught.value.file == outside.as_posix()
    assert caught.value.line == 2


def test_secret_values_are_registered_for_masking(tmp_path: Path) -> None:
    path = _put(tmp_path, "v.yaml", "db:\n  password: s3cr3t-value\n")
    load_values([path], tmp_path)
    assert mask.redact_known("dsn=postgres://app:s3cr3t-value@db") == "dsn=postgres://app:********@db"


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    root = tmp_path / "templates"
    for name in ("k8s/app.yaml.j2", "k8s/svc.yaml", "k8s/_helpers.j2", "_partials/labels.j2", "k8s/sub/_x/y.yaml",
                 "config/app.toml.jinja", "compose/compose.yaml.jinja2", "dir with space/ü.yaml"):
        _put(root, name, "a: 1\n")
    return root


@pytest.mark.parametrize("globs, names", [
    (("**",), ["compose/compose.yaml.jinja2", "config/app.toml.jinja", "dir with space/ü.yaml", "k8s/app.yaml.j2",
               "k8s/svc.yaml"]),
    (("k8s/**",), ["k8s/app.yaml.j2", "k8s/svc.yaml"]),
    (("k8s/*.yaml",), ["k8s/app.yaml.j2", "k8s/svc.yaml"]),       # by output name too
    (("config/app.toml",), ["config/app.toml.jinja"]),
    (("k8s/app.yaml.j2", "compose/**"), ["compose/compose.yaml.jinja2", "k8s/app.yaml.j2"]),
    (("dir with space/*",), ["dir with space/ü.yaml"]),
    ((), []),
    (("nothing/**",), []),
], ids=["all", "dir", "output-name", "toml-output", "two-globs", "unicode", "no-globs", "no-match"])
def test_template_names(templates: Path, globs: tuple[str, ...], names: list[str]) -> None:
    assert sorted(template_names(templates, globs)) == names


def test_template_names_default_is_every_non_partial(templates: Path) -> None:
    assert sorted(template_names(templates)) == sorted(template_names(templates, ("**",)))


def test_a_missing_templates_root(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        template_names(tmp_path / "nope")
    assert str(caught.value) == f"{(tmp_path / 'nope').as_posix()}: templates root not found"


def test_an_escaping_symlink_among_templates_is_refused(templates: Path, tmp_path: Path) -> None:
    _put(tmp_path, "secret.yaml", "token: x\n")
    (templates / "k8s" / "leak.yaml").symlink_to(tmp_path / "secret.yaml")
    with pytest.raises(InputError) as caught:
        template_names(templates)
    assert caught.value.file == "templates/k8s/leak.yaml"


CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n"


def test_load_rendered_names_the_template_and_maps_lines() -> None:
    rendered = Rendered("k8s/cm.yaml.j2", "k8s/cm.yaml", CONFIGMAP, [1, 2, 3, 10, 11, 14])
    loaded = load_rendered(rendered, "templates")
    (doc,) = loaded.documents
    assert (doc.kind, doc.source.file, doc.source.name, doc.source.format) == (
        "kubernetes", "templates/k8s/cm.yaml.j2", "k8s/cm.yaml", "yaml")
    assert doc.locate("/metadata/name") == (10, 3)  # rendered line 4, the key's column
    assert doc.locate("/data/level") == (14, 3)


def test_load_rendered_format_and_kind_from_the_output() -> None:
    rendered = Rendered("app.json.j2", "app.json", '{"port": 80}', [4])
    loaded = load_rendered(rendered, "", kind="config")
    assert loaded.documents[0].data == {"port": 80}
    assert loaded.source.format == "json"
    assert loaded.source.file == "app.json.j2"  # no display root: the template alone


def test_a_parse_error_is_at_the_template_line_that_wrote_it() -> None:
    rendered = Rendered("k8s/app.yaml.j2", "k8s/app.yaml", "a: 1\nb: ]\nc: 2\n", [3, 7, 8])
    with pytest.raises(ParseError) as caught:
        load_rendered(rendered, "templates")
    assert caught.value.file == "templates/k8s/app.yaml.j2"
    assert caught.value.line == 7
    assert caught.value.cause.startswith("rendered output: invalid YAML: ")


def test_a_parse_error_past_the_line_map_keeps_its_rendered_line() -> None:
    rendered = Rendered("a.yaml.j2", "a.yaml", "a: 1\nb: [\n", [3, 7])
    with pytest.raises(ParseError) as caught:
        load_rendered(rendered, "t")
    assert (caught.value.file, caught.value.line) == ("t/a.yaml.j2", 3)


def test_load_rendered_kept_builds_only_the_kept_documents() -> None:
    text = CONFIGMAP + "---\n" + CONFIGMAP.replace("settings", "other")
    rendered = Rendered("k8s/cm.yaml.j2", "k8s/cm.yaml", text, list(range(1, 14)))
    kept = load_rendered_kept(rendered, "templates", lambda doc: doc.data["metadata"]["name"] == "other")
    assert [doc.data["metadata"]["name"] for doc in kept.loaded.documents] == ["other"]
    assert kept.total == 2
    assert kept.loaded.documents[0].source.file == "templates/k8s/cm.yaml.j2"
