"""Helpers: documents loaded from text as a run loads them, and the findings one cross-file check gives."""
from __future__ import annotations

import textwrap
from typing import Any, Callable

from trueup.load import load_text
from trueup.model import Document
from trueup.policy.crossfile import REGISTRY, CrossFileRule, all_rules

all_rules(entry_points=False)  # registers every built-in rule


def load(files: dict[str, str]) -> list[Document]:
    """The documents of ``files`` (name -> text, dedented): ``.env`` files as dotenv, the rest as YAML."""
    docs: list[Document] = []
    for name, text in files.items():
        fmt = "dotenv" if name.endswith(".env") else "yaml"
        docs += load_text(textwrap.dedent(text).lstrip("\n"), file=name, name=name, fmt=fmt).documents
    return docs


def rule_of(check: Callable[..., Any]) -> CrossFileRule:
    """The registered rule whose check is ``check`` (a module's function)."""
    return next(rule for rule in REGISTRY.values() if rule.check is check)


def found(check: Callable[..., Any], files: dict[str, str] | list[Document],
          settings: dict[str, Any] | None = None) -> list[tuple[str, int | None, str, str]]:
    """(file, line, pointer, message) of each finding ``check`` gives, in order; every finding must carry
    the rule's id and severity."""
    rule = rule_of(check)
    docs = load(files) if isinstance(files, dict) else files
    out = []
    for finding in check(rule, docs, settings or {}):
        assert (finding.rule, finding.severity) == (rule.id, rule.severity)
        out.append((finding.file, finding.line, finding.path, finding.message))
    return out
