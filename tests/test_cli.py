"""cli.py: the parser (every command and option), main()'s exit codes, the JSON error report of a
run that failed before reporting, and how interruptions and broken pipes end a run."""
from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

import pytest

from trueup import __version__, cli, commands
from trueup.cli import build_parser, main
from trueup.errors import UsageError
from trueup.options import options_from

from command_repo import CONFIG_NO_POLICY as CONFIG, run, write_repo  # noqa: F401



@pytest.fixture
def repo(write, tmp_path: Path) -> Path:
    """One environment, one config-file target drifting at /port."""
    write_repo(write, CONFIG, name=False)
    return tmp_path


def _walk(parser: argparse.ArgumentParser, name: str = ""):
    for action in parser._actions:  # argparse offers no public walk of its subcommands
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _walk(sub, f"{name} {sub_name}".strip())
    options = sorted(o for a in parser._actions for o in a.option_strings if o not in ("-h", "--help"))
    positional = [a.dest for a in parser._actions if not a.option_strings
                  and not isinstance(a, argparse._SubParsersAction)]
    yield name, options, positional


REPORT = ["--baseline", "--color", "--config", "--fail-on", "--format", "--no-baseline", "--output", "--quiet",
          "-f", "-o", "-q"]
SCHEMA = ["--kubernetes-version", "--no-policy", "--no-strict", "--profile", "--rule", "--skip-rule", "--strict"]
PATCH = ["--direction", "--no-blame", "--patches", "--prune"]

COMMANDS = {
    "": (["--version"], []),
    "render": (["--config", "--env", "--out", "--templates", "--values"], []),
    "validate": (REPORT + SCHEMA + ["--cache", "--changed-since", "--env", "--exclude", "--jobs", "--no-cache",
                                    "--schema", "--skip-excluded", "--verbose", "-j", "-v"], ["paths"]),
    "check": (REPORT + SCHEMA + PATCH + ["--env", "--verbose", "-v"], []),
    "rules": (["--config"], []),
    "rules list": ([], []),
    "rules show": ([], ["rule_id"]),
    "rules docs": (["--output", "-o"], []),
    "baseline": (["--config"], []),
    "baseline update": (["--env", "--expires", "--owner", "--reason", "--ticket"], []),
    "init": (["--repo", "--rev"], ["directory"]),
    "report": ([], []),
    "report merge": (REPORT + ["--allow-mixed", "--history", "--previous"], ["reports"]),
    "fix": (["--apply", "--config", "--env", "--prune"], []),
    "audit": (["--config", "--log"], []),
    "audit verify": ([], []),
    "audit show": (["--rule", "--since", "--target"], []),
    "preview": (REPORT + SCHEMA + ["--base", "--env", "--head"], []),
    "drift": (REPORT + PATCH + ["--desired", "--env", "--live", "--namespace", "--shard", "--verbose", "-v"], []),
}


def test_every_command_is_there_and_no_other() -> None:
    assert sorted(name for name, _, _ in _walk(build_parser())) == sorted(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS), ids=lambda c: c or "top")
def test_each_command_has_exactly_its_options(command: str) -> None:
    found = {name: (options, positional) for name, options, positional in _walk(build_parser())}
    options, positional = COMMANDS[command]
    assert found[command] == (sorted(options), positional)


@pytest.mark.parametrize("argv, expected", [
    (["validate"], {"format": "text", "color": "auto", "fail_on": None, "baseline": None, "no_baseline": False,
                    "jobs": 0, "cache": None, "strict": None, "paths": (), "env": (), "rule": (), "exclude": ()}),
    (["validate", "--no-cache", "--no-strict", "-j", "3", "-f", "sarif", "-o", "r.sarif", "-q"],
     {"cache": False, "strict": False, "jobs": 3, "format": "sarif", "output": "r.sarif", "quiet": True}),
    (["validate", "--cache", "--strict", "--baseline"], {"cache": True, "strict": True, "baseline": ""}),
    (["validate", "--baseline", "b.yaml", "--profile", "minimal"], {"baseline": "b.yaml", "profile": "minimal"}),
    (["check", "--env", "a", "--env", "b", "--patches", "p", "--prune", "--direction", "adopt", "--no-blame"],
     {"env": ("a", "b"), "patches": "p", "prune": True, "direction": "adopt", "no_blame": True}),
    (["check"], {"direction": "remediate", "patches": None, "prune": False, "verbose": False}),
    (["drift", "--shard", "3/3", "--namespace", "shop"], {"shard": (3, 3), "namespace": "shop"}),
    (["drift"], {"shard": None, "namespace": "default", "desired": None, "live": None}),
    (["render", "--env", "prod", "--values", "a.yaml", "--values", "b.yaml", "--out", "build"],
     {"environment": "prod", "values": ("a.yaml", "b.yaml"), "out": "build"}),
    (["rules", "show", "k8s-x"], {"rules_command": "show", "rule_id": "k8s-x"}),
    (["rules", "docs", "-o", "rules.md"], {"rules_command": "docs", "output": "rules.md"}),
    (["baseline", "update"], {"baseline_command": "update", "reason": "accepted when the baseline was made",
                              "owner": None, "ticket": None, "expires": None}),
    (["init"], {"directory": ".", "repo": None, "rev": None}),
    (["init", "there", "--repo", "u", "--rev", "v1"], {"directory": "there", "repo": "u", "rev": "v1"}),
    (["report", "merge", "a.json", "--history", "h1", "--history", "h2", "--allow-mixed"],
     {"reports": ("a.json",), "history": ("h1", "h2"), "allow_mixed": True, "previous": None}),
    (["fix", "--apply", "--prune"], {"apply": True, "prune": True, "env": ()}),
    (["audit", "--log", "l.jsonl", "show", "--since", "2026-01-01", "--target", "t"],
     {"log": "l.jsonl", "audit_command": "show", "since": "2026-01-01", "target": "t", "only_rule": None}),
    (["preview", "--base", "HEAD~1"], {"base": "HEAD~1", "head": None, "env": ()}),
], ids=["validate-defaults", "validate-negatives", "validate-flags", "validate-baseline-file", "check-patches",
        "check-defaults", "drift-shard", "drift-defaults", "render", "rules-show", "rules-docs", "baseline-update",
        "init-defaults", "init-pin", "report-merge", "fix", "audit-show", "preview"])
