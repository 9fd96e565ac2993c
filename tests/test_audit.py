"""The audit log: appended in CI, chained, tamper-evident, safe under concurrent writers, secret-free."""
from __future__ import annotations

import json
import multiprocessing
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES
from trueup import audit

CONFIG = "version: 1\nenvironments:\n  prod:\n    values: [values.yaml]\npolicy:\n  packs: [secrets]\n"


@pytest.fixture
def repo(write, tmp_path: Path) -> Path:
    write("trueup.yaml", CONFIG)
    write("values.yaml", "password: hunter2-secret-value\n")
    write("templates/app.yaml.j2", "db:\n  password: {{ password }}\n")
    return tmp_path


def _log(repo: Path) -> list[dict]:
    return [json.loads(l) for l in (repo / ".trueup/audit.jsonl").read_text().splitlines()]


def test_recorded_in_ci_not_on_a_laptop(trueup, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trueup("check", cwd=repo)
    assert not (repo / ".trueup").exists()
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("GITHUB_ACTOR", "octocat")
    result = trueup("check", "--env", "prod", "--format", "json", cwd=repo)
    assert result.code == 1
    [record] = _log(repo)
    assert (record["seq"], record["prev"], record["command"], record["exit_code"]) == (1, audit.GENESIS, "check", 1)
    assert record["actor"]["ci"] == "octocat"
    assert record["environments"] == ["prod"]
    assert record["counts"]["by_rule"] == {"SECRET-PASSWORD-VALUE": 1, "drift.not-compared": 1}
    assert [(f["rule"], f["target"], f["path"]) for f in record["findings"]] == [
        ("SECRET-PASSWORD-VALUE", "app.yaml", "/db/password"), ("drift.not-compared", "trueup.yaml", "")]
    assert record["hash"] == audit.seal(record, None)


def test_no_secret_reaches_the_log(trueup, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "1")
    trueup("check", "--env", "prod", "--config", repo / "trueup.yaml", cwd=repo)
    trueup("validate", "--env", "prod", cwd=repo)
    text = (repo / ".trueup/audit.jsonl").read_text()
    assert "hunter2-secret-value" not in text and "ghp_AbCd" not in text
    assert len(_log(repo)) == 2


def test_redaction() -> None:
    assert audit.redact(["check", "--token", "abc", "--api-key=xyz", "DB_PASSWORD=pw", "--env", "prod"]) == [
        "check", "--token", "********", "--api-key=********", "********", "--env", "prod"]


def _chain(path: Path, n: int) -> None:
    for i in range(n):
        audit.append(path, {"run": f"run-{i}", "command": "check", "exit_code": 0})


def _rewrite(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in records))


