"""The SARIF reporter: golden files, the SARIF 2.1.0 schema, GitHub code scanning's needs, no secrets.

Every SARIF document here is checked against the OASIS SARIF 2.1.0 schema
(tests/example-files/schemas, draft-04). Regenerate the golden files with
``TRUEUP_UPDATE_GOLDEN=1 pytest tests/report``.
"""
from __future__ import annotations

import base64
import io
import json
import re
import shutil
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema.validators import validator_for

from conftest import EXAMPLES, REPO
from .test_reporters import FINDINGS, _golden, _render
from trueup.errors import ConfigError
from trueup.model import Finding, Severity, Summary
from trueup.report import RunInfo, make_reporter
from trueup.report.rule_info import describe

NOISE = EXAMPLES / "drift" / "k8s-noise"
PASSWORD, NEW_PASSWORD = "Zq8!vR2#pL9@tX4w", "n3w-Secr3t-77"


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = json.loads((EXAMPLES / "schemas" / "sarif-schema-2.1.0.json").read_text("utf-8"))
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def valid_sarif(text: str) -> dict[str, Any]:
    report = json.loads(text)
    errors = sorted(_validator().iter_errors(report), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    assert report["version"] == "2.1.0" and len(report["runs"]) == 1
    run = report["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    return report


def _sarif(findings: list[Finding], **kwargs: Any) -> tuple[dict[str, Any], Summary]:
    text, summary = _render("sarif", findings, **kwargs)
    return valid_sarif(text), summary


@pytest.mark.parametrize("name, findings", [("findings.sarif", FINDINGS), ("clean.sarif", [])])
def test_sarif_matches_golden_and_schema(name: str, findings: list[Finding]) -> None:
    text, _ = _render("sarif", findings)
    valid_sarif(text)
    assert text == _golden(name, text)


def test_results_carry_level_location_fingerprint_and_properties() -> None:
    report, summary = _sarif(FINDINGS)
    run = report["runs"][0]
    results = run["results"]
    assert [r["ruleId"] for r in results] == [f.rule for f in FINDINGS]
    assert [r["level"] for r in results] == ["error", "error", "warning", "error", "error", "error", "note"]
    for result, finding in zip(results, FINDINGS):
        assert result["partialFingerprints"] == {"trueupFingerprint/v1": finding.fingerprint}
        assert result["properties"] == {"target": finding.target, "path": finding.path,
                                        "environment": finding.environment, "severity": str(finding.severity)}
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": finding.file, "uriBaseId": "%SRCROOT%"}
        assert physical["region"] == {"startLine": finding.line, "startColumn": finding.column}
    assert results[3]["relatedLocations"][0]["physicalLocation"]["region"] == {"startLine": 6}
    assert [("suppressions" in r) for r in results] == [False] * 6 + [True]
    assert run["invocations"] == [{"executionSuccessful": True, "exitCode": summary.exit_code}]
    assert run["tool"]["driver"]["name"] == "trueup"


def test_rules_describe_each_rule_once_for_code_scanning() -> None:
    report, _ = _sarif(FINDINGS)
    rules = {r["id"]: r for r in report["runs"][0]["tool"]["driver"]["rules"]}
    assert list(rules) == ["schema", "input.duplicate-key", "drift.changed", "drift.extra", "drift.missing",
                           "schema.missing"]
    # drift.changed is seen at medium and high: the rule takes the highest.
    assert rules["drift.changed"]["properties"]["security-severity"] == "8.0"
    assert rules["schema.missing"]["defaultConfiguration"] == {"level": "note"}
    assert rules["schema.missing"]["properties"]["security-severity"] == "3.0"
    assert rules["schema"]["shortDescription"]["text"] == describe("schema").title
    assert "security" not in rules["drift.extra"]["properties"]["tags"]


@pytest.mark.parametrize("severity, level, score", [
    (Severity.CRITICAL, "error", "9.5"), (Severity.HIGH, "error", "8.0"), (Severity.MEDIUM, "warning", "5.5"),
    (Severity.LOW, "note", "3.0"), (Severity.INFO, "note", "0.0"),
])
def test_severity_to_level_and_security_severity(severity: Severity, level: str, score: str) -> None:
    finding = Finding("K8S-PRIVILEGED", severity, "No privileged containers", "Pod/default/p",
                      "/spec/containers/0", "pod.yaml", 3, 7)
    report, _ = _sarif([finding])
    run = report["runs"][0]
    assert run["results"][0]["level"] == level
    [rule] = run["tool"]["driver"]["rules"]
    assert rule["properties"]["security-severity"] == score
    assert rule["properties"]["tags"] == ["trueup", "kubernetes", "security"]
    assert rule["fullDescription"]["text"] == describe("K8S-PRIVILEGED").description
    assert "How to fix" in rule["help"]["text"] and rule["help"]["markdown"].startswith("**No privileged containers**")


def test_locations_without_line_or_file_and_paths_outside_the_checkout(tmp_path: Path) -> None:
    findings = [
        Finding("input.render", Severity.CRITICAL, "undefined variable 'tag'", "k8s", environment="prod"),
        Finding("schema", Severity.HIGH, "bad", "app.yaml", "/port", "conf\\app.yaml"),
        Finding("schema", Severity.HIGH, "bad", "x.yaml", "", str(tmp_path / "my dir" / "x.yaml"), 2, None),
        Finding("MY-OWN-RULE", Severity.LOW, "custom", "y.yaml", "", str(Path.cwd() / "sub" / "y.yaml"), 1, 1),
    ]
    report, summary = _sarif(findings)
    results = report["runs"][0]["results"]
    assert results[0]["locations"] == [{"logicalLocations": [{"fullyQualifiedName": "k8s", "kind": "resource"}]}]
    assert results[1]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "conf/app.yaml", "uriBaseId": "%SRCROOT%"}}
    outside = results[2]["locations"][0]["physicalLocation"]
    uri = outside["artifactLocation"]["uri"]
    assert uri.startswith("file:///") and uri.endswith("/my%20dir/x.yaml") and "uriBaseId" not in outside["artifactLocation"]
    assert outside["region"] == {"startLine": 2}
    assert results[3]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "sub/y.yaml", "uriBaseId": "%SRCROOT%"}
    custom = report["runs"][0]["tool"]["driver"]["rules"][2]
    assert custom["id"] == "MY-OWN-RULE" and custom["shortDescription"]["text"] == "MY-OWN-RULE"
    assert report["runs"][0]["invocations"][0] == {"executionSuccessful": False, "exitCode": summary.exit_code}
    assert summary.exit_code == 2


