"""What a cross-file rule is, and the registry the rule modules add theirs to: kept apart from the
package's ``__init__``, which imports every rule module, so that none of them imports it back."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from ...model import Document, Finding, Severity

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


def compose_files(doc: Document, settings: dict[str, Any]) -> str | None:
    return WHOLE if doc.kind == "compose" else None
