"""validate/compose.py: the compose-spec schema from check-jsonschema's vendored copy, compiled once."""
from __future__ import annotations

import json
from typing import Any

import pytest

from trueup.validate import fast
from trueup.validate.compose import compose_quick, compose_validator, schema_path


def test_the_schema_is_check_jsonschemas_vendored_compose_spec() -> None:
    path = schema_path()
    assert path.parts[-3:] == ("builtin_schemas", "vendor", "compose-spec.json")
    assert json.loads(path.read_text(encoding="utf-8"))["$id"] == compose_validator().schema["$id"]


def test_the_validator_is_compiled_once() -> None:
    assert compose_validator() is compose_validator()


@pytest.mark.parametrize("data, errors", [
    ({"services": {"web": {"image": "nginx", "ports": ["80:80"]}}}, []),
    ({"services": {"web": {"image": "nginx", "bogus": 1}}}, [(["services", "web"], "unevaluatedProperties")]),
    ({"services": {"web": {"image": "nginx", "ports": 80}}},
     [(["services", "web"], "unevaluatedProperties"), (["services", "web", "ports"], "type")]),
    ({"services": {"web": {"image": "nginx", "x-own": {"any": 1}}}}, []),
    ({"x-top": 1, "services": {}}, []),
], ids=["valid", "unknown-field", "ports-not-list", "service-extension", "top-extension"])
def test_compose_validator_judges_documents(data: dict[str, Any], errors: list[tuple[list[str], str]]) -> None:
    found = sorted((list(e.absolute_path), e.validator) for e in compose_validator().iter_errors(data))
    assert found == errors


def test_the_quick_check_agrees_where_it_is_enabled() -> None:
    quick = compose_quick()
    if not fast.enabled():
        assert quick is None
        return
    assert quick is not None
    assert quick({"services": {"web": {"image": "nginx"}}}) is True
    assert quick({"services": {"web": {"image": "nginx", "ports": 80}}}) is False
