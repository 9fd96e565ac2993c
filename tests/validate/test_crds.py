"""Custom resources validated against their CustomResourceDefinitions and kubeconform-style folders."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import EXAMPLES
from trueup.errors import SchemaError
from trueup.validate.crds import CustomSchemas, schema_path
from trueup.validate.messages import explain

CRDS = EXAMPLES / "validate" / "crds"
CATALOG = "catalog/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"


def _load(name: str) -> Any:
    return yaml.safe_load((CRDS / name).read_text(encoding="utf-8"))


def _schemas(strict: bool = True, *names: str) -> CustomSchemas:
    schemas = CustomSchemas(strict=strict, root=CRDS)
    for name in names or ("widget-crd.yaml", "gadget-crd-v1beta1.yaml"):
        assert schemas.add_crd(_load(name), name) is None
    return schemas


def _problems(schemas: CustomSchemas, doc: dict[str, Any]) -> list[tuple[str, str]]:
    validator = schemas.validator(doc["apiVersion"], doc["kind"])
    assert validator is not None
    return sorted(explain(validator.iter_errors(doc)))


def _widget(**spec: Any) -> dict[str, Any]:
    base = {"size": "small", "replicas": 2}
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {**base, **spec}}


GOOD_SPEC = {
    "colour": "blue",
    "port": 8080,
    "note": None,
    "created": "not-a-date-format-is-a-hint",
    "extra": {"level": 3, "anything": {"goes": [1, "x"]}, "limits": {"cpu": "1"}},
    "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": []}},
    "ports": [{"name": "http", "number": 80}, {"name": "https"}],
    "labels": {"team": "a"},
}


@pytest.mark.parametrize("strict", [True, False])
def test_a_good_widget_has_no_errors(strict: bool) -> None:
    doc = _widget(**GOOD_SPEC)
    doc["metadata"]["labels"] = {"app": "w"}  # metadata fields the schema does not list pass
    doc["status"] = {"ready": True}
    assert _problems(_schemas(strict), doc) == []


def test_both_served_versions_have_their_own_schema() -> None:
    schemas = _schemas()
    v2 = {"apiVersion": "example.com/v2", "kind": "Widget", "metadata": {}, "spec": {"sizeMillis": 5}}
    assert _problems(schemas, v2) == []
    # exclusiveMinimum is OpenAPI 3.0's (and Draft 4's) boolean form: 0 itself is refused.
    validator = schemas.validator("example.com/v2", "Widget")
    assert validator is not None
    errors = list(validator.iter_errors({**v2, "spec": {"sizeMillis": 0}}))
    assert [(list(e.absolute_path), e.message) for e in errors] == [
        (["spec", "sizeMillis"], "0 is less than or equal to the minimum of 0")
    ]
    assert schemas.label("example.com/v2", "Widget") == (
        "CRD widgets.example.com (widget-crd.yaml) schema for example.com/v2 Widget"
    )


def test_an_unserved_version_has_no_validator() -> None:
    schemas = _schemas()
    assert schemas.validator("example.com/v1alpha1", "Widget") is None
    assert schemas.known("example.com/v1alpha1", "Widget") is False
    assert schemas.known("example.com/v1", "Widget") is True
    assert schemas.validator("example.com/v1", "Gizmo") is None
    assert schemas.label("example.com/v1", "Gizmo") == "no custom resource schema for example.com/v1 Gizmo"


def test_type_enum_pattern_minimum_and_maximum_errors_are_at_their_fields() -> None:
    doc = _widget(size="huge", replicas="2", colour="Blue", ports=[{"name": "x", "number": 70000}])
    assert _problems(_schemas(), doc) == [
        ("/spec/colour", "does not match the pattern '^[a-z]+$'"),
        ("/spec/ports/0/number", "must be <= 65535"),
        ("/spec/replicas", "expected integer, got string"),
        ("/spec/size", "must be one of 'small', 'medium', 'large'"),
    ]
    assert _problems(_schemas(), _widget(replicas=0)) == [("/spec/replicas", "must be >= 1")]


def test_missing_required_fields() -> None:
    doc = _widget(ports=[{"number": 80}])
    del doc["spec"]["size"]
    assert _problems(_schemas(), doc) == [
        ("/spec", "required field 'size' is missing"),
        ("/spec/ports/0", "required field 'name' is missing"),
    ]
    no_spec = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {}}
    assert _problems(_schemas(), no_spec) == [("", "required field 'spec' is missing")]


def test_unknown_fields_are_errors_when_strict_only() -> None:
    doc = _widget(colour="red", shape="round", ports=[{"name": "a", "protocol": "TCP"}])
    doc["extra"] = 1
    assert _problems(_schemas(True), doc) == [
        ("/extra", "unknown field 'extra'"),
        ("/spec/ports/0/protocol", "unknown field 'protocol'"),
        ("/spec/shape", "unknown field 'shape'"),
    ]
    assert _problems(_schemas(False), doc) == []


def test_preserve_unknown_fields_keeps_unknown_fields_but_prunes_declared_objects() -> None:
    """Unknown keys under extra are kept; its declared ``limits`` is pruned as usual
    (pruning/algorithm.go: skipPrune prunes known properties normally)."""
    doc = _widget(extra={"free": {"form": True}, "limits": {"cpu": "1", "memory": "2Gi"}})
    assert _problems(_schemas(), doc) == [("/spec/extra/limits/memory", "unknown field 'memory'")]
    assert _problems(_schemas(), _widget(extra={"level": "high"})) == [("/spec/extra/level", "expected integer, got string")]


def test_int_or_string_and_nullable() -> None:
    schemas = _schemas()
    assert _problems(schemas, _widget(port="http")) == []
    assert _problems(schemas, _widget(port=80)) == []
    assert _problems(schemas, _widget(port=1.5)) == [("/spec/port", "expected integer or string, got number")]
    assert _problems(schemas, _widget(port=None)) == [("/spec/port", "expected integer or string, got null")]
    assert _problems(schemas, _widget(note=None)) == []
    assert _problems(schemas, _widget(note=3)) == [("/spec/note", "expected string, got integer")]
    assert _problems(schemas, _widget(colour=None)) == [("/spec/colour", "expected string, got null")]


def test_embedded_resource_needs_apiversion_and_kind() -> None:
    schemas = _schemas()
    no_kind = _widget(template={"apiVersion": "v1", "metadata": {"name": "p"}})
    assert _problems(schemas, no_kind) == [("/spec/template", "required field 'kind' is missing")]
    bad_meta = _widget(template={"apiVersion": "v1", "kind": "", "metadata": []})
    assert _problems(schemas, bad_meta) == [
        ("/spec/template/kind", "must be at least 1 characters long"),
        ("/spec/template/metadata", "expected object, got array"),
    ]
    # metadata is not required ([meta] validateEmbeddedResource)
    assert _problems(schemas, _widget(template={"apiVersion": "v1", "kind": "Pod"})) == []


def test_the_top_level_checks_apiversion_kind_and_metadata() -> None:
    schemas = _schemas()
    doc = _widget()
    doc["metadata"] = "w"
    assert _problems(schemas, doc) == [("/metadata", "expected object, got string")]
    doc["metadata"] = {"name": "x" * 21}
    assert _problems(schemas, doc) == [("/metadata/name", "must be at most 20 characters long")]
    v2 = {"apiVersion": "example.com/v2", "kind": "Widget", "spec": {"sizeMillis": 1}}
    assert _problems(schemas, v2) == []  # v2's schema lists none of the three: admitted anyway
    validator = schemas.validator("example.com/v2", "Widget")
    assert validator is not None
    assert sorted(explain(validator.iter_errors({"kind": 5, "spec": {"sizeMillis": 1}}))) == [
        ("", "required field 'apiVersion' is missing"),
        ("/kind", "expected string, got integer"),
    ]


def test_a_v1beta1_crd_uses_spec_validation_for_every_served_version() -> None:
    schemas = _schemas(True, "gadget-crd-v1beta1.yaml")
    for version in ("v1", "v2"):
        doc = {"apiVersion": f"example.org/{version}", "kind": "Gadget", "metadata": {}, "spec": {"colour": "red"}}
        assert _problems(schemas, doc) == []
        doc["spec"] = {"colour": "green", "size": 1}
        assert _problems(schemas, doc) == [
            ("/spec/colour", "must be one of 'red', 'blue'"),
            ("/spec/size", "unknown field 'size'"),
        ]
    assert schemas.validator("example.org/v3", "Gadget") is None


def test_v1beta1_preserves_unknown_fields_by_default() -> None:
    crd = _load("gadget-crd-v1beta1.yaml")
    del crd["spec"]["preserveUnknownFields"]
    schemas = CustomSchemas(strict=True)
    assert schemas.add_crd(crd, "gadget.yaml") is None
    doc = {"apiVersion": "example.org/v1", "kind": "Gadget", "metadata": {}, "spec": {"colour": "red", "size": 1}}
    assert _problems(schemas, doc) == []


def test_a_v1beta1_crd_with_only_spec_version() -> None:
    crd = _load("gadget-crd-v1beta1.yaml")
    del crd["spec"]["versions"]
    schemas = CustomSchemas()
    assert schemas.add_crd(crd, "gadget.yaml:3") is None
    assert schemas.known("example.org/v1", "Gadget") is True
    assert schemas.known("example.org/v2", "Gadget") is False
    assert schemas.label("example.org/v1", "Gadget") == "CRD gadgets.example.org (gadget.yaml:3) schema for example.org/v1 Gadget"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda c: c.pop("spec"), "CustomResourceDefinition widgets.example.com has no spec"),
        (lambda c: c["spec"]["names"].pop("kind"), "CustomResourceDefinition widgets.example.com has no spec.names.kind"),
        (lambda c: c["spec"].update(group=""), "CustomResourceDefinition widgets.example.com has no spec.group"),
        (lambda c: c["spec"].update(versions="v1"), "CustomResourceDefinition widgets.example.com has no spec.versions"),
        (lambda c: c["spec"]["versions"][0].pop("name"), "CustomResourceDefinition widgets.example.com spec.versions[0] has no name"),
        (lambda c: c["spec"]["versions"][1].pop("schema"), "CustomResourceDefinition widgets.example.com version v2 has no schema.openAPIV3Schema"),
        (lambda c: c["spec"]["versions"][1]["schema"].update(openAPIV3Schema=[1]),
         "CustomResourceDefinition widgets.example.com version v2: openAPIV3Schema is not a mapping"),
    ],
)
def test_a_malformed_crd_gives_a_problem_and_never_raises(change: Any, problem: str) -> None:
    crd = copy.deepcopy(_load("widget-crd.yaml"))
    change(crd)
    assert CustomSchemas().add_crd(crd, "w.yaml") == problem


def test_a_crd_that_is_not_a_mapping() -> None:
    assert CustomSchemas().add_crd(["x"], "w.yaml:9") == "CustomResourceDefinition in w.yaml:9 is not a mapping"
    assert CustomSchemas().add_crd({"metadata": 1, "spec": {}}, "w.yaml") == (
        "CustomResourceDefinition (unnamed) has no spec.group"
    )


def test_a_second_different_definition_is_reported_and_the_first_kept() -> None:
    schemas = _schemas(True, "widget-crd.yaml")
    other = _load("widget-crd.yaml")
    other["spec"]["versions"] = other["spec"]["versions"][1:2]
    other["spec"]["versions"][0]["schema"]["openAPIV3Schema"] = {"type": "object"}
    assert schemas.add_crd(other, "copy.yaml") == (
        "CustomResourceDefinition widgets.example.com defines example.com/v2 Widget again "
        "(first in widget-crd.yaml); the first definition is used"
    )
    assert schemas.add_crd(_load("widget-crd.yaml"), "same.yaml") is None  # an identical copy is fine
    assert schemas.label("example.com/v2", "Widget") == (
        "CRD widgets.example.com (widget-crd.yaml) schema for example.com/v2 Widget"
    )


def test_a_crd_schema_python_cannot_compile_raises_naming_the_crd() -> None:
    crd = _load("widget-crd.yaml")
    crd["spec"]["versions"][1]["schema"]["openAPIV3Schema"]["properties"]["spec"]["required"] = "sizeMillis"
    schemas = CustomSchemas()
    assert schemas.add_crd(crd, "w.yaml:1") is None
    with pytest.raises(SchemaError) as caught:
        schemas.validator("example.com/v2", "Widget")
    assert str(caught.value) == (
        "w.yaml:1: CustomResourceDefinition widgets.example.com, example.com/v2: "
        "invalid JSON Schema at properties/spec/required: 'sizeMillis' is not of type 'array'"
    )


def test_an_re2_only_pattern_is_not_checked() -> None:
    crd = _load("widget-crd.yaml")
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["colour"]["pattern"] = "^a(?i)b$"
    schemas = CustomSchemas()
    assert schemas.add_crd(crd, "w.yaml") is None
    assert _problems(schemas, _widget(colour="anything")) == []


# --- kubeconform-style schema locations ---------------------------------------------------


def test_a_catalog_location_finds_the_schema_file() -> None:
    schemas = CustomSchemas(locations=[CATALOG], root=CRDS)
    assert schemas.known("example.com/v1", "Widget") is True
    assert schemas.label("example.com/v1", "Widget") == (
        "schema catalog/example.com/widget_v1.json for example.com/v1 Widget"
    )
    assert _problems(schemas, _widget()) == []
    assert _problems(schemas, _widget(size="huge", shape=1)) == [
        ("/spec/shape", "unknown field 'shape'"),
        ("/spec/size", "must be one of 'small', 'medium', 'large'"),
    ]
    assert schemas.validator("example.com/v2", "Widget") is None
    assert schemas.validator("example.com/v1", "../Widget") is None


def test_an_absolute_location_and_the_first_match_wins(tmp_path: Path) -> None:
    absolute = str(CRDS / CATALOG)
    schemas = CustomSchemas(locations=[str(tmp_path / "{{.ResourceKind}}.json"), absolute], root=tmp_path)
    shown = CRDS / "catalog" / "example.com" / "widget_v1.json"
    assert schemas.label("example.com/v1", "Widget") == f"schema {shown} for example.com/v1 Widget"
    (tmp_path / "widget.json").write_text('{"type": "object", "required": ["spec"]}', encoding="utf-8")
    first = CustomSchemas(locations=[str(tmp_path / "{{.ResourceKind}}.json"), absolute], root=tmp_path)
    assert first.label("example.com/v1", "Widget") == "schema widget.json for example.com/v1 Widget"


def test_crds_take_precedence_over_locations() -> None:
    schemas = CustomSchemas(locations=[CATALOG], root=CRDS)
    assert schemas.add_crd(_load("widget-crd.yaml"), "widget-crd.yaml") is None
    assert schemas.label("example.com/v1", "Widget") == (
        "CRD widgets.example.com (widget-crd.yaml) schema for example.com/v1 Widget"
    )


@pytest.mark.parametrize(
    ("template", "api_version", "kind", "version", "strict", "expected"),
    [
        ("{{ .NormalizedKubernetesVersion }}/x.json", "apps/v1", "Deployment", "1.29.0", False, "v1.29.0/x.json"),
        ("{{ .NormalizedKubernetesVersion }}/x.json", "apps/v1", "Deployment", "master", False, "master/x.json"),
        ("s{{ .StrictSuffix }}.json", "v1", "Service", "master", True, "s-strict.json"),
        ("s{{ .StrictSuffix }}.json", "v1", "Service", "master", False, "s.json"),
        ("{{.ResourceKind}}.json", "example.com/v1", "CronTab", "master", False, "crontab.json"),
        ("{{.ResourceAPIVersion}}.json", "monitoring.coreos.com/v1alpha1", "X", "master", False, "v1alpha1.json"),
        ("{{.Group}}.json", "monitoring.coreos.com/v1", "X", "master", False, "monitoring.coreos.com.json"),
        ("{{.Group}}.json", "v1", "Pod", "master", False, "v1.json"),  # kubeconform: Group of core is "v1"
        ("{{.ResourceKind}}{{.KindSuffix}}.json", "Monitoring.coreos.com/V1", "X", "master", False, "x-monitoring-v1.json"),
        ("{{.ResourceKind}}{{.KindSuffix}}.json", "v1", "Service", "master", False, "service-v1.json"),
    ],
)
def test_template_variables(template: str, api_version: str, kind: str, version: str, strict: bool, expected: str) -> None:
    assert schema_path(template, api_version, kind, version, strict) == expected


def test_a_folder_location_gets_kubeconforms_default_file_pattern(tmp_path: Path) -> None:
    folder = tmp_path / "schemas" / "v1.29.0-standalone-strict"
    folder.mkdir(parents=True)
    (folder / "widget-example-v1.json").write_text('{"type": "object", "required": ["spec"]}', encoding="utf-8")
    schemas = CustomSchemas(locations=["schemas/"], root=tmp_path, kubernetes_version="v1.29.0")
    assert schemas.label("example.com/v1", "Widget") == (
        "schema schemas/v1.29.0-standalone-strict/widget-example-v1.json for example.com/v1 Widget"
    )
    assert _problems(schemas, {"apiVersion": "example.com/v1", "kind": "Widget"}) == [("", "required field 'spec' is missing")]
    assert CustomSchemas(strict=False, locations=["schemas"], root=tmp_path).known("example.com/v1", "Widget") is False


@pytest.mark.parametrize("location", ["https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/" + CATALOG,
                                      "http://example.com/schemas", "default"])
def test_a_url_location_is_refused(location: str) -> None:
    with pytest.raises(SchemaError) as caught:
        CustomSchemas(locations=[location])
    assert str(caught.value) == f"schema location {location} is a URL; trueup reads schemas only from local folders"


def test_an_unknown_template_variable_is_refused() -> None:
    with pytest.raises(SchemaError) as caught:
        CustomSchemas(locations=["s/{{ .Kind }}.json"])
    assert str(caught.value) == (
        "schema location s/{{ .Kind }}.json has unknown variable .Kind (known: NormalizedKubernetesVersion, "
        "StrictSuffix, ResourceKind, ResourceAPIVersion, Group, KindSuffix)"
    )


def test_a_template_action_other_than_a_variable_is_refused() -> None:
    with pytest.raises(SchemaError) as caught:
        CustomSchemas(locations=["s/{{ .Group | lower }}.json"])
    assert str(caught.value) == (
        "schema location s/{{ .Group | lower }}.json has a template action other than {{ .Variable }} "
        "(known: NormalizedKubernetesVersion, StrictSuffix, ResourceKind, ResourceAPIVersion, Group, KindSuffix)"
    )


def test_a_file_url_is_a_local_path() -> None:
    schemas = CustomSchemas(locations=[f"file://{CRDS}/{CATALOG}"], root=CRDS)
    assert schemas.label("example.com/v1", "Widget") == "schema catalog/example.com/widget_v1.json for example.com/v1 Widget"


def test_a_schema_file_that_is_not_json_is_named(tmp_path: Path) -> None:
    (tmp_path / "widget.json").write_text("{not json", encoding="utf-8")
    schemas = CustomSchemas(locations=["{{.ResourceKind}}.json"], root=tmp_path)
    with pytest.raises(SchemaError) as caught:
        schemas.validator("example.com/v1", "Widget")
    assert caught.value.file == "widget.json"
    assert caught.value.cause == "schema file is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
