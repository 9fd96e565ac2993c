"""policy/docs.py: ``trueup rules list|show|docs`` texts, built from pack rules and cross-file rules."""
from __future__ import annotations

from typing import Any

import pytest

from trueup.model import Severity
from trueup.policy.crossfile import REGISTRY, CrossFileRule, all_rules
from trueup.policy.docs import PEER_NAMES, listing, markdown, peers, show
from trueup.policy.rules import Rule, rule_from_data

all_rules(entry_points=False)  # registers the built-in cross-file rules


def _rule(**overrides: Any) -> Rule:
    raw: dict[str, Any] = {
        "id": "T-IMAGE", "title": "Images are pinned", "severity": "high", "description": "  An image moves.\n",
        "remediation": "Pin it.", "match": {"kind": "kubernetes"}, "select": "{containers}",
        "assert": {"required": ["image"]},
    }
    raw.update(overrides)
    return rule_from_data(raw, "kubernetes", "checks/kubernetes.yaml")


def _crossfile(**overrides: Any) -> CrossFileRule:
    fields: dict[str, Any] = {"id": "X-CROSS", "title": "Things line up", "severity": Severity.LOW,
                              "description": "They must.", "remediation": "Line them up.", "check": _check}
    fields.update(overrides)
    return CrossFileRule(**fields)


def _check(rule: CrossFileRule, documents: Any, settings: Any) -> Any:
    return iter(())


@pytest.mark.parametrize(
    ("known", "expected"),
    [
        pytest.param({"polaris": ("tagNotSpecified",)}, "Polaris `tagNotSpecified`", id="one-tool"),
        pytest.param({"kube-linter": ("a", "b"), "checkov": ("CKV_K8S_1",)},
                     "kube-linter `a`, `b`; Checkov `CKV_K8S_1`", id="two-tools-in-order"),
        pytest.param({"dclint": (), "polaris": ("x",)}, "Polaris `x`", id="tool-without-ids-left-out"),
        pytest.param({"mytool": ("m",)}, "mytool `m`", id="unknown-tool-as-written"),
        pytest.param({}, "", id="none"),
    ],
)
def test_peers(known: dict[str, tuple[str, ...]], expected: str) -> None:
    assert peers(_rule(peers={k: list(v) for k, v in known.items()})) == expected


def test_peers_of_an_object_without_peers() -> None:
    assert peers(object()) == ""
    assert peers(_crossfile()) == ""


def test_peer_names() -> None:
    assert PEER_NAMES == {"polaris": "Polaris", "kube-linter": "kube-linter", "checkov": "Checkov", "dclint": "dclint"}


def test_listing_is_sorted_by_pack_then_id_in_aligned_columns() -> None:
    rules = [_rule(id="T-Z"), _crossfile(), _rule(id="T-A", severity="low", profile="strict")]
    assert listing(rules) == (
        "X-CROSS  low       crossfile   standard  Things line up\n"
        "T-A      low       kubernetes  strict    Images are pinned\n"
        "T-Z      high      kubernetes  standard  Images are pinned\n"
    )


def test_listing_of_nothing_is_an_empty_line() -> None:
    assert listing([]) == "\n"


def test_show_a_pack_rule() -> None:
    rule = _rule(peers={"polaris": ["tagNotSpecified"]}, select=["{containers}", ""], profile="minimal",
                 match={"kind": "kubernetes", "kinds": ["Pod", "Job"], "files": ["prod/**"],
                        "not_files": ["tmp/*"], "not_objects": ["Pod/debug"]})
    assert show(rule) == (
        "T-IMAGE: Images are pinned\n"
        "severity: high    pack: kubernetes    profile: minimal    defined in checks/kubernetes.yaml\n"
        "applies to: kubernetes; kinds Pod, Job; files prod/**; except files tmp/*; except objects Pod/debug\n"
        "checks: `{containers}`, `\"\"` (the whole document)\n"
        "peers: Polaris `tagNotSpecified`\n"
        "\n"
        "An image moves.\n"
        "\n"
        "How to fix: Pin it.\n"
        "\n"
        "The assertion (JSON Schema):\n"
        "{\n  \"required\": [\n    \"image\"\n  ]\n}\n"
    )


@pytest.mark.parametrize(
    ("match", "applies"),
    [
        pytest.param({"kind": "any"}, "any file", id="any-file"),
        pytest.param({"kind": ["compose", "config"]}, "compose, config", id="several-file-kinds"),
        pytest.param({"kind": "kubernetes", "kinds": ["@namespaced"]}, "kubernetes; every namespaced kind",
                     id="namespaced"),
        pytest.param({"kind": "kubernetes", "kinds": ["@workloads"]},
                     "kubernetes; kinds Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, "
                     "ReplicationController, CronJob, DeploymentConfig", id="workloads-spelled-out"),
        pytest.param({"kind": "any", "files": ["**/*.env"]}, "any file; files **/*.env", id="files-only"),
    ],
)
def test_show_says_what_a_rule_applies_to(match: dict[str, Any], applies: str) -> None:
    lines = show(_rule(match=match)).splitlines()
    assert lines[2] == f"applies to: {applies}"


def test_show_a_cross_file_rule_names_its_function() -> None:
    rule = REGISTRY["COMPOSE-HOST-PORT-UNIQUE"]
    assert show(rule) == (
        "COMPOSE-HOST-PORT-UNIQUE: Host ports are published once\n"
        "severity: high    pack: crossfile    profile: standard    "
        "defined in trueup.policy.crossfile.compose.host_ports_unique\n"
        "applies to: the files of a run, together\n"
        "checks: every document of a run together (a cross-file rule)\n"
        "peers: dclint `no-duplicate-exported-ports`\n"
        "\n"
        "Two services publishing the same host port (in one file or across the compose files of a project) "
        "cannot both start.\n"
        "\n"
        "How to fix: Give each service its own host port.\n"
    )


def test_show_leaves_out_the_peers_line_when_there_are_none() -> None:
    assert "peers:" not in show(_rule())
    assert show(_crossfile()).splitlines()[4:6] == ["", "They must."]


def test_markdown_table_and_sections() -> None:
    page = markdown([_rule(peers={"checkov": ["CKV_K8S_14"]}), _crossfile()])
    lines = page.splitlines()
    table = lines.index("| rule | severity | pack | profile | title |")
    assert lines[table + 1:table + 4] == [
        "| --- | --- | --- | --- | --- |",
        "| [X-CROSS](#x-cross) | low | crossfile | standard | Things line up |",
        "| [T-IMAGE](#t-image) | high | kubernetes | standard | Images are pinned |",
    ]
    assert lines[table + 4:] == [
        "", "## X-CROSS", "", "**Things line up** (low, pack `crossfile`)", "", "They must.", "",
        "*Applies to:* the files of a run, together. *Checks:* every document of a run together (a cross-file rule).",
        "", "*How to fix:* Line them up.",
        "", "## T-IMAGE", "", "**Images are pinned** (high, pack `kubernetes`)", "", "An image moves.", "",
        "*Applies to:* kubernetes. *Checks:* `{containers}`.", "", "*How to fix:* Pin it.",
        "", "*Peers:* Checkov `CKV_K8S_14`.",
    ]
    assert lines[0] == "# Built-in rules"
    assert page.endswith("`CKV_K8S_14`.\n")


def test_markdown_of_every_built_in_cross_file_rule_has_one_section_each() -> None:
    rules = all_rules(entry_points=False)
    page = markdown(rules)
    assert sorted(line[3:] for line in page.splitlines() if line.startswith("## ")) == sorted(r.id for r in rules)
