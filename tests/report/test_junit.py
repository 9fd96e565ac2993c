"""The JUnit reporter: golden files, the structure CI systems read, counts, exit codes, no secrets.

There is no JUnit XSD at hand; ``valid_junit`` asserts what Jenkins and GitLab read:
testsuites > testsuite > testcase > (failure | error | skipped), with tests, failures,
errors, skipped and time on every suite and on the root, each count matching the cases.
"""
from __future__ import annotations

import base64
import io
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import EXAMPLES, REPO
from .test_reporters import FINDINGS, _golden, _render
from trueup.errors import ConfigError
from trueup.model import NEVER, Finding, Severity, Summary
from trueup.report import RunInfo, make_reporter

NOISE = EXAMPLES / "drift" / "k8s-noise"
PASSWORD, NEW_PASSWORD = "Zq8!vR2#pL9@tX4w", "n3w-Secr3t-77"
COUNTS = ("tests", "failures", "errors", "skipped")
OUTCOMES = {"failure": "failures", "error": "errors", "skipped": "skipped"}


def valid_junit(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    totals = dict.fromkeys(COUNTS, 0)
    assert list(root) and all(suite.tag == "testsuite" for suite in root)
    for suite in root:
        assert suite.get("name") and float(suite.get("time")) >= 0
        counts = dict.fromkeys(COUNTS, 0)
        children = list(suite)
        if children and children[0].tag == "properties":  # first, as the JUnit XSD has it: name and value each
            assert all(p.tag == "property" and p.get("name") and p.get("value") is not None for p in children[0])
            children = children[1:]
        for case in children:
            assert case.tag == "testcase" and case.get("classname") and case.get("name")
            float(case.get("time"))
            outcomes = [child.tag for child in case if child.tag in OUTCOMES]
            assert len(outcomes) <= 1, outcomes
            assert {child.tag for child in case} <= {*OUTCOMES, "system-out"}
            counts["tests"] += 1
            for tag in outcomes:
                counts[OUTCOMES[tag]] += 1
        assert {k: int(suite.get(k)) for k in COUNTS} == counts, suite.get("name")
        for key in COUNTS:
            totals[key] += counts[key]
    assert {k: int(root.get(k)) for k in COUNTS} == totals
    float(root.get("time"))
    return root


def _cases(root: ET.Element) -> dict[tuple[str, str, str], ET.Element]:
    return {(s.get("name"), c.get("classname"), c.get("name")): c for s in root for c in s if c.tag == "testcase"}


def _outcome(case: ET.Element) -> str:
    return next((child.tag for child in case if child.tag in OUTCOMES), "passed")


@pytest.mark.parametrize("name, findings", [("findings.junit.xml", FINDINGS), ("clean.junit.xml", [])])
def test_junit_matches_golden(name: str, findings: list[Finding]) -> None:
    text, _ = _render("junit", findings)
    valid_junit(text)
    assert text == _golden(name, text)


def test_one_case_per_environment_target_and_rule() -> None:
    text, summary = _render("junit", FINDINGS)
    root = valid_junit(text)
    assert [s.get("name") for s in root] == ["prod", "trueup"]
    cases = _cases(root)
    assert {key: _outcome(case) for key, case in cases.items()} == {
        ("prod", "Deployment/shop/api", "schema"): "failure",
        ("prod", "ConfigMap/shop/api-config", "drift.changed"): "failure",
        ("prod", "ConfigMap/shop/api-config", "drift.extra"): "failure",
        ("prod", "Service/shop/api", "drift.missing"): "failure",
        ("trueup", "compose.yaml", "input.duplicate-key"): "failure",
        # medium, below --fail-on high: listed, but green, as the exit code says
        ("trueup", "Deployment/shop/web", "drift.changed"): "passed",
        ("trueup", "Widget/default/w", "schema.missing"): "skipped",
    }
    failure = cases[("prod", "Deployment/shop/api", "schema")].find("failure")
    assert failure.get("type") == "schema" and failure.get("message") == "expected integer, got string"
    assert failure.text == "templates/k8s/api.yaml.j2:9:3: high: expected integer, got string at /spec/replicas"
    assert cases[("trueup", "Deployment/shop/web", "drift.changed")].find("system-out").text.startswith(
        "templates/k8s/web.yaml.j2:12:3: medium: replicas differs")
    skipped = cases[("trueup", "Widget/default/w", "schema.missing")].find("skipped")
    assert skipped.get("message").startswith("waived: no Kubernetes 1.33 schema")
    assert int(root.get("failures")) == summary.failing == 5 and summary.exit_code == 1


def test_findings_of_one_target_and_rule_share_a_failure() -> None:
    findings = [
        Finding("K8S-IMAGE-TAG", Severity.HIGH, "Container images are pinned", "Deployment/a/b",
                f"/spec/template/spec/containers/{i}", "k8s/b.yaml", 10 + i, 9) for i in range(3)
    ] + [Finding("K8S-IMAGE-TAG", Severity.HIGH, "Container images are pinned (suppressed: vendor image)",
                 "Deployment/a/b", "/spec/template/spec/initContainers/0", "k8s/b.yaml", 30, 9, waived=True)]
    root = valid_junit(_render("junit", findings)[0])
    [case] = _cases(root).values()
    failure = case.find("failure")
    assert failure.get("message") == "4 findings; first: Container images are pinned"
    lines = failure.text.splitlines()
    assert lines[0] == "k8s/b.yaml:10:9: high: Container images are pinned at /spec/template/spec/containers/0"
    assert len(lines) == 4 and lines[3].endswith("(waived)")


def test_only_waived_is_skipped_with_the_reason() -> None:
    waived = Finding("K8S-CPU-LIMIT", Severity.LOW, "Containers have a CPU limit (baselined: burst jobs; team-a; "
                     "until 2030-01-01)", "Job/x/y", "/spec", "job.yaml", 4, 3, waived=True)
    root = valid_junit(_render("junit", [waived])[0])
    skipped = root.find("testsuite/testcase/skipped")
    assert skipped.get("message") == "waived: baselined: burst jobs; team-a; until 2030-01-01"
    assert root.get("skipped") == "1" and root.get("failures") == "0"


def test_fail_on_never_is_all_green() -> None:
    text, summary = _render("junit", FINDINGS, fail_on=NEVER)
    root = valid_junit(text)
    assert summary.exit_code == 0
    assert (root.get("failures"), root.get("errors"), root.get("skipped"), root.get("tests")) == ("0", "0", "1", "7")


def test_clean_run_is_one_passing_test() -> None:
    root = valid_junit(_render("junit", [])[0])
    [suite] = root
    [case] = suite
    assert (case.get("classname"), case.get("name"), list(case)) == ("trueup", "trueup", [])


def test_an_error_that_stops_the_run_is_an_error_case() -> None:
    stream = io.StringIO()
    reporter = make_reporter("junit", stream, RunInfo("check", ("prod",)))
    reporter.finish(Summary(), ConfigError("values file not found", "values/prod.yaml", 3, 1))
    root = valid_junit(stream.getvalue())
    error = root.find("testsuite/testcase/error")
    assert error.get("message") == "values file not found"
    assert error.text == "values/prod.yaml:3:1: values file not found"
    assert (root.get("tests"), root.get("errors")) == ("1", "1")


def test_text_xml_cannot_carry_is_escaped() -> None:
    odd = Finding("input.parse", Severity.CRITICAL, "bad byte \x07 and \x1b[31m <&\"'>", "odd.yaml", "",
                  "odd.yaml", 1, 2)
    root = valid_junit(_render("junit", [odd])[0])
    error = root.find("testsuite/testcase/error")
    assert error.get("message") == "bad byte \\x07 and \\x1b[31m <&\"'>"
    assert root.get("errors") == "1"


def test_cli_validate_exit_codes_match_json(trueup) -> None:
    bad = "tests/example-files/validate/negative/deployment.yaml"
    result = trueup("validate", bad, "--format", "junit", cwd=REPO)
    assert result.code == trueup("validate", bad, "--format", "json", cwd=REPO).code == 1
    cases = _cases(valid_junit(result.out))
    assert _outcome(cases[("trueup", "Deployment/shop/checkout", "schema")]) == "failure"
    malformed = EXAMPLES / "bad-input" / "control-char.yaml"
    result = trueup("validate", malformed, "--format", "junit", cwd=REPO)
    assert result.code == trueup("validate", malformed, "--format", "json", cwd=REPO).code == 1
    assert valid_junit(result.out).get("errors") == "1"  # nothing in the file was checked: an error, not a failure
    missing = EXAMPLES / "bad-input" / "no-such-file.yaml"
    result = trueup("validate", missing, "--format", "junit", cwd=REPO)
    assert result.code == trueup("validate", missing, "--format", "json", cwd=REPO).code == 2
    assert valid_junit(result.out).get("errors") == "1"


def test_cli_drift_never_shows_secret_values(trueup, tmp_path: Path) -> None:
    live = tmp_path / "live"
    shutil.copytree(NOISE / "live", live)
    secret = live / "config-and-secret.yaml"
    old = base64.b64encode(PASSWORD.encode()).decode()
    assert old in secret.read_text()
    secret.write_text(secret.read_text().replace(old, base64.b64encode(NEW_PASSWORD.encode()).decode()))
    for live_dir, code in ((NOISE / "live", 0), (live, 1)):
        args = ("drift", "--desired", NOISE / "desired", "--live", live_dir)
        result = trueup(*args, "--format", "junit", cwd=tmp_path)
        assert result.code == trueup(*args, "--format", "json", cwd=tmp_path).code == code
        root = valid_junit(result.out)
        assert root.get("failures") == str(code)
        everything = result.out + result.err
        for value in (PASSWORD, NEW_PASSWORD, "c2hvcA=="):
            assert value not in everything
            assert base64.b64encode(value.encode()).decode() not in everything
    assert ("trueup", "Secret/default/db", "drift.changed") in _cases(root)
