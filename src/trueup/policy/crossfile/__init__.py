"""Cross-file rules: the only rules that are code, because they compare documents with each other.

Each is a function from every document of a run (an environment's rendered files,
or the files given to ``validate``) to findings, registered with its id, severity
and texts. Third-party packages add their own under the ``trueup.crossfile``
entry point group (a CrossFileRule, or a list of them).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from ... import installed
from ...errors import ConfigError
from ...model import Document, Finding, Severity

ENTRY_POINT_GROUP = "trueup.crossfile"
Check = Callable[["CrossFileRule", Sequence[Document], dict[str, Any]], Iterator[Finding]]
# What a rule reads of a document, so a run keeps no more than that in memory until the
# cross-file rules run: WHOLE, NAME (apiVersion, kind and metadata) or None (nothing).
Reads = Callable[[Document, dict[str, Any]], "str | None"]
WHOLE, NAME = "whole", "name"


@dataclass(frozen=True)
class CrossFileRule:
    id: str
    title: str
    severity: Severity
    description: str
    remediation: str
    check: Check
    pack: str = "crossfile"
    # Needs every document of the environment: given only some files (a pre-commit hook's),
    # a reference that resolves in a file not given is not a violation, so the rule does not run.
    complete: bool = False
    reads: Reads | None = None  # None: the whole of every document (rules from entry points)
    profile: str = "standard"  # the smallest profile that runs it
    peers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # equivalent checks of other linters

    def keeps(self, doc: Document, settings: dict[str, Any]) -> str | None:
        return WHOLE if self.reads is None else self.reads(doc, settings)

    def run(self, documents: Sequence[Document], settings: dict[str, Any] | None = None) -> Iterator[Finding]:
        """``settings``: the ``policy`` section of trueup.yaml (version groups, port pairings...)."""
        return self.check(self, documents, settings or {})


REGISTRY: dict[str, CrossFileRule] = {}


def register(id: str, title: str, severity: str, description: str, remediation: str,
             complete: bool = False, reads: Reads | None = None, profile: str = "standard",
             peers: dict[str, tuple[str, ...]] | None = None) -> Callable[[Check], Check]:
    def add(check: Check) -> Check:
        REGISTRY[id] = CrossFileRule(id, title, Severity.parse(severity), description, remediation, check,
                                     complete=complete, reads=reads, profile=profile, peers=peers or {})
        return check

    return add


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


def compose_files(doc: Document, settings: dict[str, Any]) -> str | None:
    return WHOLE if doc.kind == "compose" else None
