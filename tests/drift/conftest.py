"""Helpers: build loaded Documents from plain data, as the loaders would."""
from __future__ import annotations

import json
from typing import Any

from trueup.drift import Context, Side, drift
from trueup.load import load_text
from trueup.model import Finding


def side(data: Any, name: str = "obj.yaml", rel: str | None = None) -> Side:
    docs = data if isinstance(data, list) else [data]
    # JSON is YAML 1.2 and quotes every string: types survive exactly (PyYAML's YAML 1.1
    # dumper leaves strings such as 0E0 plain, which YAML 1.2 reads as numbers).
    text = "".join(f"---\n{json.dumps(doc, indent=1)}\n" for doc in docs)
    loaded = load_text(text, file=name, name=name, fmt="yaml")
    return Side(rel if rel is not None else name, loaded.documents)


def drift_of(desired: Any, live: Any, name: str = "obj.yaml", **context: Any) -> list[Finding]:
    return list(drift([side(desired, "desired/" + name, name)], [side(live, "live/" + name, name)], Context(**context)))
