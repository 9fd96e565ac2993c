"""An environment or target nothing was compared for says so, and why, in every format: never `ok`."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

CONFIG = """\
version: 1
environments:
  prod: {}
  dev: {}
targets:
  - {name: app, kind: config, desired: "app.yaml", live: "live/{env}/app.yaml", environments: [prod]}
  - {name: k8s, kind: kubernetes, desired: "k8s/*.yaml"}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "trueup.yaml").write_text(CONFIG)
    (tmp_path / "templates" / "k8s").mkdir(parents=True)
    (tmp_path / "templates" / "app.yaml").write_text("port: 8080\n")
    (tmp_path / "live" / "prod").mkdir(parents=True)
    (tmp_path / "live" / "prod" / "app.yaml").write_text("port: 8080\n")
    return tmp_path


def test_every_format_says_what_was_not_compared(trueup, repo: Path, valid_report) -> None:
    notes = [(f["environment"], f["target"], f["message"])
             for f in valid_report(trueup("check", "--format", "json", cwd=repo).out)["findings"]
             if f["rule"] == "drift.not-compared"]
    assert notes == [
        ("prod", "k8s", "target 'k8s' has no live side in trueup.yaml; not compared"),
        ("dev", "trueup.yaml", "environment 'dev': no target of trueup.yaml compares it with live state; not compared"),
    ]
    html = trueup("check", "--format", "html", cwd=repo).out
    assert ('<tr class="env-row" data-status="not-compared"><td>dev</td><td class="status-not-compared">not compared'
            '<div class="where">environment &#x27;dev&#x27;: no target') in html
    assert '<tr class="env-row" data-status="ok"><td>prod</td>' in html
    assert ('<td>prod</td><td>k8s</td><td class="status-not-compared">not compared<div class="where">target '
            '&#x27;k8s&#x27; has no live side') in html
    markdown = trueup("check", "--format", "markdown", cwd=repo).out
    assert "### Not compared\n\n- target 'k8s' has no live side in trueup.yaml; not compared (prod)\n" \
           "- environment 'dev': no target of trueup.yaml compares it with live state; not compared\n" in markdown
    assert "### Problems" not in markdown
    junit = ET.fromstring(trueup("check", "--format", "junit", cwd=repo).out)
    skipped = {(s.get("name"), c.get("classname")): c.find("skipped").get("message")
               for s in junit for c in s if c.tag == "testcase" and c.find("skipped") is not None}
    assert skipped[("dev", "trueup.yaml")].startswith("not compared: environment 'dev'")
    assert skipped[("prod", "k8s")].startswith("not compared: target 'k8s'")


def test_only_the_compared_environment_nothing_else_is_ok(trueup, repo: Path) -> None:
    markdown = trueup("check", "--env", "dev", "--format", "markdown", cwd=repo).out
    assert markdown.startswith("## trueup check (dev): ⚪ not compared: nothing here was compared with live state\n")
    compared = trueup("check", "--env", "prod", "--format", "markdown", cwd=repo).out
    assert compared.startswith("## trueup check (prod): ⚠️ 1 below the failing severity\n")


def test_notes_about_the_whole_run_come_from_the_first_shard(trueup, repo: Path) -> None:
    """Shards split objects and files, not targets: what was not compared is said once, by shard 1."""
    found = []
    for index in (1, 2):
        report = json.loads(trueup("drift", "--shard", f"{index}/2", "--format", "json", cwd=repo).out)
        found += [(index, f["environment"], f["target"]) for f in report["findings"] if f["rule"] == "drift.not-compared"]
    assert sorted(found) == [(1, "dev", "trueup.yaml"), (1, "prod", "k8s")]
