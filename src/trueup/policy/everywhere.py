"""One walk of a document for every rule that selects ``/**``.

Such rules (the secrets pack) look at every value of every document; walking the
tree once per rule was most of a policy run. Here each value meets every such
rule's fast check in one pass, and a value's JSON Pointer is spelled out only when
a rule fails it. Findings come out per rule in document order, as ``Rule.check``
yields them.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Sequence

from ..model import Document, Finding
from ..pointer import join_pointer
from .literals import Needs, required_literals
from .rules import Rule

# A place in the tree as a chain (parent chain, token): cheaper to make per value than a string.
Where = tuple[Any, str] | None


def _pointer(where: Where) -> str:
    tokens: list[str] = []
    while where is not None:
        where, token = where
        tokens.append(token)
    return join_pointer(reversed(tokens))


@lru_cache(maxsize=16)
def _any_of(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], Needs | None] | None:
    """One regex that finds a match wherever any of ``patterns`` would (None if they do not combine),
    and the literals one of which a string needs for it to find one."""
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns)), required_literals(patterns)
    except re.error:
        return None


def every_value(doc: Document, rules: Sequence[Rule]) -> dict[str, list[Finding]]:
    """Findings by rule id for rules whose ``everywhere`` holds, from one pre-order walk."""
    forbidding = [rule for rule in rules if rule.forbidden is not None]
    combined = _any_of(tuple(rule.forbidden or "" for rule in forbidding)) if forbidding else None
    if combined is None:
        forbidding = []
    checks = [(rule, rule.fast) for rule in rules if rule not in forbidding]
    strings = [(rule, rule.fast) for rule in forbidding]
    search = combined[0].search if combined is not None else None
    needs = combined[1] if combined is not None else None
    failed: list[tuple[Rule, Where, Any]] = []
    stack: list[tuple[Any, Where]] = [(doc.data, None)]
    pop, push = stack.pop, stack.append
    while stack:
        value, where = pop()
        for rule, fast in checks:
            if not fast(value):
                failed.append((rule, where, value))
        if isinstance(value, str):
            if search is not None and (needs is None or any(text in value for text in needs)) \
                    and search(value) is not None:
                failed.extend((rule, where, value) for rule, fast in strings if not fast(value))
        elif isinstance(value, dict):
            for key, child in reversed(list(value.items())):
                push((child, (where, str(key))))
        elif isinstance(value, list):
            for index in range(len(value) - 1, -1, -1):
                push((value[index], (where, str(index))))
    found: dict[str, list[Finding]] = {}
    for rule, where, value in failed:
        finding = rule.explain(doc, _pointer(where), value)
        if finding is not None:
            found.setdefault(rule.id, []).append(finding)
    return found