def test_parsed_values(argv: list[str], expected: dict) -> None:
    import dataclasses

    from trueup.options import CheckSettings

    checks = {field.name for field in dataclasses.fields(CheckSettings)}  # gathered in options.checks
    options = options_from(build_parser().parse_args(argv), argv)
    assert {name: getattr(options.checks if name in checks else options, name) for name in expected} == expected


@pytest.mark.parametrize("handler, argv", [
    (commands.render, ["render"]), (commands.validate, ["validate"]), (commands.check, ["check"]),
    (commands.drift, ["drift"]), (commands.preview, ["preview", "--base", "x"]),
], ids=["render", "validate", "check", "drift", "preview"])
def test_run_commands_dispatch_to_their_handler(handler, argv: list[str]) -> None:
    assert build_parser().parse_args(argv).handler is handler


@pytest.mark.parametrize("argv, message", [
    (["drift", "--shard", "0/4"], "'0/4': expected I/N with 1 <= I <= N, e.g. 2/4"),
    (["drift", "--shard", "5/4"], "'5/4': expected I/N with 1 <= I <= N, e.g. 2/4"),
    (["drift", "--shard", "\u00b2/4"], "'\u00b2/4': expected I/N with 1 <= I <= N, e.g. 2/4"),
    (["drift", "--shard", "2"], "'2': expected I/N with 1 <= I <= N, e.g. 2/4"),
    (["validate", "--jobs", "-1"], "'-1': expected a number of processes (0: automatic)"),
    (["validate", "--jobs", "\u0663"], "'\u0663': expected a number of processes (0: automatic)"),
    (["validate", "--format", "yaml"], "argument --format/-f: invalid choice: 'yaml'"),
    (["validate", "--baseline", "b", "--no-baseline"], "argument --no-baseline: not allowed with argument --baseline"),
    (["validate", "--strict", "--no-strict"], "argument --no-strict: not allowed with argument --strict"),
    (["preview"], "the following arguments are required: --base"),
    (["rules"], "the following arguments are required: ACTION"),
    (["frobnicate"], "argument COMMAND: invalid choice: 'frobnicate'"),
], ids=["shard-zero", "shard-over", "shard-superscript", "shard-no-slash", "jobs-negative", "jobs-arabic-digit",
        "format", "baseline-exclusive", "strict-exclusive", "preview-base", "rules-action", "unknown-command"])
def test_usage_errors_exit_2_with_argparse_message(argv: list[str], message: str, capsys) -> None:
    assert main(argv, stdout=io.StringIO(), stderr=io.StringIO()) == 2
    assert message in capsys.readouterr().err


