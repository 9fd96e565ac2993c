"""wiring.py: what every command sets up (config, threshold, output, environments, cache, checks) and
report(): findings through suppressions, rule filters and the baseline to the reporter and audit log."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest

from trueup import wiring
from trueup.cli import build_parser
from trueup.errors import ConfigError, UsageError
from trueup.mask import is_secret_key
from trueup.model import NEVER, Finding, Severity, Summary
from trueup.options import CheckSettings, Options, options_from

CONFIG = "version: 1\nenvironments:\n  prod:\n    values: []\n  dev:\n    values: []\n"


def _options(*argv: str) -> Options:
    return options_from(build_parser().parse_args(list(argv)), list(argv))


@pytest.fixture
def repo(write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write("trueup.yaml", CONFIG + "policy:\n  packs: [secrets]\n")
    write("f.yaml", "a: 1  # trueup: ignore[R-ONE] fine here\nb: 2\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _findings() -> list[Finding]:
    return [Finding("R-ONE", Severity.HIGH, "one", "f.yaml", "/a", "f.yaml", 1, 1),
            Finding("R-TWO", Severity.MEDIUM, "two", "f.yaml", "/b", "f.yaml", 2, 1),
            Finding("input.parse", Severity.HIGH, "bad", "g.yaml", "", "g.yaml", 1, 1)]


def _report(options: Options, config, findings=None, **kwargs) -> tuple[int, str, str, Summary]:
    out, err = io.StringIO(), io.StringIO()
    summary = Summary(fail_on=wiring.threshold(options.fail_on, config))
    code = wiring.report(options, config, _findings() if findings is None else findings, summary,
                         kwargs.pop("environments", []), out, err, **kwargs)
    return code, out.getvalue(), err.getvalue(), summary


# find_config

def test_config_found_upwards(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "sub/deeper").mkdir(parents=True)
    monkeypatch.chdir(repo / "sub/deeper")
    config = wiring.find_config(None, required=True)
    assert (config.path, config.root, sorted(config.environments)) == (repo / "trueup.yaml", repo, ["dev", "prod"])


def test_config_given_wins_over_found(repo: Path, write) -> None:
    write("other/conf.yaml", "version: 1\nenvironments:\n  qa:\n    values: []\n")
    config = wiring.find_config("other/conf.yaml", required=True)
    assert (config.path, config.root, list(config.environments)) == (repo / "other/conf.yaml", repo / "other", ["qa"])


def test_config_given_but_missing(repo: Path) -> None:
    with pytest.raises(UsageError) as caught:
        wiring.find_config("nope.yaml", required=False)
    assert (caught.value.cause, caught.value.file) == ("config file not found", "nope.yaml")


def test_config_given_is_a_directory(repo: Path) -> None:
    (repo / "adir").mkdir()
    with pytest.raises(UsageError) as caught:
        wiring.find_config("adir", required=False)
    assert caught.value.file == "adir"


def test_no_config_required(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match=r"^no trueup.yaml here or in any parent directory \(give --config"):
        wiring.find_config(None, required=True)


def test_no_config_not_required_is_config_free(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = wiring.find_config(None, required=False)
    assert (config.path, config.root, config.environments, config.templates) == (None, tmp_path.resolve(), {},
                                                                                  "templates")


def test_config_secret_keys_apply_to_the_run(write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write("trueup.yaml", CONFIG + "secrets:\n  keys: ['^SIGNING_']\n")
    monkeypatch.chdir(tmp_path)
    wiring.find_config(None, required=True)
    assert is_secret_key("SIGNING_MODE") is True
    (tmp_path / "trueup.yaml").write_text(CONFIG)
    wiring.find_config(None, required=True)
    assert is_secret_key("SIGNING_MODE") is False


# threshold

@pytest.mark.parametrize("fail_on, configured, expected", [
    (None, None, Severity.HIGH),
    (None, "low", Severity.LOW),
    ("critical", "low", Severity.CRITICAL),
    ("never", None, NEVER),
    (None, "never", NEVER),
    ("error", None, Severity.HIGH),
    ("warning", None, Severity.MEDIUM),
    ("warn", None, Severity.MEDIUM),
    ("note", None, Severity.LOW),
    (" INFO ", None, Severity.INFO),
], ids=["default", "config", "flag-wins", "never", "config-never", "error", "warning", "warn", "note", "case-space"])
def test_threshold(fail_on, configured, expected, tmp_path: Path) -> None:
    from trueup.config import Config

    assert wiring.threshold(fail_on, Config(root=tmp_path, fail_on=configured)) == expected


def test_threshold_bad_name(tmp_path: Path) -> None:
    from trueup.config import Config

    with pytest.raises(UsageError) as caught:
        wiring.threshold("severe", Config(root=tmp_path))
    assert str(caught.value) == "unknown severity 'severe' (one of: info, low, medium, high, critical)"


# open_output

def test_open_output_none_is_stdout() -> None:
    stdout = io.StringIO()
    assert wiring.open_output(None, stdout) is stdout
    assert wiring.open_output("", stdout) is stdout


def test_open_output_writes_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.txt").write_text("old and longer text")
    stream = wiring.open_output("r.txt", io.StringIO())
    stream.write("new\n")
    stream.close()
    assert (tmp_path / "r.txt").read_text() == "new\n"


def test_open_output_refuses_a_symlink(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "real.txt").write_text("keep")
    (tmp_path / "link.txt").symlink_to("real.txt")
    with pytest.raises(UsageError) as caught:
        wiring.open_output("link.txt", io.StringIO())
    assert caught.value.cause.startswith("cannot write the report: ")
    assert (tmp_path / "real.txt").read_text() == "keep"


def test_open_output_into_missing_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file").write_text("")
    with pytest.raises(UsageError) as caught:
        wiring.open_output("file/r.txt", io.StringIO())
    assert caught.value.cause.startswith("cannot write the report: ")


# environments_for

def test_environments_asked_and_default(repo: Path) -> None:
    config = wiring.find_config(None, required=True)
    assert wiring.environments_for(config, []) == ["prod", "dev"]
    assert wiring.environments_for(config, ["dev"]) == ["dev"]


def test_unknown_environment(repo: Path) -> None:
    config = wiring.find_config(None, required=True)
    with pytest.raises(ConfigError) as caught:
        wiring.environments_for(config, ["dev", "qa"])
    assert str(caught.value) == "trueup.yaml: unknown environment 'qa' (known: dev, prod)"


def test_no_environments(write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write("trueup.yaml", "version: 1\n")
    monkeypatch.chdir(tmp_path)
    config = wiring.find_config(None, required=True)
    with pytest.raises(UsageError) as caught:
        wiring.environments_for(config, [])
    assert str(caught.value) == "trueup.yaml: trueup.yaml defines no environments to render"


# cache_dir

@pytest.mark.parametrize("ci, flag, used", [
    (None, None, True), ("true", None, False), (None, False, False), ("true", True, True), (None, True, True),
    ("", None, True),
], ids=["laptop", "ci", "no-cache", "ci-cache", "cache", "ci-empty"])
def test_cache_dir(ci, flag, used, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRUEUP_CACHE_DIR", str(tmp_path / "c"))
    if ci is not None:
        monkeypatch.setenv("CI", ci)
    assert wiring.cache_dir(flag) == (tmp_path / "c" if used else None)


# checker_for

SECRETS = ["SECRET-AWS-ACCESS-KEY", "SECRET-GITHUB-TOKEN", "SECRET-PASSWORD-VALUE", "SECRET-PRIVATE-KEY",
           "SECRET-SLACK-TOKEN", "SECRET-URL-CREDENTIALS"]


def test_checker_without_policy(repo: Path) -> None:
    checker = wiring.checker_for(wiring.find_config(None, True), CheckSettings(no_policy=True))
    assert (checker.policy, checker.rule_count) == (None, 0)


def test_checker_rule_and_skip_rule(repo: Path) -> None:
    config = wiring.find_config(None, True)
    only = wiring.checker_for(config, CheckSettings(rule=("SECRET-*",)))
    assert sorted(r.id for r in [*only.policy.rules, *only.policy.cross_file]) == SECRETS
    one = wiring.checker_for(config, CheckSettings(rule=("SECRET-GITHUB-TOKEN",)))
    assert [r.id for r in one.policy.rules] == ["SECRET-GITHUB-TOKEN"]
    skipped = wiring.checker_for(config, CheckSettings(skip_rule=("SECRET-GITHUB-*", "SECRET-SLACK-TOKEN")))
    assert sorted(r.id for r in skipped.policy.rules) == sorted(set(SECRETS) - {"SECRET-GITHUB-TOKEN",
                                                                               "SECRET-SLACK-TOKEN"})


def test_checker_profile_and_schemas(repo: Path) -> None:
    config = wiring.find_config(None, True)
    minimal = wiring.checker_for(config, CheckSettings(profile="minimal")).rule_count
    standard = wiring.checker_for(config, CheckSettings()).rule_count
    strict = wiring.checker_for(config, CheckSettings(profile="strict")).rule_count
    assert minimal <= standard <= strict and minimal < strict
    checker = wiring.checker_for(config, CheckSettings(kubernetes_version="1.29", strict=False, no_policy=True))
    assert (checker.schemas.kubernetes_version, checker.schemas.strict) == ("1.29", False)


# report

def test_report_suppressions_waive_and_exit(repo: Path) -> None:
    code, out, err, summary = _report(_options("validate", "-f", "json"), wiring.find_config(None, True))
    report = json.loads(out)
    assert [(f["rule"], f["waived"]) for f in report["findings"]] == [
        ("R-ONE", True), ("R-TWO", False), ("input.parse", False)]
    assert (code, err, summary.failing, summary.waived) == (1, "", 1, 1)


def test_report_text_lines(repo: Path) -> None:
    code, out, err, _ = _report(_options("validate"), wiring.find_config(None, True))
    assert (code, err) == (1, "")
    assert out == ("f.yaml:2:1: medium: two [R-TWO] at /b\n"
                   "g.yaml:1:1: high: bad [input.parse]\n"
                   "failed: 2 findings (1 high, 1 medium) in 2 files; 0 documents in 0 files; 1 waived\n")


@pytest.mark.parametrize("argv, rules", [
    (["--rule", "R-TWO"], ["R-TWO", "input.parse"]),
    (["--rule", "R-*"], ["R-ONE", "R-TWO", "input.parse"]),
    (["--skip-rule", "R-*"], ["input.parse"]),
    (["--rule", "R-*", "--skip-rule", "R-ONE"], ["R-TWO", "input.parse"]),
    (["--skip-rule", "input.*"], ["R-ONE", "R-TWO", "input.parse"]),
    (["--rule", "NOTHING"], ["input.parse"]),
], ids=["only", "only-glob", "skip-glob", "only-and-skip", "input-never-skipped", "only-none"])
def test_report_rule_filters_keep_input_findings(repo: Path, argv: list[str], rules: list[str]) -> None:
    code, out, _, summary = _report(_options("validate", "-f", "json", *argv), wiring.find_config(None, True))
    assert [f["rule"] for f in json.loads(out)["findings"]] == rules
    assert summary.total == len(rules)


@pytest.mark.parametrize("fail_on, code", [("never", 0), ("critical", 0), ("high", 1), ("info", 1)])
def test_report_exit_code_by_threshold(repo: Path, fail_on: str, code: int) -> None:
    assert _report(_options("validate", "--fail-on", fail_on), wiring.find_config(None, True))[0] == code


def test_report_incomplete_run_exits_2(repo: Path) -> None:
    findings = [Finding("input.render", Severity.CRITICAL, "boom", "t.yaml", "", "t.yaml", 1, 1)]
    assert _report(_options("validate", "--fail-on", "never"), wiring.find_config(None, True), findings)[0] == 2


def _baseline(repo: Path, finding: Finding, expires: dt.date, name: str = "baselines/accepted.yaml") -> None:
    (repo / name).parent.mkdir(parents=True, exist_ok=True)
    (repo / name).write_text(
        f"entries:\n  - fingerprint: {finding.fingerprint}\n    rule: {finding.rule}\n    target: {finding.target}\n"
        f"    path: {finding.path}\n    reason: known\n    owner: ana@example.com\n    expires: {expires}\n")


def test_report_applies_the_default_baseline(repo: Path) -> None:
    _baseline(repo, _findings()[1], dt.date.today() + dt.timedelta(days=10))
    config = wiring.find_config(None, True)
    code, out, _, summary = _report(_options("validate", "-f", "json"), config)
    assert [(f["rule"], f["waived"]) for f in json.loads(out)["findings"]] == [
        ("R-ONE", True), ("R-TWO", True), ("input.parse", False)]
    assert json.loads(out)["findings"][1]["message"] == (
        f"two (baselined: known; ana@example.com; until {dt.date.today() + dt.timedelta(days=10)})")
    assert (code, summary.waived) == (1, 2)
    code, out, _, _ = _report(_options("validate", "-f", "json", "--no-baseline"), config)
    assert [f["waived"] for f in json.loads(out)["findings"]] == [True, False, False]


def test_report_expired_baseline_entry_is_a_finding(repo: Path) -> None:
    _baseline(repo, _findings()[1], dt.date.today() - dt.timedelta(days=1), "mine.yaml")
    code, out, _, _ = _report(_options("validate", "-f", "json", "--baseline", "mine.yaml"),
                              wiring.find_config(None, True))
    findings = json.loads(out)["findings"]
    assert [(f["rule"], f["waived"]) for f in findings] == [
        ("R-ONE", True), ("R-TWO", False), ("input.parse", False), ("baseline.expired", False)]
    assert findings[3]["message"] == (f"baseline entry for R-TWO at /b expired on {dt.date.today() - dt.timedelta(days=1)}"
                                      " (owner ana@example.com): fix the finding or renew the entry")


def test_report_merged_findings_are_not_suppressed_again_nor_audited(repo: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "1")
    _baseline(repo, _findings()[1], dt.date.today() + dt.timedelta(days=10))
    code, out, _, _ = _report(_options("validate", "-f", "json"), wiring.find_config(None, True), merged_from="check")
    report = json.loads(out)
    assert report["command"] == "check"
    assert [f["waived"] for f in report["findings"]] == [False, False, False]
    assert not (repo / ".trueup").exists()


def test_report_writes_the_audit_record_with_patches(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "1")
    patch = repo / "patches/app.diff"
    patch.parent.mkdir()
    patch.write_bytes(b"--- a/x\n+++ b/x\n")
    code, _, err, _ = _report(_options("check", "--env", "prod"), wiring.find_config(None, True),
                              environments=["prod"], patches=[patch])
    [record] = [json.loads(line) for line in (repo / ".trueup/audit.jsonl").read_text().splitlines()]
    assert (code, err) == (1, "")
    assert (record["command"], record["argv"], record["environments"], record["exit_code"]) == (
        "check", ["check", "--env", "prod"], ["prod"], 1)
    assert record["patches"] == [{"path": str(patch), "sha256": hashlib.sha256(b"--- a/x\n+++ b/x\n").hexdigest()}]
    assert [(f["rule"], f["waived"]) for f in record["findings"]] == [
        ("R-ONE", True), ("R-TWO", False), ("input.parse", False)]
    assert record["counts"]["by_rule"] == {"R-ONE": 1, "R-TWO": 1, "input.parse": 1}


def test_report_audit_failure_fails_the_run_after_the_report(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "1")
    (repo / ".trueup").mkdir()
    (repo / ".trueup/audit.jsonl").write_text("not json\n")
    code, out, err, _ = _report(_options("validate", "-f", "json"), wiring.find_config(None, True))
    assert code == 2
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["R-ONE", "R-TWO", "input.parse"]
    assert err == (f"trueup: {repo}/.trueup/audit.jsonl: the audit log's last record is unreadable; "
                   "nothing appended (run `trueup audit verify`)\n")


def test_report_error_in_stream_is_reported_and_exits_2(repo: Path) -> None:
    def findings():
        yield _findings()[1]
        raise ConfigError("went wrong", "h.yaml", 4)

    code, out, err, summary = _report(_options("validate", "-f", "json"), wiring.find_config(None, True), findings())
    report = json.loads(out)
    assert (code, err, summary.total) == (2, "trueup: h.yaml:4: went wrong\n", 1)
    assert report["error"] == {"message": "went wrong", "file": "h.yaml", "line": 4, "column": None}
    assert [f["rule"] for f in report["findings"]] == ["R-TWO"]


def test_report_to_output_file(repo: Path) -> None:
    code, out, _, _ = _report(_options("validate", "-q", "-o", "out.txt"), wiring.find_config(None, True))
    assert (code, out) == (1, "")
    assert (repo / "out.txt").read_text() == ("f.yaml:2:1: medium: two [R-TWO] at /b\n"
                                             "g.yaml:1:1: high: bad [input.parse]\n")


# small helpers

@pytest.mark.parametrize("value, expected", [("2026-02-03", dt.date(2026, 2, 3))])
def test_parse_date(value: str, expected: dt.date) -> None:
    assert wiring.parse_date(value, "--since") == expected


def test_parse_date_bad() -> None:
    with pytest.raises(UsageError) as caught:
        wiring.parse_date("03/02/2026", "--expires")
    assert str(caught.value) == "--expires must be a date (YYYY-MM-DD), not '03/02/2026'"


def test_the_configs_typed_sections(write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Baselines, audit and policy come from Config's own fields, not from the file as written."""
    from trueup.config import AuditSettings, BaselineSettings

    write("trueup.yaml", CONFIG + "baselines:\n  file: b.yaml\n  max_days: 30\naudit:\n  enabled: true\n"
          "  path: logs/a.jsonl\npolicy:\n  profile: strict\n")
    monkeypatch.chdir(tmp_path)
    config = wiring.find_config(None, True)
    assert (config.baselines, config.audit, config.policy) == (
        BaselineSettings("b.yaml", 30), AuditSettings(True, "logs/a.jsonl"), {"profile": "strict"})
    (tmp_path / "trueup.yaml").write_text(CONFIG)
    config = wiring.find_config(None, True)
    assert (config.baselines, config.audit, config.policy) == (
        BaselineSettings("baselines/accepted.yaml", 90), AuditSettings("ci", ".trueup/audit.jsonl"), {})


def test_say_prints_one_line_whatever_a_name_holds() -> None:
    import io

    from trueup.wiring import say

    out = io.StringIO()
    say("trueup: v\x1b[2J\nforged.yaml: values file not found \u202e", out)
    assert out.getvalue() == "trueup: v\\x1b[2J\\nforged.yaml: values file not found \\u202e\n"


def test_an_error_while_findings_stream_names_a_hostile_file_escaped(trueup, tmp_path: Path) -> None:
    """The error line report() prints (here: a drift whose desired side is a directory named with
    an escape sequence and a newline) cannot forge a second line or move the cursor."""
    desired = tmp_path / "d\x1b[2J\nforged"
    desired.write_text("not a directory", encoding="utf-8")
    (tmp_path / "live").mkdir()
    result = trueup("drift", "--desired", desired, "--live", tmp_path / "live", cwd=tmp_path)
    assert result.code == 2
    assert result.err == f"trueup: {tmp_path}/d\\x1b[2J\\nforged: --desired must be a directory\n"
