"""maintenance.py: fix (dry run and --apply), baseline update, rules list/show/docs, report merge,
audit verify/show and init, each called with Options on a small repository."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from trueup import audit, commands, maintenance
from trueup.errors import UsageError

from command_repo import CONFIG, run, write_repo  # noqa: F401

PATCH = "--- a/live/app.yaml\n+++ b/live/app.yaml\n@@ -1,2 +1,2 @@\n-port: 9090\n+port: 8080\n name: shop\n"


@pytest.fixture
def repo(write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_repo(write)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# fix

def test_fix_dry_run_changes_nothing(repo: Path) -> None:
    assert run(maintenance.fix, "fix") == (
        0, "would fix live/app.yaml (1 value):\n" + PATCH
        + "dry run: 1 file would change; run with --apply to write them\n", "")
    assert (repo / "live/app.yaml").read_text() == "port: 9090\nname: shop\n"


def test_fix_apply_writes_with_a_backup(repo: Path) -> None:
    code, out, err = run(maintenance.fix, "fix", "--apply")
    [backup] = sorted(p.name for p in (repo / "live").iterdir() if p.name != "app.yaml")
    assert (code, out, err) == (0, f"fixed live/app.yaml: backup {backup}\n", "")
    assert backup.startswith("app.yaml.") and backup.endswith(".trueup-bak")
    assert (repo / "live/app.yaml").read_text() == "port: 8080\nname: shop\n"
    assert (repo / "live" / backup).read_text() == "port: 9090\nname: shop\n"
    assert run(maintenance.fix, "fix") == (0, "dry run: 0 files would change; run with --apply to write them\n", "")


def test_fix_dry_run_masks_secrets(repo: Path) -> None:
    (repo / "values.yaml").write_text("port: 9090\nname: shop\npassword: s3cr3t-new-value-xyz\n")
    (repo / "templates/app.yaml.j2").write_text("port: {{ port }}\nname: {{ name }}\npassword: {{ password }}\n")
    (repo / "live/app.yaml").write_text("port: 9090\nname: shop\npassword: old-s3cr3t-value-abc\n")
    code, out, _ = run(maintenance.fix, "fix")
    assert (code, out) == (0, "would fix live/app.yaml (1 value): secret values masked\n"
                              "--- a/live/app.yaml\n+++ b/live/app.yaml\n@@ -1,3 +1,3 @@\n port: 9090\n name: shop\n"
                              "-password: ********\n+password: ********\n"
                              "dry run: 1 file would change; run with --apply to write them\n")


def test_fix_creates_a_missing_file(repo: Path, write) -> None:
    (repo / "trueup.yaml").write_text(CONFIG.replace('desired: "app.yaml"\n    live: "live/app.yaml"',
                                                     'desired: "**"\n    live: "live"'))
    write("templates/extra.yaml", "x: 1\n")
    code, out, _ = run(maintenance.fix, "fix")
    assert out.splitlines()[0] == "would create live/extra.yaml:"
    assert out.endswith("dry run: 2 files would change; run with --apply to write them\n")
    code, out, _ = run(maintenance.fix, "fix", "--apply")
    assert out.splitlines()[0] == "created live/extra.yaml"
    assert (code, (repo / "live/extra.yaml").read_text()) == (0, "x: 1\n")


def test_fix_stops_on_unreadable_live(repo: Path) -> None:
    (repo / "live/app.yaml").write_text("port: [\n")
    code, out, err = run(maintenance.fix, "fix", "--apply")
    assert (code, out) == (2, "")
    assert err == "trueup: live/app.yaml:2: invalid YAML: did not find expected node content (while parsing a flow node)\n"
    assert (repo / "live/app.yaml").read_text() == "port: [\n"


def test_fix_is_audited_with_changes(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "1")
    run(maintenance.fix, "fix", "--apply")
    [record] = [json.loads(line) for line in (repo / ".trueup/audit.jsonl").read_text().splitlines()]
    import hashlib

    assert record["changes"] == [{"file": "live/app.yaml",
                                  "sha256_before": hashlib.sha256(b"port: 9090\nname: shop\n").hexdigest(),
                                  "sha256_after": hashlib.sha256(b"port: 8080\nname: shop\n").hexdigest()}]
    assert (record["command"], record["exit_code"], [f["rule"] for f in record["findings"]]) == (
        "fix", 0, ["drift.changed"])


# baseline

def _entries(repo: Path) -> list[tuple[str, str, str]]:
    from trueup.load import load_path

    doc = load_path(repo / "baselines/accepted.yaml", file="b", name="b").documents[0]
    return [(e["rule"], e["path"], e["owner"], e["expires"]) for e in doc.data["entries"]]


def test_baseline_update_accepts_then_keeps_then_resolves(repo: Path) -> None:
    limit = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    assert run(maintenance.baseline, "baseline", "update", "--owner", "ana@example.com") == (
        0, "baseline baselines/accepted.yaml: 1 entries (1 new, 0 kept, 0 resolved)\n", "")
    assert _entries(repo) == [("drift.changed", "/port", "ana@example.com", limit)]
    code, out, _ = run(commands.check, "check", "--no-blame", "-f", "json")
    assert (code, [(f["rule"], f["waived"]) for f in json.loads(out)["findings"]]) == (0, [("drift.changed", True)])
    assert run(maintenance.baseline, "baseline", "update", "--owner", "bo@example.com")[1] == (
        "baseline baselines/accepted.yaml: 1 entries (0 new, 1 kept, 0 resolved)\n")
    assert _entries(repo) == [("drift.changed", "/port", "ana@example.com", limit)]
    (repo / "live/app.yaml").write_text("port: 8080\nname: shop\n")
    assert run(maintenance.baseline, "baseline", "update", "--owner", "bo@example.com")[1] == (
        "baseline baselines/accepted.yaml: 0 entries (0 new, 0 kept, 1 resolved)\n")


def test_baseline_update_with_expiry_and_configured_file(repo: Path) -> None:
    (repo / "trueup.yaml").write_text(CONFIG + "baselines:\n  file: accepted.yaml\n  max_days: 10\n")
    day = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    assert run(maintenance.baseline, "baseline", "update", "--owner", "o@x", "--expires", day)[1] == (
        "baseline accepted.yaml: 1 entries (1 new, 0 kept, 0 resolved)\n")
    assert f"expires: '{day}'" in (repo / "accepted.yaml").read_text()


@pytest.mark.parametrize("expires", [0, 11, -1], ids=["today", "beyond-limit", "past"])
def test_baseline_expiry_out_of_range(repo: Path, expires: int) -> None:
    (repo / "trueup.yaml").write_text(CONFIG + "baselines:\n  max_days: 10\n")
    day = (dt.date.today() + dt.timedelta(days=expires)).isoformat()
    limit = dt.date.today() + dt.timedelta(days=10)
    with pytest.raises(UsageError) as caught:
        run(maintenance.baseline, "baseline", "update", "--owner", "o@x", "--expires", day)
    assert str(caught.value) == f"--expires must be after today and at most 10 days away ({limit})"
    assert not (repo / "baselines").exists()


def test_baseline_needs_an_owner_outside_git(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(repo.parent))
    with pytest.raises(UsageError) as caught:
        run(maintenance.baseline, "baseline", "update")
    assert str(caught.value) == "give --owner (no git user.email to default to)"


# rules

def test_rules_list_show_docs(repo: Path) -> None:
    code, out, _ = run(maintenance.rules, "rules", "list")
    lines = out.splitlines()
    assert code == 0
    assert "SECRET-GITHUB-TOKEN                   critical  secrets     minimal   No GitHub tokens in plain values" in lines
    assert len({line.split()[0] for line in lines}) == len(lines)
    code, out, _ = run(maintenance.rules, "rules", "show", "secret-github-token")
    assert out.splitlines()[:3] == ["SECRET-GITHUB-TOKEN: No GitHub tokens in plain values",
                                    "severity: critical    pack: secrets    profile: minimal    defined in "
                                    "trueup:checks/secrets.yaml:28",
                                    "applies to: any file"]
    code, page, _ = run(maintenance.rules, "rules", "docs")
    assert page.startswith("# Built-in rules\n")
    assert "| [SECRET-GITHUB-TOKEN](#secret-github-token) | critical | secrets | minimal | " \
           "No GitHub tokens in plain values |" in page.splitlines()
    assert run(maintenance.rules, "rules", "docs", "-o", "docs/rules.md") == (0, "", "")
    assert (repo / "docs/rules.md").read_text() == page


def test_rules_show_unknown(repo: Path) -> None:
    with pytest.raises(UsageError) as caught:
        run(maintenance.rules, "rules", "show", "nope")
    assert str(caught.value) == "no rule 'nope' (see `trueup rules list`)"


def test_rules_docs_replaces_a_symlink_not_its_target(repo: Path) -> None:
    (repo / "real.md").write_text("mine")
    (repo / "link.md").symlink_to("real.md")
    code, page, _ = run(maintenance.rules, "rules", "docs")
    assert run(maintenance.rules, "rules", "docs", "-o", "link.md") == (0, "", "")
    assert ((repo / "real.md").read_text(), (repo / "link.md").is_symlink()) == ("mine", False)
    assert (repo / "link.md").read_text() == page


def test_rules_docs_refuses_a_symlinked_directory(repo: Path, tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (repo / "docs").symlink_to(elsewhere)
    with pytest.raises(UsageError) as caught:
        run(maintenance.rules, "rules", "docs", "-o", "docs/rules.md")
    assert caught.value.cause.startswith("cannot write: ")
    assert list(elsewhere.iterdir()) == []


# report merge

@pytest.mark.parametrize("made_with, merged_with, code, label", [
    ("critical", None, 0, "critical"), ("never", None, 0, "never"), ("medium", None, 1, "medium"),
    ("critical", "high", 1, "high"), (None, None, 1, "high"),
], ids=["critical-kept", "never-kept", "medium-kept", "flag-wins", "default"])
def test_merge_keeps_the_reports_fail_on(repo: Path, made_with, merged_with, code: int, label: str) -> None:
    made = ["--fail-on", made_with] if made_with else []
    run(commands.drift, "drift", "--no-blame", "-f", "json", "-o", "a.json", *made)
    merged = ["--fail-on", merged_with] if merged_with else []
    result, out, _ = run(maintenance.report_merge, "report", "merge", "a.json", "-f", "json", *merged)
    report = json.loads(out)
    assert (result, report["summary"]["fail_on"], report["summary"]["exit_code"]) == (code, label, code)
    assert (report["command"], [f["rule"] for f in report["findings"]]) == ("drift", ["drift.changed"])


def test_merge_text(repo: Path) -> None:
    run(commands.drift, "drift", "--no-blame", "-f", "json", "-o", "a.json")
    assert run(maintenance.report_merge, "report", "merge", "a.json") == (
        1, "app.yaml (prod): templates/app.yaml.j2 vs live live/app.yaml\n"
           "  changed /port (line 1, live line 1): live 9090, desired 8080\n"
           "failed: 1 finding (1 high) in 1 file; 1 document in 1 file\n", "")


def test_merge_history_needs_a_record_format(repo: Path) -> None:
    with pytest.raises(UsageError) as caught:
        run(maintenance.report_merge, "report", "merge", "a.json", "--previous", "b.json")
    assert str(caught.value) == "--previous and --history are for --format html, json or markdown"


def test_merge_previous_marks_new(repo: Path) -> None:
    run(commands.drift, "drift", "--no-blame", "-f", "json", "-o", "a.json")
    (repo / "live/app.yaml").write_text("port: 9090\nname: shoe\n")
    run(commands.drift, "drift", "--no-blame", "-f", "json", "-o", "b.json")
    _, out, _ = run(maintenance.report_merge, "report", "merge", "b.json", "--previous", "a.json", "-f", "json")
    assert [(f["path"], f["new"]) for f in json.loads(out)["findings"]] == [("/port", False), ("/name", True)]


# audit

def _log(repo: Path, runs: int) -> Path:
    log = repo / ".trueup/audit.jsonl"
    for i in range(runs):
        audit.append(log, {"run": f"r{i}", "time": f"2026-11-0{i + 1}T10:00:00+00:00", "command": "check",
                           "environments": ["prod"], "exit_code": i % 2, "actor": {"email": "a@x"},
                           "findings": [{"rule": "drift.changed", "target": f"T{i}", "path": "/p"}] if i else []})
    return log


def test_audit_verify(repo: Path) -> None:
    _log(repo, 3)
    assert run(maintenance.audit_command, "audit", "verify") == (
        0, ".trueup/audit.jsonl: 3 records, chain intact\n", "")
    lines = (repo / ".trueup/audit.jsonl").read_text().splitlines()
    (repo / ".trueup/audit.jsonl").write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert run(maintenance.audit_command, "audit", "verify") == (
        1, ".trueup/audit.jsonl:2: record 3 (run r2) does not follow record 1: a record was removed, "
           "reordered or inserted\n", "")


def test_audit_show_filters(repo: Path) -> None:
    _log(repo, 3)
    line = "2026-11-0{d}T10:00:00+00:00  #{d}  check    env prod         exit {e}  {n} findings  by a@x"
    assert run(maintenance.audit_command, "audit", "show")[1] == "".join(
        line.format(d=d, e=(d - 1) % 2, n=int(d > 1)) + "\n" for d in (1, 2, 3))
    assert run(maintenance.audit_command, "audit", "show", "--since", "2026-11-02", "--target", "T2")[1] == (
        line.format(d=3, e=0, n=1) + "\n    drift.changed T2 /p\n")
    assert run(maintenance.audit_command, "audit", "show", "--rule", "drift.changed")[1].count("    drift.changed") == 2
    assert run(maintenance.audit_command, "audit", "show", "--rule", "other") == (0, "", "")


def test_audit_without_a_log(repo: Path) -> None:
    with pytest.raises(UsageError) as caught:
        run(maintenance.audit_command, "audit", "--log", "none.jsonl", "verify")
    assert str(caught.value) == "none.jsonl: no audit log here"


def test_audit_bad_since(repo: Path) -> None:
    _log(repo, 1)
    with pytest.raises(UsageError) as caught:
        run(maintenance.audit_command, "audit", "show", "--since", "yesterday")
    assert str(caught.value) == "--since must be a date (YYYY-MM-DD), not 'yesterday'"


# init

FILES = [".github/workflows/nightly-drift.yml", ".github/workflows/pr-check.yml", ".pre-commit-config.yaml",
         "baselines/accepted.yaml", "policy/team.yaml", "templates/k8s/deployment.yaml.j2",
         "templates/k8s/service.yaml.j2", "trueup.yaml", "values/common.yaml", "values/dev.yaml", "values/prod.yaml"]


def test_init_writes_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(maintenance.init, "init", "site", "--repo", "https://example.com/t.git", "--rev", "v9")
    assert (code, err) == (0, "")
    assert out == ("trueup: wrote 11 files; next: cd site && trueup check\n"
                   "trueup: hooks get trueup from https://example.com/t.git at v9: as asked (--repo, --rev); --repo "
                   "and --rev choose; the workflows use the published action at the release tag\n")
    assert sorted(p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*")
                  if p.is_file()) == FILES
    hooks = (tmp_path / "site/.pre-commit-config.yaml").read_text()
    assert "  - repo: https://example.com/t.git\n    rev: v9\n" in hooks
    monkeypatch.chdir(tmp_path / "site")
    assert run(commands.check, "check", "-q", "--no-blame") == (0, "", "")


def test_init_here_and_never_overwrites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "values").mkdir()
    (tmp_path / "values/dev.yaml").write_text("mine: 1\n")
    with pytest.raises(UsageError) as caught:
        run(maintenance.init, "init", "--repo", "u", "--rev", "r")
    assert str(caught.value) == "values/dev.yaml: exists; trueup init writes only files that are not there yet"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["dev.yaml", "values"]
    (tmp_path / "values/dev.yaml").unlink()
    assert run(maintenance.init, "init", "--repo", "u", "--rev", "r")[1].splitlines()[0] == (
        "trueup: wrote 11 files; next: trueup check")


def test_init_into_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f").write_text("")
    with pytest.raises(UsageError) as caught:
        run(maintenance.init, "init", "f")
    assert str(caught.value) == "f: not a directory"