def test_intact_chain_verifies(trueup, tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    _chain(log, 4)
    assert audit.verify(log) == (4, None)
    result = trueup("audit", "--log", log, "verify", cwd=tmp_path)
    assert (result.code, result.out) == (0, f"{log}: 4 records, chain intact\n")


def _tamper(kind: str, records: list[dict]) -> list[dict]:
    if kind == "edited":
        records[1]["exit_code"] = 0 if records[1]["exit_code"] else 1
        records[1]["command"] = "drift"
    elif kind == "removed":
        del records[1]
    elif kind == "reordered":
        records[1], records[2] = records[2], records[1]
    elif kind == "inserted":
        forged = {"run": "forged", "command": "check", "exit_code": 0, "seq": 2, "prev": records[0]["hash"]}
        forged["hash"] = audit.seal(forged, None)
        records.insert(1, forged)
    return records


@pytest.mark.parametrize("kind, line, fragment", [
    ("edited", 2, "record 2 (run run-1) was edited"),
    ("removed", 2, "record 3 (run run-2) does not follow record 1"),
    ("reordered", 2, "record 3 (run run-2) does not follow record 1"),
    ("inserted", 3, "record 2 (run run-1) does not follow record 2"),
])
def test_each_kind_of_tampering_is_named(trueup, tmp_path: Path, kind: str, line: int, fragment: str) -> None:
    log = tmp_path / "audit.jsonl"
    _chain(log, 4)
    _rewrite(log, _tamper(kind, [json.loads(l) for l in log.read_text().splitlines()]))
    result = trueup("audit", "--log", log, "verify", cwd=tmp_path)
    assert result.code == 1
    assert result.out.startswith(f"{log}:{line}: {fragment}"), result.out


def test_a_keyed_log_cannot_be_rewritten_without_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(audit.KEY_VARIABLE, "s3cret-key")
    log = tmp_path / "audit.jsonl"
    _chain(log, 3)
    assert audit.verify(log) == (3, None)
    records = [json.loads(l) for l in log.read_text().splitlines()]
    previous = audit.GENESIS
    for record in records:
        record["exit_code"] = 0
        record["prev"] = previous
        record["hash"] = audit.seal(record, None)
        previous = record["hash"]
    _rewrite(log, records)
    count, problem = audit.verify(log)
    assert problem is not None and problem.line == 1 and "was edited" in problem.message


def _writer(args: tuple[str, int, int]) -> None:
    path, worker, count = args
    for i in range(count):
        audit.append(Path(path), {"run": f"w{worker}-{i}", "command": "drift", "exit_code": 0})


def test_concurrent_writers_never_interleave_or_lose_records(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    with multiprocessing.get_context("fork").Pool(6) as pool:
        pool.map(_writer, [(str(log), w, 20) for w in range(6)])
    records = [json.loads(l) for l in log.read_text().splitlines()]
    assert len(records) == 120
    assert [r["seq"] for r in records] == list(range(1, 121))
    assert len({r["run"] for r in records}) == 120
    assert audit.verify(log) == (120, None)


def test_show_filters(trueup, repo: Path, monkeypatch: pytest.MonkeyPatch, write) -> None:
    monkeypatch.setenv("CI", "true")
    trueup("check", "--env", "prod", cwd=repo)
    write("values.yaml", "password: ${DB_PASSWORD}\n")
    trueup("check", "--env", "prod", cwd=repo)
    shown = trueup("audit", "show", cwd=repo)
    assert [l.split()[1] for l in shown.lines] == ["#1", "#2"]
    by_rule = trueup("audit", "show", "--rule", "SECRET-PASSWORD-VALUE", cwd=repo)
    assert len(by_rule.lines) == 2 and by_rule.lines[1].strip() == "SECRET-PASSWORD-VALUE app.yaml /db/password"
    assert trueup("audit", "show", "--target", "nope", cwd=repo).out == ""
    assert trueup("audit", "show", "--since", "2999-01-01", cwd=repo).out == ""
    assert trueup("audit", "show", "--since", "yesterday", cwd=repo).code == 2


def test_missing_log(trueup, tmp_path: Path) -> None:
    result = trueup("audit", "verify", cwd=tmp_path)
    assert result.code == 2
    assert result.err == "trueup: .trueup/audit.jsonl: no audit log here\n"


def test_patches_written_are_recorded_with_hashes(trueup, write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    monkeypatch.setenv("CI", "true")
    write("d/app.yaml", "port: 8080\n")
    write("l/app.yaml", "port: 9090\n")
    trueup("drift", "--desired", "d", "--live", "l", "--patches", "out", cwd=tmp_path)
    [record] = [json.loads(l) for l in (tmp_path / ".trueup/audit.jsonl").read_text().splitlines()]
    [patch] = record["patches"]
    assert patch["path"] == "out/l/app.yaml.patch"
    assert patch["sha256"] == hashlib.sha256((tmp_path / "out/l/app.yaml.patch").read_bytes()).hexdigest()


@pytest.mark.parametrize("line, fragment", [
    ("[1, 2]", "is not a record, a JSON object (edited or inserted)"),
    ("null", "is not a record, a JSON object (edited or inserted)"),
    ('"text"', "is not a record, a JSON object (edited or inserted)"),
    ('{"seq": "2"}', "record 2 (run ?) was edited: its hash does not match"),
])
def test_a_line_that_is_no_record_is_named_not_a_traceback(trueup, tmp_path: Path, line: str, fragment: str) -> None:
    log = tmp_path / "audit.jsonl"
    _chain(log, 2)
    with open(log, "a") as handle:
        handle.write(line + "\n")
    result = trueup("audit", "--log", log, "verify", cwd=tmp_path)
    assert (result.code, result.out) == (1, f"{log}:3: {fragment}\n")


@pytest.mark.parametrize("line", ["[1]", "garbage", '{"seq": 1}', '{"seq": 1, "hash": 5}'])
def test_nothing_is_chained_to_an_unreadable_last_record(trueup, repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                         line: str) -> None:
    monkeypatch.setenv("CI", "1")
    (repo / ".trueup").mkdir()
    (repo / ".trueup/audit.jsonl").write_text(line + "\n")
    result = trueup("validate", "--env", "prod", cwd=repo)
    assert result.code == 2
    assert result.err.endswith(".trueup/audit.jsonl: the audit log's last record is unreadable; nothing appended "
                               "(run `trueup audit verify`)\n")
    assert (repo / ".trueup/audit.jsonl").read_text() == line + "\n"


@pytest.mark.parametrize("line", ["[1]", '{"seq": 1}', '{"seq": 1, "command": "check", "time": "yesterday"}',
                                  '{"seq": 1, "command": "check", "time": "2026-01-01T00:00:00+00:00", "findings": [1]}'])
def test_show_names_a_record_it_cannot_read(trueup, tmp_path: Path, line: str) -> None:
    log = tmp_path / "audit.jsonl"
    for run in ("a", "b"):
        audit.append(log, {"run": run, "command": "check", "time": "2026-01-01T00:00:00+00:00", "exit_code": 0})
    with open(log, "a") as handle:
        handle.write(line + "\n")
    result = trueup("audit", "--log", log, "show", "--rule", "x", cwd=tmp_path)
    assert result.code == 2
    assert result.err == f"trueup: {log}:3: audit record is not one trueup wrote (run `trueup audit verify`)\n"


SECRETS_CASE = EXAMPLES / "patches" / "secrets"
EVERY_RUN = [
    ["check", "--patches", "out"], ["drift"], ["drift", "--verbose"], ["validate"], ["fix"],
    *(["drift", "--format", fmt] for fmt in ("json", "sarif", "markdown", "junit", "github", "html")),
    ["drift", "--patches", "adopted", "--direction", "adopt"], ["baseline", "update", "--owner", "a@b.c", "--reason", "r"],
    ["fix", "--apply"], ["audit", "show"], ["audit", "verify"],
]


def test_no_fixture_secret_reaches_the_terminal_or_the_log(trueup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Secrets drifted in every kind of live file (compose ``- KEY=value`` items, a kubectl List's
    Secret and an env entry beside drift, .env, JSON, TOML context lines, a missing file): every
    run's output and the audit log hold none of them; the patches that must hold them are 0600."""
    shutil.copytree(SECRETS_CASE, tmp_path / "repo")
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    monkeypatch.setenv("CI", "1")
    monkeypatch.setenv("GITHUB_ACTOR", "octocat")
    secrets = (repo / "secrets.txt").read_text().split()
    shown = ""
    for argv in EVERY_RUN:
        result = trueup(*argv, cwd=repo)
        assert result.code in (0, 1), (argv, result.err)
        shown += result.out + result.err
    log = (repo / ".trueup/audit.jsonl").read_text()
    assert len(log.splitlines()) == len(EVERY_RUN) - 2  # audit commands do not record themselves
    assert [s for s in secrets if s in shown or s in log] == []
    assert (repo / "live/conf/replica.yaml").read_text() == "replica:\n  password: new-file-Pa55word\n"
    patches = [p for p in (repo / "out").rglob("*") if p.is_file()]
    assert patches and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in patches)


@pytest.mark.parametrize("plant", ["file", "directory", "outside"])
def test_the_log_is_never_written_through_a_symlink_or_outside_the_repository(trueup, repo: Path, tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch,
                                                                              plant: str) -> None:
    """A pull request can plant .trueup/audit.jsonl (or .trueup/) as a symlink, or name a log outside
    the repository: the record is refused with one line, and nothing outside is written."""
    import os

    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"  # outside the repository (tmp_path)
    elsewhere.mkdir()
    victim = elsewhere / "victim.txt"
    victim.write_text("keep\n")
    if plant == "file":
        (repo / ".trueup").mkdir(exist_ok=True)
        os.symlink(victim, repo / ".trueup" / "audit.jsonl")
    elif plant == "directory":
        os.symlink(elsewhere, repo / ".trueup")
    else:
        config = repo / "trueup.yaml"
        config.write_text(config.read_text() + f"audit:\n  path: ../{elsewhere.name}/victim.txt\n")
    monkeypatch.setenv("CI", "true")
    result = trueup("check", "--env", "prod", cwd=repo)
    assert result.code == 2
    assert "refused, not followed" in result.err or "inside the repository" in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert victim.read_text() == "keep\n" and sorted(p.name for p in elsewhere.iterdir()) == ["victim.txt"]


def test_a_log_with_a_line_that_is_not_utf8_is_one_line_never_a_traceback(trueup, tmp_path: Path) -> None:
    (tmp_path / "trueup.yaml").write_text("version: 1\n")
    log = tmp_path / ".trueup" / "audit.jsonl"
    audit.append(log, {"run": "r1", "command": "check", "time": "2026-12-01T00:00:00+00:00", "exit_code": 0})
    log.write_bytes(log.read_bytes() + b'{"seq": 2, \xff\xfe}\n')
    verified = trueup("audit", "verify", cwd=tmp_path)
    assert (verified.code, verified.out + verified.err) == (1, ".trueup/audit.jsonl:2: is not UTF-8 text (edited)\n")
    shown = trueup("audit", "show", cwd=tmp_path)
    assert shown.code == 2 and shown.err == (
        f"trueup: {log}:2: audit record is not UTF-8 text (run `trueup audit verify`)\n")


def test_a_record_holding_a_lone_surrogate_is_written_and_verifies(tmp_path: Path) -> None:
    """Hostile input can carry "\\ud800" into a finding's message: the record is written as a JSON escape."""
    log = tmp_path / "audit.jsonl"
    audit.append(log, {"run": "r1", "command": "check", "message": "name \ud800 here"})
    audit.append(log, {"run": "r2", "command": "check"})
    assert b"\\ud800" in log.read_bytes()
    log.read_bytes().decode("utf-8")  # strict UTF-8 on disk
    assert audit.verify(log) == (2, None)
