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

from ..mask import MASK, display_value
from ..model import Document, Finding, Severity
from ..pointer import escape_token, resolves, steps
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


def _forms(value: Any) -> list[str]:
    text = str(value).lower()
    return [text, "true" if value else "false"] if isinstance(value, bool) else [text]


def _hidden(value: Any, texts: list[str]) -> bool:
    """Whether a scalar is, or is inside, a secret its files hold (short ones must be the whole of it)."""
    if value is None or value == "" or not texts:
        return False
    return any(form == text or (len(form) >= 4 and form in text) for form in _forms(value) for text in texts)


def _shown(root: Any, key: str, value: Any, texts: list[str]) -> Any:
    """``value`` as the report may show it: masked where it is a secret by name, or one of ``texts``."""
    if isinstance(value, dict):
        return {k: _shown(root, f"{key}/{escape_token(str(k))}", v, texts) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown(root, f"{key}/{i}", v, texts) for i, v in enumerate(value)]
    return MASK if _hidden(value, texts) else display_value(root, key, value, "config")


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
        doc = _defined(state.values, key)
        verb = {"changed": "changes", "missing": "is added", "extra": "is removed"}[diff.kind]
        reach = f"reaches {', '.join(files)}" if files else "reaches no rendered file"
        pos = doc.locate(key) if doc is not None else None
        yield Finding(
            rule="change.values", severity=Severity.INFO, message=f"values {key} {verb}: {reach}",
            target=doc.source.file if doc is not None else "values", path=key,
            file=doc.source.file if doc is not None else None, line=pos[0] if pos else None,
            column=pos[1] if pos else None, environment=env,
            desired=_shown(new, key, diff.desired, texts) if not removed else None,
            live=_shown(old, key, diff.live, texts) if diff.kind != "missing" else None,
        )
