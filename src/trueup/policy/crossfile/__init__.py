"""Cross-file rules: the only rules that are code, because they compare documents with each other.

Each is a function from every document of a run (an environment's rendered files,
or the files given to ``validate``) to findings, registered with its id, severity
and texts. Third-party packages add their own under the ``trueup.crossfile``
entry point group (a CrossFileRule, or a list of them).
"""
from __future__ import annotations

from typing import Any, Sequence

from ... import installed
from ...errors import ConfigError
from ...model import Document
from .registry import NAME, REGISTRY, WHOLE, Check, CrossFileRule, Reads, compose_files, register

__all__ = ["ENTRY_POINT_GROUP", "NAME", "REGISTRY", "WHOLE", "Check", "CrossFileRule", "Reads", "all_rules",
           "compose_files", "kept", "register"]

ENTRY_POINT_GROUP = "trueup.crossfile"
def all_rules(entry_points: bool = True) -> list[CrossFileRule]:
    from . import accounts, budgets, compose, configured, dangling, kubernetes, workloads  # noqa: F401  (registration)

    rules = dict(REGISTRY)
    if entry_points:
        for entry in installed.entry_points(ENTRY_POINT_GROUP):
            try:
                found = entry.load()
                found = found() if callable(found) and not isinstance(found, CrossFileRule) else found
            except Exception as exc:  # a broken plugin is a config problem, not a crash
                raise ConfigError(f"cross-file rule entry point {entry.name!r} failed to load: {exc}") from None
            for rule in [found] if isinstance(found, CrossFileRule) else list(found):
                rules[rule.id] = rule
    return list(rules.values())



def kept(doc: Document, rules: Sequence[CrossFileRule], settings: dict[str, Any]) -> Document | None:
    """The part of ``doc`` the cross-file ``rules`` read (the document itself, its name alone,
    or None): what a run holds in memory for them while the files stream past."""
    verdicts = {rule.keeps(doc, settings) for rule in rules}
    if WHOLE in verdicts:
        return doc
    if NAME in verdicts and isinstance(doc.data, dict):
        slim = {key: doc.data[key] for key in ("apiVersion", "kind", "metadata") if key in doc.data}
        return Document(slim, doc.source, doc.index, doc.base, doc.kind)
    return None