def test_help_exits_0_and_version_prints_it(capsys) -> None:
    assert main(["--help"], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    assert capsys.readouterr().out.startswith("usage: trueup [-h] [--version] COMMAND ...\n")
    assert main(["--version"], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    assert capsys.readouterr().out == f"trueup {__version__}\n"


def test_no_command_prints_help_to_stdout_and_exits_2() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main([], stdout=out, stderr=err) == 2
    assert out.getvalue().startswith("usage: trueup [-h] [--version] COMMAND ...\n")
    assert err.getvalue() == ""


@pytest.mark.parametrize("command", ["check", "drift"])
def test_adopt_without_patches_is_a_usage_error(trueup, command: str, tmp_path: Path) -> None:
    result = trueup(command, "--direction", "adopt", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (2, "", "trueup: --direction adopt writes patches: give --patches DIR\n")


def test_a_trueup_error_is_one_line_and_exit_2(trueup, tmp_path: Path) -> None:
    result = trueup("check", "--config", "gone.yaml", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (2, "", "trueup: gone.yaml: config file not found\n")


def test_an_error_line_has_its_control_characters_escaped(trueup, tmp_path: Path) -> None:
    result = trueup("check", "--config", "a\x1b[2Jb\nc.yaml", cwd=tmp_path)
    assert result.err == "trueup: a\\x1b[2Jb\\nc.yaml: config file not found\n"


def test_json_run_that_fails_before_reporting_still_reports(trueup, tmp_path: Path) -> None:
    result = trueup("check", "--config", "gone.yaml", "--format", "json", cwd=tmp_path)
    report = result.json()
    assert result.code == 2
    assert (report["command"], report["environments"], report["findings"]) == ("check", [], [])
    assert report["error"] == {"message": "config file not found", "file": "gone.yaml", "line": None, "column": None}
    assert report["summary"]["exit_code"] == 2


def test_json_error_report_goes_to_output_file(trueup, tmp_path: Path) -> None:
    result = trueup("drift", "--env", "a", "--env", "b", "--config", "gone.yaml", "-f", "json", "-o", "r.json",
                    cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    report = json.loads((tmp_path / "r.json").read_text())
    assert (report["command"], report["environments"]) == ("drift", ["a", "b"])
    assert report["error"]["message"] == "config file not found"


def test_no_error_report_for_text_format(trueup, tmp_path: Path) -> None:
    result = trueup("check", "--config", "gone.yaml", "-o", "r.txt", cwd=tmp_path)
    assert result.code == 2
    assert not (tmp_path / "r.txt").exists()


def test_error_report_that_cannot_be_written_is_left_out(trueup, tmp_path: Path) -> None:
    (tmp_path / "real.json").write_text("untouched")
    (tmp_path / "link.json").symlink_to(tmp_path / "real.json")
    result = trueup("check", "--config", "gone.yaml", "-f", "json", "-o", "link.json", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (2, "", "trueup: gone.yaml: config file not found\n")
    assert (tmp_path / "real.json").read_text() == "untouched"


def test_a_run_that_reported_is_not_reported_twice(trueup, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit log refuses to chain (its last line is no record): the run fails with one line, its
    report says so (the error, exit code 2), and the cli writes no second JSON report."""
    monkeypatch.setenv("CI", "true")
    (repo / ".trueup").mkdir()
    (repo / ".trueup/audit.jsonl").write_text("garbage\n")
    result = trueup("check", "--format", "json", cwd=repo)
    assert result.code == 2
    report = json.loads(result.out)  # one document: a second would not parse
    assert result.out.count('"$schema"') == 1
    assert report["error"] == {"message": "the audit log's last record is unreadable; nothing appended (run "
                                          "`trueup audit verify`)", "file": f"{repo}/.trueup/audit.jsonl",
                               "line": None, "column": None}
    assert report["summary"]["exit_code"] == 2
    assert [f["rule"] for f in report["findings"]] == ["drift.changed"]
    assert result.err == (f"trueup: {repo}/.trueup/audit.jsonl: the audit log's last record is unreadable; "
                          "nothing appended (run `trueup audit verify`)\n")
    assert (repo / ".trueup/audit.jsonl").read_text() == "garbage\n"


def _raising(exc: BaseException):
    def handler(options, stdout, stderr):
        raise exc
    return handler


@pytest.mark.parametrize("exc, code, err", [
    (KeyboardInterrupt(), 130, "trueup: interrupted\n"),
    (RecursionError(), 2, "trueup: input too large or too deeply nested (RecursionError)\n"),
    (MemoryError(), 2, "trueup: input too large or too deeply nested (MemoryError)\n"),
    (UsageError("nope", "f.yaml", 3), 2, "trueup: f.yaml:3: nope\n"),
], ids=["interrupt", "recursion", "memory", "trueup-error"])
def test_exceptions_map_to_exit_codes(exc: BaseException, code: int, err: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(commands, "render", _raising(exc))
    out, errors = io.StringIO(), io.StringIO()
    assert main(["render"], stdout=out, stderr=errors) == code
    assert (out.getvalue(), errors.getvalue()) == ("", err)


def test_broken_pipe_exits_141_and_silences_stdout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    target = tmp_path / "stdout"
    handle = open(target, "w")

    class Stdout(io.StringIO):
        def fileno(self) -> int:
            return handle.fileno()

    monkeypatch.setattr(sys, "stdout", Stdout())
    monkeypatch.setattr(commands, "render", _raising(BrokenPipeError()))
    errors = io.StringIO()
    try:
        assert main(["render"], stdout=io.StringIO(), stderr=errors) == 141
        os.write(handle.fileno(), b"after the pipe broke\n")
    finally:
        handle.close()
    assert (errors.getvalue(), target.read_text()) == ("", "")


def test_error_report_helper_writes_one_json_report(tmp_path: Path) -> None:
    argv = ["validate", "-f", "json"]
    options = options_from(build_parser().parse_args(argv), argv)
    out = io.StringIO()
    cli._error_report(options, out, UsageError("bad thing", "x.yaml", 2, 5))
    report = json.loads(out.getvalue())
    assert report["error"] == {"message": "bad thing", "file": "x.yaml", "line": 2, "column": 5}
    assert (report["command"], report["summary"]["total"]) == ("validate", 0)