def test_waived_findings_are_suppressed_with_their_reason() -> None:
    baselined = Finding("K8S-CPU-LIMIT", Severity.LOW, "Containers have a CPU limit (baselined: burst jobs; "
                        "team-a; until 2030-01-01)", "Job/x/y", "/spec", "job.yaml", 4, 3, waived=True)
    inline = Finding("K8S-HOST-PATH", Severity.HIGH, "No hostPath volumes (suppressed: node exporter)",
                     "DaemonSet/x/y", "/spec", "ds.yaml", 9, 5, waived=True)
    report, summary = _sarif([baselined, inline])
    results = report["runs"][0]["results"]
    assert results[0]["suppressions"] == [
        {"kind": "external", "justification": "baselined: burst jobs; team-a; until 2030-01-01"}]
    assert results[1]["suppressions"] == [{"kind": "inSource", "justification": "suppressed: node exporter"}]
    assert summary.exit_code == 0


def test_results_stream_before_the_run_ends() -> None:
    stream = io.StringIO()
    reporter = make_reporter("sarif", stream, RunInfo("validate"))
    reporter.write(FINDINGS[0])
    assert '"ruleId": "schema"' in stream.getvalue() and '"tool"' not in stream.getvalue()


def test_an_error_that_stops_the_run_is_a_tool_notification() -> None:
    stream = io.StringIO()
    reporter = make_reporter("sarif", stream, RunInfo("check", ("prod",)))
    reporter.write(FINDINGS[0])
    summary = Summary(files=1, documents=1)
    summary.add(FINDINGS[0])
    reporter.finish(summary, ConfigError("values file not found", "values/prod.yaml", 3, 1))
    [invocation] = valid_sarif(stream.getvalue())["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False and invocation["exitCode"] == 2
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"] == "values file not found"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "values/prod.yaml"


def test_cli_validate_bad_manifest(trueup) -> None:
    bad = "tests/example-files/validate/negative/deployment.yaml"
    result = trueup("validate", bad, "--format", "sarif", cwd=REPO)
    assert result.code == trueup("validate", bad, "--format", "json", cwd=REPO).code == 1
    run = valid_sarif(result.out)["runs"][0]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {bad}
    assert "K8S-RUN-AS-NON-ROOT" in {r["id"] for r in run["tool"]["driver"]["rules"]}


def test_cli_malformed_input_exits_1_as_json_does(trueup) -> None:
    bad = EXAMPLES / "bad-input" / "malformed.yaml"
    result = trueup("validate", bad, "--format", "sarif", cwd=REPO)
    assert result.code == trueup("validate", bad, "--format", "json", cwd=REPO).code == 1
    run = valid_sarif(result.out)["runs"][0]
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [("input.parse", "error")]
    assert run["invocations"][0]["exitCode"] == 1


def test_cli_unreadable_input_exits_2_as_json_does(trueup, tmp_path) -> None:
    missing = tmp_path / "missing.yaml"
    result = trueup("validate", missing, "--format", "sarif", cwd=REPO)
    assert result.code == trueup("validate", missing, "--format", "json", cwd=REPO).code == 2
    run = valid_sarif(result.out)["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["input.unreadable"]
    assert run["invocations"][0] == {"executionSuccessful": False, "exitCode": 2, "startTimeUtc": "2026-12-06T12:00:00Z"}


def _drifted(tmp_path: Path) -> Path:
    live = tmp_path / "live"
    shutil.copytree(NOISE / "live", live)
    secret = live / "config-and-secret.yaml"
    old = base64.b64encode(PASSWORD.encode()).decode()
    assert old in secret.read_text()
    secret.write_text(secret.read_text().replace(old, base64.b64encode(NEW_PASSWORD.encode()).decode()))
    return live


@pytest.mark.parametrize("live", ["fixture", "drifted"])
def test_cli_drift_never_shows_secret_values(trueup, tmp_path: Path, live: str) -> None:
    live_dir = NOISE / "live" if live == "fixture" else _drifted(tmp_path)
    args = ("drift", "--desired", NOISE / "desired", "--live", live_dir)
    result = trueup(*args, "--format", "sarif", cwd=tmp_path)
    assert result.code == trueup(*args, "--format", "json", cwd=tmp_path).code == (0 if live == "fixture" else 1)
    results = valid_sarif(result.out)["runs"][0]["results"]
    if live == "drifted":
        assert [(r["ruleId"], r["properties"]["target"]) for r in results] == [("drift.changed", "Secret/default/db")]
    everything = result.out + result.err
    for secret in (PASSWORD, NEW_PASSWORD, "c2hvcA=="):
        assert secret not in everything
        assert base64.b64encode(secret.encode()).decode() not in everything


def test_cli_policy_secrets_are_not_in_the_report(trueup) -> None:
    fixture = EXAMPLES / "policy" / "secrets"
    texts = "".join(p.read_text() for p in sorted(fixture.glob("*.yaml")))
    result = trueup("validate", fixture, "--format", "sarif", cwd=REPO)
    assert result.code == trueup("validate", fixture, "--format", "json", cwd=REPO).code
    report = valid_sarif(result.out)
    assert report["runs"][0]["results"]
    # The fixture's failing values (a key, tokens, passwords) never reach the report.
    for value in ("MIIEowIBAAKCAQEAzZ8example0nly9fixturedata", "AKIAIOSFODNN7EXAMPLE",
                  "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "xoxb-1234567890-abcdefghij", "s3cr3t", "hunter2"):
        assert value in texts
        assert value not in result.out


def test_rule_info_knows_every_built_in_rule(trueup, tmp_path: Path) -> None:
    listed = trueup("rules", "list", cwd=tmp_path)
    assert listed.code == 0
    rows = [line.split(None, 4) for line in listed.lines]
    assert len(rows) > 75
    for rule_id, severity, pack, profile, title in rows:
        assert profile in ("minimal", "standard", "strict")
        info = describe(rule_id)
        assert (info.title, str(info.severity), info.pack) == (title, severity, pack)
        assert info.description and info.remediation


def test_rule_info_knows_every_rule_trueup_itself_reports() -> None:
    source = "\n".join(p.read_text("utf-8") for p in (REPO / "src" / "trueup").rglob("*.py"))
    literal = re.findall(r"""(?:rule=|Finding\(|error_finding\(exc, )\s*["']([a-z]+\.[a-z.-]+)["']""", source)
    ids = {*literal, "drift.changed", "drift.missing", "drift.extra", "drift.ignored", "CONFIG-UNKNOWN-KEY", "schema"}
    assert {"input.parse", "input.render", "input.duplicate-key", "schema.missing", "baseline.expired"} <= ids
    for rule_id in ids:
        info = describe(rule_id)
        assert info.title != rule_id and info.description and info.remediation, rule_id


def test_rule_info_for_unknown_rules_is_generic() -> None:
    assert describe("ACME-NO-FOO").title == "ACME-NO-FOO"
    assert describe("ACME-NO-FOO").severity == Severity.MEDIUM
    assert describe("schema.something-new").pack == "schema"


def test_a_json_report_converts_to_sarif(trueup, tmp_path: Path) -> None:
    """What the GitHub Action uploads: ``trueup report merge REPORT --format sarif``."""
    bad = "tests/example-files/validate/negative/deployment.yaml"
    trueup("validate", bad, "--format", "json", "--output", tmp_path / "r.json", cwd=REPO)
    direct = valid_sarif(trueup("validate", bad, "--format", "sarif", cwd=REPO).out)["runs"][0]
    converted = trueup("report", "merge", tmp_path / "r.json", "--format", "sarif", cwd=REPO)
    assert converted.code == 1
    run = valid_sarif(converted.out)["runs"][0]
    assert run["results"] == direct["results"]
