"""validate/registry.py: schema files read, checked against their metaschema, ``$ref``s resolved inside the repository."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trueup.errors import SchemaError
from trueup.validate.registry import Detailed, LocalSchemas, compile_schema, read_schema


def _put(path: Path, content: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


@pytest.mark.parametrize("name, content, expected", [
    ("a.json", '{"type": "integer"}', {"type": "integer"}),
    ("b.yaml", "type: string\nminLength: 2\n", {"type": "string", "minLength": 2}),
    ("c.yml", "true\n", True),
    ("d.yaml", "", None),
    ("e.JSON", "\ufeff{}", {}),
], ids=["json", "yaml", "yml-boolean", "empty-yaml", "json-with-bom"])
def test_read_schema(tmp_path: Path, name: str, content: str, expected: Any) -> None:
    assert read_schema(_put(tmp_path / name, content), name) == expected


@pytest.mark.parametrize("name, content, message", [
    ("bad.json", '{\n  "type": \n}', "bad.json:3:1: schema is not valid JSON: Expecting value"),
    ("bad.yaml", "a: [\n", "bad.yaml:2:1: schema unreadable: invalid YAML: did not find expected node content "
                           "(while parsing a flow node)"),
    ("bin.json", "\x00", "bin.json:1: schema unreadable: binary file (NUL byte), not text"),
    ("missing.json", None, "missing.json: schema file not found"),
], ids=["json-syntax", "yaml-syntax", "binary", "missing"])
def test_read_schema_refuses(tmp_path: Path, name: str, content: str | None, message: str) -> None:
    path = tmp_path / name if content is None else _put(tmp_path / name, content)
    with pytest.raises(SchemaError) as caught:
        read_schema(path, name)
    assert str(caught.value) == message


@pytest.mark.parametrize("schema, message", [
    ([1], "d.json: a JSON Schema must be an object or a boolean"),
    ("x", "d.json: a JSON Schema must be an object or a boolean"),
    (None, "d.json: a JSON Schema must be an object or a boolean"),
    ({"type": 5}, "d.json: invalid JSON Schema at type: 5 is not valid under any of the given schemas"),
    ({"properties": {"a": {"minimum": "x"}}},
     "d.json: invalid JSON Schema at properties/a/minimum: 'x' is not of type 'number'"),
], ids=["list", "string", "null", "bad-type", "nested"])
def test_compile_schema_refuses(schema: Any, message: str) -> None:
    with pytest.raises(SchemaError) as caught:
        compile_schema(schema, "d.json")
    assert str(caught.value) == message


def test_trusted_schemas_skip_the_metaschema_check() -> None:
    assert compile_schema({"type": 5}, "d.json", trusted=True).schema == {"type": 5}


@pytest.mark.parametrize("schema, instance, valid", [
    ({"type": "integer"}, 1, True), ({"type": "integer"}, "a", False), (True, "anything", True), (False, 1, False),
], ids=["valid", "invalid", "true-schema", "false-schema"])
def test_detailed_validates(schema: Any, instance: Any, valid: bool) -> None:
    detailed = compile_schema(schema, "d.json")
    assert isinstance(detailed, Detailed)
    assert detailed.is_valid(instance) is valid
    assert len(list(detailed.iter_errors(instance))) == (0 if valid else 1)


def test_detailed_builds_its_validator_once() -> None:
    detailed = Detailed({"type": "string"})
    assert detailed.validator() is detailed.validator()


def test_refs_resolve_inside_the_repository(tmp_path: Path) -> None:
    _put(tmp_path / "a.json", {"type": "integer"})
    _put(tmp_path / "sub" / "main.json",
         {"properties": {"p": {"$ref": "defs.json#/$defs/port"}, "q": {"$ref": "../a.json"}}})
    _put(tmp_path / "sub" / "defs.json", {"$defs": {"port": {"type": "integer", "maximum": 65535}}})
    schemas = LocalSchemas(tmp_path)
    validator = schemas.validator("sub/main.json")
    assert schemas.validator("sub/main.json") is validator
    assert sorted(e.message for e in validator.iter_errors({"p": 70000, "q": "x"})) == [
        "'x' is not of type 'integer'", "70000 is greater than the maximum of 65535"]


@pytest.mark.parametrize("ref", ["https://example.com/s.json", "OUTSIDE"], ids=["remote", "outside-the-repository"])
def test_refs_that_leave_the_repository_are_not_resolved(tmp_path: Path, ref: str) -> None:
    from referencing.exceptions import Unresolvable

    outside = _put(tmp_path / "other" / "p.json", {"type": "boolean"})
    root = tmp_path / "repo"
    _put(root / "s.json", {"$ref": outside.as_uri() if ref == "OUTSIDE" else ref})
    with pytest.raises(Unresolvable):
        list(LocalSchemas(root).validator("s.json").iter_errors(1))


def test_a_schema_named_by_absolute_path_resolves_refs_beside_it(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    _put(other / "o.json", {"$ref": "p.json"})
    _put(other / "p.json", {"type": "boolean"})
    validator = LocalSchemas(tmp_path / "repo").validator(str(other / "o.json"))
    assert [e.message for e in validator.iter_errors(1)] == ["1 is not of type 'boolean'"]


def test_a_relative_schema_path_may_not_leave_the_repository(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    _put(tmp_path / "x.json", {})
    with pytest.raises(SchemaError) as caught:
        LocalSchemas(tmp_path / "repo").validator("../x.json")
    assert str(caught.value) == "../x.json: schema path leaves the repository"


def test_an_invalid_user_schema_names_its_file(tmp_path: Path) -> None:
    _put(tmp_path / "schemas" / "bad.json", {"type": "nope"})
    with pytest.raises(SchemaError) as caught:
        LocalSchemas(tmp_path).validator("schemas/bad.json")
    assert caught.value.file == "schemas/bad.json"
    assert caught.value.cause.startswith("invalid JSON Schema at type: 'nope' is not valid under any of the given schemas")


def test_display(tmp_path: Path) -> None:
    schemas = LocalSchemas(tmp_path)
    assert schemas.display(tmp_path.resolve() / "sub" / "x.json") == "sub/x.json"
    assert schemas.display(Path("/etc/passwd")) == "/etc/passwd"
