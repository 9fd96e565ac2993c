"""One run's checks of a document: its schemas, then the policy's rules.

The commands build one Checker and hand it to the stages; the schema validator knows
nothing of policy, and policy nothing of schemas.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

from .model import Document, Finding, as_applied

if TYPE_CHECKING:
    from .policy.packs import Policy
    from .validate import SchemaValidator


@dataclass
class Checker:
    schemas: SchemaValidator
    policy: Policy | None = None

    def check(self, doc: Document, schema: Path | None = None, patch: bool = False) -> Iterator[Finding]:
        """Schema findings, then rule findings, of one document; ``schema``: one more schema that
        applies to it (a Helm chart's values schema); ``patch``: a kustomize patch, a partial object:
        required fields may be missing, and only the rules about values in any file (secrets) apply,
        not those about what a whole object must have."""
        yield from self.schemas.check(doc, partial=patch)
        if schema is not None:
            yield from self.schemas.check_against(doc, schema)
        if self.policy is not None:
            yield from self.policy.check(as_applied(doc), values_only=patch)

    def unvalidated(self, doc: Document, schema: Path | None = None) -> str | None:
        """The kind of a document no schema validates (``config`` for a config file), else None."""
        return None if schema is not None else self.schemas.unvalidated(doc)

    def kept(self, doc: Document, partial: bool = False) -> Document | None:
        """What of ``doc`` the cross-file rules read (None: nothing, or no policy)."""
        return None if self.policy is None else self.policy.kept(as_applied(doc), partial)

    def cross(self, documents: Sequence[Document], partial: bool = False) -> Iterator[Finding]:
        if self.policy is not None:
            yield from self.policy.cross([as_applied(d) for d in documents], partial=partial)

    @property
    def rule_count(self) -> int:
        """How many rules run (per-document and cross-file)."""
        return 0 if self.policy is None else len(self.policy.rules) + len(self.policy.cross_file)
