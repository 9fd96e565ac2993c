"""Where a value fails a rule's schema: the path python-jsonschema's ``best_match`` would give.

A finding lands on the failing value's own line, so each failing value needs the path
of its most relevant error. jsonschema builds every error object of a value to pick
one, which was most of a run's time on repositories with many findings. For the
keywords check packs use, this walks the schema in jsonschema's own order, keeps
each error as (path, keyword, schema, instance, branch errors), and picks one as
``jsonschema.exceptions.best_match`` does (its relevance key, then down into anyOf
and oneOf branches); any other keyword raises ``Unsupported``
and the caller asks jsonschema. The test suite checks the two agree on every failing
value of the real-world corpus.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from .fastcheck import Unsupported, equal, is_type

# (path, keyword, schema holding it, instance, the errors an anyOf/oneOf collected from its branches)
Error = tuple[tuple[Any, ...], str, Any, Any, list]

_ANNOTATIONS = {"$schema", "$id", "$comment", "title", "description", "examples", "default", "format",
                "deprecated", "readOnly", "writeOnly"}
_BOUNDS = {
    "minimum": lambda v, b: v >= b, "maximum": lambda v, b: v <= b,
    "exclusiveMinimum": lambda v, b: v > b, "exclusiveMaximum": lambda v, b: v < b,
}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def errors(schema: Any, value: Any, path: tuple[Any, ...] = ()) -> Iterator[Error]:
    """Every error of ``value`` against ``schema``, in the order jsonschema yields them."""
    if schema is True:
        return
    if schema is False:
        yield path, "False", schema, value, []
        return
    if not isinstance(schema, dict):
        raise Unsupported(type(schema).__name__)
    for key, arg in schema.items():
        if key in _ANNOTATIONS:
            continue
        if key == "properties":
            if isinstance(value, dict):
                for name, sub in arg.items():
                    if name in value:
                        yield from errors(sub, value[name], path + (name,))
        elif key == "patternProperties":
            if isinstance(value, dict):
                for pattern, sub in arg.items():
                    for name, item in value.items():
                        if re.search(pattern, name):
                            yield from errors(sub, item, path + (name,))
        elif key == "items":
            if "prefixItems" in schema or not isinstance(arg, (dict, bool)):
                raise Unsupported(key)
            if isinstance(value, list):
                if arg is False and value:
                    yield path, key, schema, value, []
                else:
                    for index, item in enumerate(value):
                        yield from errors(arg, item, path + (index,))
        elif key == "allOf":
            for sub in arg:
                yield from errors(sub, value, path)
        elif key in ("anyOf", "oneOf"):
            yield from _alternatives(key, arg, value, path, schema)
        elif key == "if":
            branch = "then" if _valid(arg, value) else "else"
            if branch in schema:
                yield from errors(schema[branch], value, path)
        elif key in ("then", "else"):
            continue
        elif _fails(key, arg, value):
            yield path, key, schema, value, []


def _valid(schema: Any, value: Any) -> bool:
    return next(errors(schema, value), None) is None


def _alternatives(key: str, options: Any, value: Any, path: tuple[Any, ...], schema: Any) -> Iterator[Error]:
    """jsonschema's anyOf and oneOf: one error carrying its branches' errors as context."""
    collected: list[Error] = []
    first_valid = None
    for index, sub in enumerate(options):
        found = list(errors(sub, value, path))
        if not found:
            first_valid = index
            break
        collected.extend(found)
    else:
        yield path, key, schema, value, collected
    if key == "oneOf" and first_valid is not None:
        if any(_valid(sub, value) for sub in options[first_valid + 1:]):
            yield path, key, schema, value, []


def _fails(key: str, arg: Any, value: Any) -> bool:
    """Whether a keyword that reports at the value itself fails there."""
    if key == "type":
        names = [arg] if isinstance(arg, str) else list(arg)
        return not any(is_type(value, name) for name in names)
    if key == "required":
        return isinstance(value, dict) and any(name not in value for name in arg)
    if key == "not":
        return next(errors(arg, value), None) is None
    if key == "enum":
        return all(not equal(value, option) for option in arg)
    if key == "const":
        return not equal(value, arg)
    if key == "pattern":
        return isinstance(value, str) and re.search(arg, value) is None
    if key in ("minLength", "maxLength"):
        return isinstance(value, str) and not (len(value) >= arg if key == "minLength" else len(value) <= arg)
    if key in _BOUNDS:
        return _number(value) and not _BOUNDS[key](value, arg)
    if key in ("minProperties", "maxProperties"):
        return isinstance(value, dict) and not (len(value) >= arg if key == "minProperties" else len(value) <= arg)
    if key in ("minItems", "maxItems"):
        return isinstance(value, list) and not (len(value) >= arg if key == "minItems" else len(value) <= arg)
    raise Unsupported(key)


def _matches_type(error: Error) -> bool:
    _, _, schema, instance, _ = error
    expected = schema.get("type") if isinstance(schema, dict) else None
    if expected is None:
        return False
    names = [expected] if isinstance(expected, str) else list(expected)
    return any(is_type(instance, name) for name in names)


def _relevance(error: Error) -> tuple[Any, ...]:
    path, keyword = error[0], error[1]
    return (-len(path), path, keyword not in ("anyOf", "oneOf"), False, not _matches_type(error))


def best_path(schema: Any, value: Any) -> tuple[Any, ...] | None:
    """The path of the error jsonschema's ``best_match`` picks; None when ``value`` is valid.
    Raises ``Unsupported`` for a schema with a keyword not handled here."""
    found = list(errors(schema, value))
    if not found:
        return None
    best = max(found, key=_relevance)
    while best[4]:
        smallest = sorted(best[4], key=_relevance)[:2]
        if len(smallest) == 2 and _relevance(smallest[0]) == _relevance(smallest[1]):
            break
        best = smallest[0]
    return best[0]
