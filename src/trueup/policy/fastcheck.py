"""A fast yes/no for a rule's JSON Schema, before jsonschema explains a failure.

Policy rules select many values (``/**`` selects every value of every document)
and nearly all of them pass, so a full ``jsonschema`` evaluation of each is where a
run's time went. The common keywords of check packs compile here to plain Python
predicates; a value they pass is done, and only a value they fail goes to jsonschema
for its message and pointer. A schema with any keyword this does not know compiles
to None, and the rule keeps jsonschema for every value. Draft 2020-12 semantics:
``format`` is an annotation, ``1.0`` is an integer, ``true`` is not a number, and
``enum``/``const`` compare with those types (``1`` is not ``true``).
"""
from __future__ import annotations

import re
from typing import Any, Callable

Check = Callable[[Any], bool]

_IGNORED = {"$schema", "$id", "$comment", "title", "description", "examples", "default", "format", "deprecated",
            "readOnly", "writeOnly"}


class Unsupported(Exception):
    pass


def is_type(value: Any, name: str) -> bool:
    """JSON Schema's ``type`` as Draft 2020-12 defines it on plain data (a bool is no integer; 1.0 is one)."""
    if name == "string":
        return isinstance(value, str)
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, (int, float))
    raise Unsupported(name)


def equal(a: Any, b: Any) -> bool:
    """JSON Schema's equality (``const``, ``enum``): 1 equals 1.0, but true equals neither 1 nor 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _compile(schema: Any) -> Check:
    if schema is True or schema == {}:
        return lambda value: True
    if schema is False:
        return lambda value: False
    if not isinstance(schema, dict):
        raise Unsupported(type(schema).__name__)
    checks: list[Check] = []
    for key, arg in schema.items():
        if key in _IGNORED or key in ("then", "else"):
            continue
        checks.append(_keyword(key, arg, schema))
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)
    return lambda value: all(check(value) for check in checks)


_SIMPLE_TYPES: dict[str, Any] = {"string": str, "object": dict, "array": list}


def _keyword(key: str, arg: Any, schema: dict) -> Check:
    if key == "type":
        names = [arg] if isinstance(arg, str) else list(arg)
        for name in names:
            is_type(None, name)  # an unknown type name is Unsupported now, not at run time
        if len(names) == 1 and names[0] in _SIMPLE_TYPES:
            python_type = _SIMPLE_TYPES[names[0]]
            return lambda v: isinstance(v, python_type)
        return lambda v: any(is_type(v, n) for n in names)
    if key == "not":
        inner = _compile(arg)
        return lambda v: not inner(v)
    if key in ("anyOf", "allOf", "oneOf"):
        parts = [_compile(s) for s in arg]
        if key == "anyOf":
            return lambda v: any(p(v) for p in parts)
        if key == "allOf":
            return lambda v: all(p(v) for p in parts)
        return lambda v: sum(1 for p in parts if p(v)) == 1
    if key == "if":
        test = _compile(arg)
        then = _compile(schema.get("then", True))
        otherwise = _compile(schema.get("else", True))
        return lambda v: then(v) if test(v) else otherwise(v)
    if key == "pattern":
        regex = re.compile(arg)
        return lambda v: not isinstance(v, str) or regex.search(v) is not None
    if key in ("maxLength", "minLength"):
        bound = int(arg)
        if key == "maxLength":
            return lambda v: not isinstance(v, str) or len(v) <= bound
        return lambda v: not isinstance(v, str) or len(v) >= bound
    if key == "required":
        names = list(arg)
        return lambda v: not isinstance(v, dict) or all(n in v for n in names)
    if key == "properties":
        props = {name: _compile(s) for name, s in arg.items()}
        return lambda v: not isinstance(v, dict) or all(c(v[n]) for n, c in props.items() if n in v)
    if key == "patternProperties":
        pats = [(re.compile(p), _compile(s)) for p, s in arg.items()]
        return lambda v: not isinstance(v, dict) or all(
            c(item) for k, item in v.items() for r, c in pats if r.search(k))
    if key == "items":
        each = _compile(arg)
        return lambda v: not isinstance(v, list) or all(each(i) for i in v)
    if key == "contains":
        if "minContains" in schema or "maxContains" in schema:
            raise Unsupported(key)
        some = _compile(arg)
        return lambda v: not isinstance(v, list) or any(some(i) for i in v)
    if key in ("minProperties", "maxProperties"):
        bound = int(arg)
        if key == "minProperties":
            return lambda v: not isinstance(v, dict) or len(v) >= bound
        return lambda v: not isinstance(v, dict) or len(v) <= bound
    if key in ("minItems", "maxItems"):
        bound = int(arg)
        if key == "minItems":
            return lambda v: not isinstance(v, list) or len(v) >= bound
        return lambda v: not isinstance(v, list) or len(v) <= bound
    if key == "enum":
        options = list(arg)
        return lambda v: any(equal(v, o) for o in options)
    if key == "const":
        return lambda v: equal(v, arg)
    if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        limit = arg
        tests = {"minimum": lambda v: v >= limit, "maximum": lambda v: v <= limit,
                 "exclusiveMinimum": lambda v: v > limit, "exclusiveMaximum": lambda v: v < limit}[key]
        return lambda v: not _number(v) or tests(v)
    raise Unsupported(key)


def compile_check(schema: Any) -> Check | None:
    """A predicate that agrees with jsonschema's ``is_valid`` for ``schema``, or None."""
    try:
        return _compile(schema)
    except (Unsupported, re.error, TypeError, ValueError):
        return None
