"""validate/messages.py: jsonschema errors as (pointer, message) pairs that never quote the value."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from trueup.validate.messages import UNKNOWN_FIELD, describe, explain, is_unknown_field, json_type


def _described(schema: Any, instance: Any) -> list[str]:
    return [describe(e) for e in Draft202012Validator(schema).iter_errors(instance)]


def _explained(schema: Any, instance: Any) -> list[tuple[str, str]]:
    return explain(Draft202012Validator(schema).iter_errors(instance))


@pytest.mark.parametrize("value, expected", [
    (True, "boolean"), (1, "integer"), (1.0, "number"), ("s", "string"), ([], "array"), ({}, "object"),
    (None, "null"), (b"x", "bytes"), ((1,), "tuple"),
], ids=lambda v: repr(v))
def test_json_type(value: Any, expected: str) -> None:
    assert json_type(value) == expected


@pytest.mark.parametrize("schema, instance, expected", [
    ({"type": ["string", "null"]}, 1, "expected string, got integer"),
    ({"type": "null"}, 1, "expected null, got integer"),
    ({"type": ["integer", "boolean"]}, "x", "expected integer or boolean, got string"),
    ({"required": ["a", "b"]}, {"b": 1}, "required field 'a' is missing"),
    ({"enum": list(range(10))}, 99, "must be one of 0, 1, 2, 3, 4, 5, 6, 7, … (10 in all)"),
    ({"enum": ["a", "b"]}, "secret", "must be one of 'a', 'b'"),
    ({"const": "x"}, "secret", "must be 'x'"),
    ({"pattern": "^a$"}, "secret", "does not match the pattern '^a$'"),
    ({"minimum": 3}, 1, "must be >= 3"),
    ({"maximum": 3}, 4, "must be <= 3"),
    ({"exclusiveMinimum": 3}, 3, "must be > 3"),
    ({"exclusiveMaximum": 3}, 3, "must be < 3"),
    ({"minLength": 2}, "a", "must be at least 2 characters long"),
    ({"maxLength": 1}, "ab", "must be at most 1 characters long"),
    ({"minItems": 2}, [], "must have at least 2 items"),
    ({"maxItems": 1}, [1, 2], "must have at most 1 items"),
    ({"minProperties": 1}, {}, "must have at least 1 fields"),
    ({"maxProperties": 0}, {"a": 1}, "must have at most 0 fields"),
    ({"uniqueItems": True}, [1, 1], "items must be unique"),
    ({"multipleOf": 2}, 3, "must be a multiple of 2"),
    ({"not": {}}, 1, "matches a schema it must not match"),
    ({"dependentRequired": {"a": ["b"]}}, {"a": 1}, "a field that depends on another is present without it"),
    (False, 1, "is not allowed here"),
    ({"contains": {"type": "string"}}, [1], "fails the schema's 'contains' rule"),
    ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, [], "expected string or integer, got array"),
    ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, [], "expected string or integer, got array"),
    ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, 1, "matches more than one of the allowed forms"),
    ({"oneOf": [{"type": "object", "required": ["a"]}, {"type": "string"}]}, {}, "matches none of the allowed forms"),
], ids=["type-null-dropped", "type-only-null", "types", "required", "enum-long", "enum", "const", "pattern",
        "minimum", "maximum", "exclusive-minimum", "exclusive-maximum", "min-length", "max-length", "min-items",
        "max-items", "min-properties", "max-properties", "unique", "multiple-of", "not", "dependent-required",
        "false-schema", "other-keyword", "one-of-types", "any-of-types", "one-of-many", "one-of-none"])
def test_describe(schema: Any, instance: Any, expected: str) -> None:
    assert _described(schema, instance) == [expected]
    assert "secret" not in expected


@pytest.mark.parametrize("schema, instance, expected", [
    ({"oneOf": [{"type": "object", "required": ["a"]}, {"type": "string"}]}, {},
     [("", "required field 'a' is missing")]),
    ({"properties": {"a": {"type": "integer"}}, "additionalProperties": False}, {"a": "x", "b~/": 1, "c": 2},
     [("/a", "expected integer, got string"), ("/b~0~1", "unknown field 'b~/'"), ("/c", "unknown field 'c'")]),
    ({"properties": {"a": {"type": "integer"}}, "unevaluatedProperties": False}, {"a": "x", "b": 1},
     [("/a", "expected integer, got string"), ("/b", "unknown field 'b'")]),
    ({"patternProperties": {"^x-": {}}, "additionalProperties": False}, {"x-a": 1, "y": 2},
     [("/y", "unknown field 'y'")]),
    ({"properties": {"p": {"anyOf": [{"type": "object", "properties": {"x": {"type": "integer"}}},
                                     {"type": "string"}]}}}, {"p": {"x": "s"}},
     [("/p/x", "expected integer, got string")]),
    ({"items": {"type": "integer"}}, [1, "a", "b"],
     [("/1", "expected integer, got string"), ("/2", "expected integer, got string")]),
    ({"allOf": [{"type": "integer"}, {"type": "integer"}]}, "a", [("", "expected integer, got string")]),
    ({"type": "object"}, {}, []),
    ({"propertyNames": {"pattern": "^[a-z]+$"}}, {"ok": 1, "bad name": 2, "a/b": 3},
     [("/bad name", "the name 'bad name' does not match the pattern '^[a-z]+$'"),
      ("/a~1b", "the name 'a/b' does not match the pattern '^[a-z]+$'")]),
    ({"properties": {"env": {"propertyNames": {"maxLength": 3}}}}, {"env": {"long": {}}},
     [("/env/long", "the name 'long' must be at most 3 characters long")]),
    ({"propertyNames": {"enum": ["a"]}, "additionalProperties": {"type": "integer"}}, {"b": "x"},
     [("/b", "the name 'b' must be one of 'a'"), ("/b", "expected integer, got string")]),
    ({"patternProperties": {"^x-": {"type": "integer"}}}, {"x-a": "s"}, [("/x-a", "expected integer, got string")]),
], ids=["branch-meant", "additional", "unevaluated", "pattern-properties-allowed", "nested-branch", "items",
        "deduplicated", "valid", "property-names", "nested-property-names", "name-and-value", "pattern-properties"])
def test_explain(schema: Any, instance: Any, expected: list[tuple[str, str]]) -> None:
    assert _explained(schema, instance) == expected


def test_a_property_that_fails_its_own_schema_is_not_also_unknown() -> None:
    schema = {"allOf": [{"properties": {"a": {"properties": {"b": {"type": "integer"}}}}}],
              "unevaluatedProperties": False}
    assert _explained(schema, {"a": {"b": "x"}}) == [("/a/b", "expected integer, got string")]


@pytest.mark.parametrize("message, expected", [
    ("unknown field 'x'", True), (f"{UNKNOWN_FIELD}'y'", True), ("an unknown field 'x'", False),
    ("expected integer, got string", False),
], ids=["unknown", "constant", "not-at-start", "other"])
def test_is_unknown_field(message: str, expected: bool) -> None:
    assert is_unknown_field(message) is expected


SECRET = st.text(alphabet="ABCXYZ0123456789!#", min_size=8, max_size=16)


@settings(max_examples=100, deadline=None)
@given(SECRET)
def test_messages_never_quote_the_value(secret: str) -> None:
    schema = {"properties": {"a": {"type": "integer"}, "b": {"pattern": "^z$"}, "c": {"enum": ["q"]},
                             "d": {"maxLength": 2}, "e": {"const": "k"}}}
    found = _explained(schema, {k: secret for k in "abcde"})
    assert [p for p, _ in found] == ["/a", "/b", "/c", "/d", "/e"]
    assert all(secret not in message for _, message in found)
