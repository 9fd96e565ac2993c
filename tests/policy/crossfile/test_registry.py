"""policy/crossfile/registry.py: what a cross-file rule is, and how one is registered."""
from __future__ import annotations

from typing import Any, Iterator, Sequence

import pytest

from trueup.model import Document, Finding, Severity, Source
from trueup.policy.crossfile import registry
from trueup.policy.crossfile.registry import NAME, WHOLE, CrossFileRule, compose_files, register


def _check(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    for doc in documents:
        yield Finding(rule.id, rule.severity, f"{len(documents)} {settings.get('x')}", doc.target)


def _doc(kind: str, data: Any = None) -> Document:
    return Document(data if data is not None else {}, Source("f.yaml", "f.yaml", "", "yaml"), kind=kind)


def test_register_adds_the_rule_and_returns_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "REGISTRY", {})
    assert register("R-1", "T", "error", "D", "F", complete=True, reads=compose_files)(_check) is _check
    assert registry.REGISTRY == {"R-1": CrossFileRule("R-1", "T", Severity.HIGH, "D", "F", _check, complete=True,
                                                      reads=compose_files)}


def test_run_hands_the_rule_its_settings_or_none() -> None:
    rule = CrossFileRule("R-2", "T", Severity.LOW, "D", "F", _check)
    docs = [_doc("config"), _doc("config")]
    assert [f.message for f in rule.run(docs, {"x": 7})] == ["2 7", "2 7"]
    assert [f.message for f in rule.run(docs)] == ["2 None", "2 None"]


@pytest.mark.parametrize("kind, kept", [("compose", WHOLE), ("kubernetes", None), ("config", None)])
def test_compose_files_keep_only_compose_documents(kind: str, kept: str | None) -> None:
    assert compose_files(_doc(kind), {}) == kept
    rule = CrossFileRule("R-3", "T", Severity.LOW, "D", "F", _check, reads=compose_files)
    assert rule.keeps(_doc(kind), {}) == kept


def test_a_rule_that_says_nothing_of_what_it_reads_keeps_the_whole_document() -> None:
    rule = CrossFileRule("R-4", "T", Severity.LOW, "D", "F", _check)
    assert rule.keeps(_doc("kubernetes"), {}) == WHOLE
    assert (WHOLE, NAME) == ("whole", "name")
