"""Cross-file rules: the only rules that are code, because they compare documents with each other.

Each is a function from every document of a run (an environment's rendered files,
or the files given to ``validate``) to findings, registered with its id, severity
and texts. Third-party packages add their own under the ``trueup.crossfile``
entry point group (a CrossFileRule, or a list of them).
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Any, Callable, Iterator, Sequence

from ...errors import ConfigError
from ...model import Document, Finding, Severity

ENTRY_POINT_GROUP = "trueup.crossfile"
Check = Callable[["CrossFileRule", Sequence[Document], dict[str, Any]], Iterator[Finding]]


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

    def run(self, documents: Sequence[Document], settings: dict[str, Any] | None = None) -> Iterator[Finding]:
        """``settings``: the ``policy`` section of trueup.yaml (version groups, port pairings...)."""
        return self.check(self, documents, settings or {})


REGISTRY: dict[str, CrossFileRule] = {}


def register(id: str, title: str, severity: str, description: str, remediation: str,
             complete: bool = False) -> Callable[[Check], Check]:
    def add(check: Check) -> Check:
        REGISTRY[id] = CrossFileRule(id, title, Severity.parse(severity), description, remediation, check,
                                     complete=complete)
        return check

    return add


def all_rules(entry_points: bool = True) -> list[CrossFileRule]:
    from . import compose, configured, kubernetes  # noqa: F401  (registration)

    rules = dict(REGISTRY)
    if entry_points:
        for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
            try:
                found = entry.load()
                found = found() if callable(found) and not isinstance(found, CrossFileRule) else found
            except Exception as exc:  # a broken plugin is a config problem, not a crash
                raise ConfigError(f"cross-file rule entry point {entry.name!r} failed to load: {exc}") from None
            for rule in [found] if isinstance(found, CrossFileRule) else list(found):
                rules[rule.id] = rule
    return list(rules.values())

