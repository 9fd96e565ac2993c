"""A quick valid/invalid answer from jsonschema-rs, where it is installed (``trueup[fast]``).

Nearly every document a run validates is valid, and python-jsonschema spends most
of a run proving it; jsonschema-rs answers the same question about a hundred times
faster. Only a document it calls invalid goes on to python-jsonschema, which
explains each problem with its pointer and the message trueup prints. Without the
extra, or with ``TRUEUP_FAST_VALIDATION=0``, every document takes the detailed path;
the answers are the same either way (the test suite checks them against each other
on every document of the real-world corpus).
"""
from __future__ import annotations

import os
from typing import Any, Callable, Sequence

Quick = Callable[[Any], bool]


def enabled() -> bool:
    return os.environ.get("TRUEUP_FAST_VALIDATION", "1").strip().lower() not in ("0", "false", "no", "off")


def quick_registry(resources: Sequence[tuple[str, Any]]) -> Any:
    """The (URI, schema) pairs that schemas' ``$ref``s reach, built once for many schemas; None
    where jsonschema-rs is missing, switched off, or refuses them."""
    if not enabled():
        return None
    try:
        import jsonschema_rs

        return jsonschema_rs.Registry(list(resources))
    except Exception:  # the detailed path still resolves them
        return None


def quick_validator(schema: Any, registry: Any = None) -> Quick | None:
    """``is_valid`` for ``schema`` (its ``$ref``s resolved in ``registry``), or None where
    jsonschema-rs is missing, switched off, or cannot compile the schema."""
    if not enabled():
        return None
    try:
        import jsonschema_rs
    except ImportError:
        return None
    try:
        options: dict[str, Any] = {"validate_formats": False}  # python-jsonschema's default too
        if registry is not None:
            options["registry"] = registry
        validator = jsonschema_rs.validator_for(schema, **options)
    except Exception:  # any schema it cannot take keeps the detailed path; nothing is lost
        return None
    is_valid = validator.is_valid

    def quick(data: Any) -> bool:
        try:
            return bool(is_valid(data))
        except Exception:  # a value it cannot convert (a huge integer, say): let jsonschema decide
            return False

    return quick


def meta_valid(schema: Any) -> bool:
    """True when jsonschema-rs finds ``schema`` valid against its draft's metaschema (False where it
    does not, or is missing or switched off): python-jsonschema's own check, which costs more than
    compiling a large schema (a CRD's), then runs only for the schemas this cannot vouch for."""
    if not enabled():
        return False
    try:
        import jsonschema_rs

        return bool(jsonschema_rs.meta.is_valid(schema))
    except Exception:  # missing, or a schema it cannot read: the detailed check decides
        return False
