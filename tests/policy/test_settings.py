"""Policy settings end to end: disable, severity, user packs, entry-point packs, suppressions."""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers:
    - name: a
      image: nginx:latest
"""
PACK = """\
pack: house
rules:
  - id: HOUSE-TEAM-LABEL
    title: Objects say which team owns them
    severity: medium
    description: Every object carries a team label so alerts reach someone.
    remediation: Add metadata.labels.team.
    match: {kind: kubernetes}
    select: /metadata
    assert:
      required: [labels]
      properties:
        labels: {required: [team]}
"""


def _rules(result) -> dict[str, str]:
    return {f["rule"]: f["severity"] for f in result.json()["findings"]}


def test_disable_and_severity(trueup, write, tmp_path: Path) -> None:
    write("pod.yaml", POD)
    write("trueup.yaml", "version: 1\npolicy:\n  disable: [K8S-SECCOMP]\n  severity: {K8S-IMAGE-TAG: critical}\n")
    rules = _rules(trueup("validate", "--format", "json", "pod.yaml", cwd=tmp_path))
    assert "K8S-SECCOMP" not in rules
    assert rules["K8S-IMAGE-TAG"] == "critical"
    assert rules["K8S-MEMORY-LIMIT"] == "medium"


def test_only_some_packs_and_a_user_pack(trueup, write, tmp_path: Path) -> None:
    write("pod.yaml", POD)
    write("policy/checks/house.yaml", PACK)
    write("trueup.yaml", "version: 1\npolicy:\n  packs: [secrets]\n  paths: [policy/checks]\n")
    result = trueup("validate", "--format", "json", "pod.yaml", cwd=tmp_path)
    assert _rules(result) == {"HOUSE-TEAM-LABEL": "medium"}
    assert result.json()["findings"][0]["line"] == 3


@pytest.mark.parametrize(
    "pack, where, fragment",
    [
        (PACK.replace("severity: medium", "severity: urgent"), "policy/checks/house.yaml:5:5:", "must be one of"),
        (PACK.replace("required: [team]", "required: team"), "policy/checks/house.yaml:10:5:", "assert is not a valid JSON Schema"),
        (PACK.replace("HOUSE-TEAM-LABEL", "K8S-IMAGE-TAG"), "policy/checks/house.yaml", "rule K8S-IMAGE-TAG is defined twice"),
        ("pack: house\nrules: [\n", "policy/checks/house.yaml:3:1:", "invalid YAML"),
    ],
)
def test_broken_pack_is_a_config_error(trueup, write, tmp_path: Path, pack: str, where: str, fragment: str) -> None:
    write("pod.yaml", POD)
    write("policy/checks/house.yaml", pack)
    write("trueup.yaml", "version: 1\npolicy:\n  paths: [policy/checks]\n")
    result = trueup("validate", "pod.yaml", cwd=tmp_path)
    assert result.code == 2
    assert result.err.startswith(f"trueup: {where}"), result.err
    assert fragment in result.err and "Traceback" not in result.err


def test_entry_point_pack(trueup, write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    write("site/house_rules/__init__.py", "from pathlib import Path\nPACKS = Path(__file__).parent / 'packs'\n")
    write("site/house_rules/packs/house.yaml", PACK)
    write("site/house_rules-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: house-rules\nVersion: 1.0\n")
    write("site/house_rules-1.0.dist-info/entry_points.txt", "[trueup.packs]\nhouse = house_rules:PACKS\n")
    monkeypatch.syspath_prepend(str(site))
    write("pod.yaml", POD)
    result = trueup("validate", "--format", "json", "pod.yaml", cwd=tmp_path)
    assert "HOUSE-TEAM-LABEL" in _rules(result)
    sys.modules.pop("house_rules", None)


def test_inline_suppression(trueup, write, tmp_path: Path) -> None:
    write("trueup.yaml", "version: 1\npolicy:\n  profile: strict\n  packs: [kubernetes]\n")
    write("pod.yaml", textwrap.dedent("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: shop}
        spec:
          hostNetwork: true  # trueup: ignore[K8S-HOST-NETWORK] the CNI agent needs the host network
          containers:
            # trueup: ignore[K8S-IMAGE-TAG, K8S-CPU-LIMIT]
            - name: a
              image: nginx:latest
        """))
    result = trueup("validate", "--format", "json", "pod.yaml", cwd=tmp_path)
    by_rule = {f["rule"]: f for f in result.json()["findings"]}
    assert by_rule["K8S-HOST-NETWORK"]["waived"] is True
    assert by_rule["K8S-HOST-NETWORK"]["message"].endswith("(suppressed: the CNI agent needs the host network)")
    assert by_rule["K8S-CPU-LIMIT"]["waived"] is True
    assert by_rule["K8S-IMAGE-TAG"]["waived"] is False
    assert by_rule["K8S-RUN-AS-NON-ROOT"]["waived"] is False
    write("trueup.yaml", "version: 1\npolicy:\n  profile: strict\n  packs: [kubernetes]\n  disable: [K8S-IMAGE-TAG, K8S-RUN-AS-NON-ROOT, K8S-PRIVILEGE-ESCALATION]\n")
    quiet = trueup("validate", "--fail-on", "high", "pod.yaml", cwd=tmp_path)
    assert quiet.code == 0 and "K8S-HOST-NETWORK" not in quiet.out
    verbose = trueup("validate", "--verbose", "--fail-on", "high", "pod.yaml", cwd=tmp_path)
    assert "(suppressed: the CNI agent needs the host network) [K8S-HOST-NETWORK]" in verbose.out


def test_rule_and_skip_rule_select_every_kind_of_finding(trueup, write, tmp_path: Path) -> None:
    """--rule runs the named rules whatever the profile, and keeps trueup's own checks out too (as
    Checkov's --check); --skip-rule leaves rules out; a file that cannot be read is always said."""
    write("pod.yaml", textwrap.dedent("""\
        apiVersion: extensions/v1beta1
        kind: Deployment
        metadata: {name: d}
        spec:
          template:
            spec:
              hostNetwork: true
              containers: [{name: a, image: "nginx:latest"}]
        """))
    write("broken.yaml", "a: [\n")
    every = _rules(trueup("validate", "--format", "json", "pod.yaml", "broken.yaml", cwd=tmp_path))
    assert {"K8S-REMOVED-API", "K8S-HOST-NETWORK", "K8S-IMAGE-TAG", "input.parse"} <= set(every)
    only = trueup("validate", "--format", "json", "--rule", "k8s-host-*", "--rule", "K8S-PRIORITY-CLASS",
                  "pod.yaml", "broken.yaml", cwd=tmp_path)
    assert sorted(set(_rules(only))) == ["K8S-HOST-NETWORK", "K8S-PRIORITY-CLASS", "input.parse"]
    skipped = _rules(trueup("validate", "--format", "json", "--skip-rule", "K8S-IMAGE-*", "--skip-rule",
                            "K8S-REMOVED-API", "pod.yaml", cwd=tmp_path))
    assert "K8S-IMAGE-TAG" not in skipped and "K8S-REMOVED-API" not in skipped and "K8S-HOST-NETWORK" in skipped
