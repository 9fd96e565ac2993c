"""Turn jsonschema errors into (pointer, message) pairs a person understands.

Messages never quote the instance value (it may be a secret); they say what was
expected. A failed ``oneOf``/``anyOf`` reports its most relevant branch, and an
unknown field is reported at the field's own key, so the line is the right one.
"""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:  # errors come from python-jsonschema, imported only when a document is invalid
    from jsonschema.exceptions import ValidationError

from ..pointer import escape_token, join_pointer

_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"),
               (list, "array"), (dict, "object"), (type(None), "null"))


def json_type(value: Any) -> str:
    for py, name in _JSON_TYPES:
        if isinstance(value, py):
            return name
    return type(value).__name__


def _types(expected: Any) -> list[str]:
    names = [expected] if isinstance(expected, str) else list(expected)
    return [n for n in names if n != "null"] or names


def _short(values: list[Any], limit: int = 8) -> str:
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f", … ({len(values)} in all)" if len(values) > limit else "")


def describe(error: ValidationError) -> str:
    kind = error.validator
    want = error.validator_value
    got = error.instance
    if kind == "type":
        return f"expected {' or '.join(_types(want))}, got {json_type(got)}"
    if kind == "required" and isinstance(got, dict):
        missing = [name for name in want if name not in got]
        return f"required field {missing[0]!r} is missing" if missing else "a required field is missing"
    if kind == "enum":
        return f"must be one of {_short(list(want))}"
    if kind == "const":
        return f"must be {want!r}"
    if kind == "pattern":
        return f"does not match the pattern {want!r}"
    if kind == "format":
        return f"is not a valid {want}"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        op = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[kind]
        return f"must be {op} {want}"
    if kind in ("minLength", "maxLength"):
        return f"must be {'at least' if kind == 'minLength' else 'at most'} {want} characters long"
    if kind in ("minItems", "maxItems"):
        return f"must have {'at least' if kind == 'minItems' else 'at most'} {want} items"
    if kind in ("minProperties", "maxProperties"):
        return f"must have {'at least' if kind == 'minProperties' else 'at most'} {want} fields"
    if kind == "uniqueItems":
        return "items must be unique"
    if kind == "multipleOf":
        return f"must be a multiple of {want}"
    if kind == "not":
        return "matches a schema it must not match"
    if kind == "dependentRequired":
        return "a field that depends on another is present without it"
    if kind in ("oneOf", "anyOf"):
        return _alternatives(error)
    if kind == "False" or error.schema is False:
        return "is not allowed here"
    return f"fails the schema's {kind!r} rule"


def _alternatives(error: ValidationError) -> str:
    """All branches failed on their type alone: name the types; else the generic form."""
    types: list[str] = []
    for sub in error.context or ():
        if sub.validator != "type" or sub.relative_path:
            break
        types.extend(t for t in _types(sub.validator_value) if t not in types)
    else:
        if types:
            return f"expected {' or '.join(types)}, got {json_type(error.instance)}"
    if error.validator == "oneOf" and not error.context:
        return "matches more than one of the allowed forms"
    return "matches none of the allowed forms"


def _relevant(error: ValidationError) -> list[ValidationError]:
    """For a failed ``oneOf``/``anyOf``: the errors of the branch the value was meant for.

    A branch that rejects the value's own type was not meant; among the rest, the
    one with the fewest errors is the closest match. When every branch rejects the
    type, the alternative itself is the clearest message ("expected A or B").
    """
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    if _alternatives(error).startswith("expected "):
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branch = sub.relative_schema_path[0] if sub.relative_schema_path else None
        branches.setdefault(branch, []).append(sub)
    viable = [
        errs for errs in branches.values()
        if not any(e.validator == "type" and not e.relative_path for e in errs)
    ]
    if not viable:
        from jsonschema.exceptions import best_match, relevance

        deepest = best_match(error.context, key=relevance)
        return _relevant(deepest) if deepest is not None else [error]
    closest = min(viable, key=len)
    return [leaf for sub in closest for leaf in _relevant(sub)]


_UNEXPECTED = re.compile(r"\((.*) (?:was|were) unexpected\)\s*$", re.S)


def _unknown_fields(error: ValidationError) -> list[str]:
    """Names jsonschema itself called unexpected (its message lists them as Python reprs)."""
    if error.validator not in ("additionalProperties", "unevaluatedProperties") or not isinstance(
        error.instance, dict
    ):
        return []
    match = _UNEXPECTED.search(error.message)
    if match:
        try:
            names = ast.literal_eval(f"[{match.group(1)}]")
            return [str(n) for n in names if n in error.instance]
        except (ValueError, SyntaxError):
            pass
    schema = error.schema if isinstance(error.schema, dict) else {}
    known = set(schema.get("properties", {}))
    patterns = list(schema.get("patternProperties", {}))
    return [k for k in error.instance if k not in known and not any(re.search(p, k) for p in patterns)]


def _about_a_name(error: ValidationError) -> bool:
    """Whether ``error`` is about a key of an object rather than a value: a ``propertyNames`` schema,
    which jsonschema applies to each key as an instance without adding the key to the error's path."""
    return isinstance(error.instance, str) and "propertyNames" in error.absolute_schema_path


UNKNOWN_FIELD = "unknown field "


def is_unknown_field(message: str) -> bool:
    """Whether ``explain`` reported a key the schema does not allow (additional/unevaluated properties)."""
    return message.startswith(UNKNOWN_FIELD)


def explain(errors: Iterator[ValidationError]) -> list[tuple[str, str]]:
    """(JSON Pointer, message) per problem, deduplicated, in document order of discovery."""
    out: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    relevant = [leaf for e in errors for leaf in _relevant(e)]
    chosen = [(e, join_pointer(e.absolute_path)) for e in relevant]
    pointers = [p for _, p in chosen]
    for error, base in chosen:
        unknown = _unknown_fields(error)
        if unknown:
            # A property that failed its own schema also counts as "unevaluated"; its own error says more.
            items = [
                (f"{base}/{escape_token(k)}", f"{UNKNOWN_FIELD}{k!r}")
                for k in unknown
                if not any(p == f"{base}/{escape_token(k)}" or p.startswith(f"{base}/{escape_token(k)}/") for p in pointers)
            ]
        elif _about_a_name(error):
            # The object's key itself failed (``propertyNames``): its own pointer, so its own line, and its name.
            items = [(f"{base}/{escape_token(error.instance)}", f"the name {error.instance!r} {describe(error)}")]
        else:
            items = [(base, describe(error))]
        for item in items:
            if item not in seen:
                seen.add(item)
                out.append(item)
    return out
