"""trueup rules list|show|docs, and the generated rules page kept up to date."""
from __future__ import annotations

from pathlib import Path

from conftest import REPO


def test_list_has_a_line_per_rule(trueup, tmp_path: Path) -> None:
    result = trueup("rules", "list", cwd=tmp_path)
    assert result.code == 0
    lines = result.out.splitlines()
    assert len(lines) >= 35
    assert any(l.split() [:3] == ["K8S-PRIVILEGED", "critical", "kubernetes"] for l in lines)


def test_show_one_rule(trueup, tmp_path: Path) -> None:
    result = trueup("rules", "show", "compose-docker-socket", cwd=tmp_path)
    assert result.code == 0
    assert result.out.startswith("COMPOSE-DOCKER-SOCKET: The Docker socket is not mounted into services\n")
    assert "How to fix:" in result.out and '"docker\\\\.sock"' in result.out


def test_show_unknown_rule(trueup, tmp_path: Path) -> None:
    result = trueup("rules", "show", "NOPE-1", cwd=tmp_path)
    assert result.code == 2
    assert result.err == "trueup: no rule 'NOPE-1' (see `trueup rules list`)\n"


def test_docs_page_is_up_to_date(trueup, tmp_path: Path) -> None:
    result = trueup("rules", "docs", cwd=tmp_path)
    assert result.code == 0
    assert result.out == (REPO / "docs" / "rules.md").read_text(), "regenerate: trueup rules docs -o docs/rules.md"
