"""The one-walk pass for ``/**`` rules finds exactly what each rule finds on its own walk,
on every document of the fixtures and the shared real-world corpus."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLES, REPO, documents_under
from trueup.model import Document, Source
from trueup.policy.everywhere import every_value
from trueup.policy.packs import PolicySettings, load_policy

CORPUS = REPO.parent / "shared" / "corpus"
RULES = [r for r in load_policy(PolicySettings(entry_points=False), REPO).rules if r.everywhere]


def _roots() -> list[Path]:
    return [EXAMPLES] + ([CORPUS] if (CORPUS / "manifest.json").is_file() else [])


def _as_dicts(findings) -> list[dict]:
    return [f.__dict__ for f in findings]


def test_the_secrets_pack_is_walked_once() -> None:
    assert sorted(r.id for r in RULES) == [
        "SECRET-AWS-ACCESS-KEY", "SECRET-GITHUB-TOKEN", "SECRET-PASSWORD-VALUE",
        "SECRET-PRIVATE-KEY", "SECRET-SLACK-TOKEN", "SECRET-URL-CREDENTIALS",
    ]


@pytest.mark.parametrize("root", _roots(), ids=lambda p: p.name)
def test_one_walk_equals_a_walk_per_rule(root: Path) -> None:
    found = 0
    for doc in documents_under(root):
        rules = [r for r in RULES if r.applies(doc)]
        walked = every_value(doc, rules)
        for rule in rules:
            alone = _as_dicts(rule.check(doc))
            assert _as_dicts(walked.get(rule.id, [])) == alone, f"{doc.source.file}: {rule.id}"
            found += len(alone)
    assert found > 0


def test_keys_with_slashes_and_tildes_point_right() -> None:
    data = {"a/b": {"c~d": ["x", "postgres://u:hunter2@db/x"]}}
    doc = Document(data=data, source=Source(file="f.yaml", name="f.yaml", text="", format="yaml"))
    rule = next(r for r in RULES if r.id == "SECRET-URL-CREDENTIALS")
    (finding,) = every_value(doc, [rule])[rule.id]
    assert finding.path == "/a~1b/c~0d/1"
    assert "hunter2" not in str(finding.desired)
