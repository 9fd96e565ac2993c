"""``change.values``: each values key a change alters, and every rendered file it reaches.

While rendering, trueup records which values each template reads (``render.track_reads``);
a key reaches a file when its template read that key, a part of it or a whole mapping
holding it. A values key's old and new values are shown as the report shows any value,
except that a value found inside a secret of a file it reaches (a Secret's data, decoded
too; a password) is masked whatever the key is called: ``db: {conn: ...}`` feeding a
Secret is as secret as the Secret.
"""
from __future__ import annotations

import base64
import binascii
from typing import Any, Iterator

from ..mask import display_value, mask
from ..model import Document, Finding, Severity
from ..pointer import resolves, steps
from ..policy.select import select


def _leaves(reads: frozenset[str]) -> set[str]:
    """The most specific reads: ``/app`` is only a way to ``/app/logLevel`` when that is read too."""
    return {r for r in reads if not any(other.startswith(r + "/") for other in reads)}


def reaches(reads: frozenset[str], key: str) -> bool:
    """Whether a template that read ``reads`` depends on the values at ``key``."""
    return any(r == key or key.startswith(r + "/") or r.startswith(key + "/") for r in _leaves(reads))


def _defined(values: Any, key: str) -> Document | None:
    """The values file whose value for ``key`` wins (the last layer that sets it, or an ancestor of it)."""
    for doc in reversed(getattr(values, "layers", [])):
        if resolves(doc.data, key):
            return doc
    for doc in reversed(getattr(values, "layers", [])):
        if steps(doc.data, key):
            return doc
    return None


def _decoded(text: str) -> str | None:
    if len(text) < 4 or len(text) % 4:
        return None
    try:
        return base64.b64decode(text, validate=True).decode("utf-8", errors="ignore")
    except (binascii.Error, ValueError):
        return None


def secret_texts(state: Any) -> dict[str, list[str]]:
    """Per template file, the (lowercased) values its rendered output masks, base64 decoded too."""
    out: dict[str, list[str]] = {}
    for _, docs in state.outputs:
        for doc in docs:
            texts = out.setdefault(doc.source.file, [])
            for pointer, value in select(doc.data, "/**"):
                if isinstance(value, (dict, list)) or value is None:
                    continue
                if display_value(doc.data, pointer, value, doc.kind) == value:
                    continue
                texts.append(str(value).lower())
                decoded = _decoded(str(value))
                if decoded:
                    texts.append(decoded.lower())
    return out


def _scalars(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list):
        for item in value:
            yield from _scalars(item)
    elif value is not None and value != "":
        yield str(value).lower()
        if isinstance(value, bool):
            yield "true" if value else "false"


def _within(value: Any, texts: list[str]) -> bool:
    return any(s in text for s in _scalars(value) for text in texts)


def values_reach(before: Any, after: Any, env: str) -> Iterator[Finding]:
    """One finding per values key the change alters: where it is set, and the files it reaches."""
    from ..drift.compare import Rules, Walker

    new = after.values.data if after.values is not None else {}
    old = before.values.data if before.values is not None else {}
    secrets = [secret_texts(before), secret_texts(after)]
    for diff in Walker(Rules()).run(new, old):
        removed = diff.kind == "extra"
        key = diff.live_path if removed else diff.desired_path
        state = before if removed else after
        files = sorted(f for f, reads in state.reads.items() if reaches(reads, key))
        texts = [t for s, found in zip((before, after), secrets)
                 for f, reads in s.reads.items() if reaches(reads, key) for t in found.get(f, [])]
        hidden = _within(diff.desired, texts) or _within(diff.live, texts)
        doc = _defined(state.values, key)
        verb = {"changed": "changes", "missing": "is added", "extra": "is removed"}[diff.kind]
        reach = f"reaches {', '.join(files)}" if files else "reaches no rendered file"
        pos = doc.locate(key) if doc is not None else None
        yield Finding(
            rule="change.values", severity=Severity.INFO, message=f"values {key} {verb}: {reach}",
            target=doc.source.file if doc is not None else "values", path=key,
            file=doc.source.file if doc is not None else None, line=pos[0] if pos else None,
            column=pos[1] if pos else None, environment=env,
            desired=(mask(diff.desired, True) if hidden else display_value(new, key, diff.desired, "config"))
            if not removed else None,
            live=(mask(diff.live, True) if hidden else display_value(old, key, diff.live, "config"))
            if diff.kind != "missing" else None,
        )
