"""Helpers: build loaded Documents from plain data, as the loaders would."""
from __future__ import annotations

from typing import Any

import yaml

from trueup.drift import Context, Side, drift
from trueup.load import load_text
from trueup.model import Finding


def side(data: Any, name: str = "obj.yaml", rel: str | None = None) -> Side:
    docs = data if isinstance(data, list) else [data]
    text = yaml.safe_dump_all(docs, sort_keys=False)
    loaded = load_text(text, file=name, name=name, fmt="yaml")
    return Side(rel if rel is not None else name, loaded.documents)


def drift_of(desired: Any, live: Any, name: str = "obj.yaml", **context: Any) -> list[Finding]:
    return list(drift([side(desired, "desired/" + name, name)], [side(live, "live/" + name, name)], Context(**context)))
