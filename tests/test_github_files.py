"""The GitHub Action (action.yml) and the workflows under .github/workflows.

Each file is checked against the JSON Schema check-jsonschema vendors for it (SchemaStore's
github-action / github-workflow schemas, loaded as package data so this runs anywhere), then
for what a schema cannot see: pinned actions, no script injection, references that resolve,
and the shell scripts' exit-code contracts, run under bash with stub `trueup` and `gh`.

The files are read with trueup's own YAML 1.2 loader, as GitHub reads them: PyYAML (YAML 1.1)
would turn the key `on:` into the boolean True.
"""
from __future__ import annotations

import importlib.resources
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import pytest
import yaml

from conftest import REPO
from trueup.load import load_text

ACTION = REPO / "action.yml"
WORKFLOWS = sorted(p for p in (REPO / ".github" / "workflows").glob("*") if p.suffix in (".yml", ".yaml"))
FILES = [ACTION, *WORKFLOWS]
SCHEMA_FOR = {ACTION: "github-actions", **{p: "github-workflows" for p in WORKFLOWS}}

# A third-party action is pinned to a major version tag at least, or to a commit.
PINNED = re.compile(r"^[^@\s]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")
# Contexts whose values an outsider controls, or that the action's caller controls: pasted
# into a script they become code. They must reach a script through `env:`.
INJECTABLE = re.compile(r"\$\{\{\s*(inputs\.|github\.event\.|github\.head_ref\b)")
BASH = shutil.which("bash")
needs_bash = pytest.mark.skipif(BASH is None or os.name == "nt", reason="needs bash")


def rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def load(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    loaded = load_text(text, file=rel(path), name=path.name, fmt="yaml", kind="config")
    assert not loaded.findings, [f.message for f in loaded.findings]
    assert len(loaded.documents) == 1, f"{rel(path)}: one YAML document expected"
    data = loaded.documents[0].data
    assert isinstance(data, dict)
    return data


def schema(name: str) -> dict[str, Any]:
    vendor = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads(vendor.joinpath(f"{name}.json").read_text(encoding="utf-8"))


def steps(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, step) for every step of the action or of every job of a workflow."""
    data = load(path)
    if path == ACTION:
        for index, step in enumerate(data["runs"].get("steps", [])):
            yield f"runs.steps[{index}]", step
        return
    for job_id, job in data["jobs"].items():
        for index, step in enumerate(job.get("steps", [])):
            yield f"jobs.{job_id}.steps[{index}]", step


def step_named(path: Path, name: str, job: str | None = None) -> dict[str, Any]:
    found = [s for where, s in steps(path) if s.get("name") == name and (job is None or where.startswith(f"jobs.{job}."))]
    assert len(found) == 1, f"{rel(path)}: one step named {name!r} expected"
    return found[0]


def test_the_files_exist() -> None:
    assert ACTION.is_file()
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "pr-check.yml", "nightly-drift.yml"}


# -- the published schemas --------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=rel)
def test_valid_against_the_published_schema(path: Path) -> None:
    document = schema(SCHEMA_FOR[path])
    validator_class = jsonschema.validators.validator_for(document)
    assert validator_class is jsonschema.Draft7Validator  # what both schemas declare
    validator_class.check_schema(document)
    validator = validator_class(document, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(load(path)), key=lambda e: list(map(str, e.absolute_path)))
    assert not errors, "\n".join(explain(path, error) for error in errors)


def explain(path: Path, error: jsonschema.ValidationError) -> str:
    """The leaves of a oneOf/anyOf failure (one per alternative), not the whole job echoed back."""
    leaves: list[jsonschema.ValidationError] = []
    pending = [error]
    while pending:
        current = pending.pop()
        if current.context:
            pending.extend(current.context)
        else:
            leaves.append(current)
    lines = {
        f"  /{'/'.join(map(str, leaf.absolute_path))}: {leaf.message if len(leaf.message) <= 200 else leaf.message[:200] + '...'}"
        for leaf in leaves
    }
    where = "/" + "/".join(map(str, error.absolute_path))
    return f"{rel(path)} at {where} matches no alternative of the schema; each one fails on:\n" + "\n".join(sorted(lines))


@pytest.mark.parametrize("path", FILES, ids=rel)
def test_check_jsonschema_agrees(path: Path) -> None:
    """The same check through the check-jsonschema CLI, as a pre-commit hook would run it."""
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", f"vendor.{SCHEMA_FOR[path]}", str(path)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", FILES, ids=rel)
def test_yaml_1_1_and_1_2_read_the_same(path: Path) -> None:
    """Apart from `on:`, nothing in the file depends on the YAML version (yes/no/off, 0777, 1:30...)."""
    old = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in old:
        old["on"] = old.pop(True)
    assert old == load(path)


def test_a_workflow_trigger_key_stays_on() -> None:
    for path in WORKFLOWS:
        assert "on" in load(path), rel(path)


# -- what a schema cannot see ------------------------------------------------------------------


def uses_of(path: Path) -> Iterator[tuple[str, str]]:
    for where, step in steps(path):
        if "uses" in step:
            yield where, step["uses"]
    if path != ACTION:
        for job_id, job in load(path)["jobs"].items():
            if "uses" in job:  # a reusable workflow
                yield f"jobs.{job_id}", job["uses"]


@pytest.mark.parametrize("path", FILES, ids=rel)
def test_third_party_actions_are_pinned(path: Path) -> None:
    for where, uses in uses_of(path):
        if uses.startswith("./") or uses.startswith("docker://"):
            continue
        assert PINNED.match(uses), f"{rel(path)} {where}: {uses!r} is not pinned to @vN or a commit sha"


@pytest.mark.parametrize("path", FILES, ids=rel)
def test_no_script_interpolates_untrusted_expressions(path: Path) -> None:
    for where, step in steps(path):
        if "run" in step:
            match = INJECTABLE.search(step["run"])
            assert not match, f"{rel(path)} {where}: {match.group(0)!r} in a run script; pass it through env:"


def test_every_composite_run_step_names_its_shell() -> None:
    for where, step in steps(ACTION):
        if "run" in step:
            assert step.get("shell") == "bash", f"action.yml {where}: composite run steps need shell: bash"


def expressions(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield from re.findall(r"\$\{\{(.*?)\}\}", value, re.S)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from expressions(key)
            # `if:` may be a bare expression, without ${{ }}
            yield from ([item] if key == "if" and isinstance(item, str) and "${{" not in item else expressions(item))
    elif isinstance(value, list):
        for item in value:
            yield from expressions(item)


def test_action_references_resolve() -> None:
    """Every inputs.X and steps.ID the action reads is declared: a typo would read as empty."""
    data = load(ACTION)
    declared = set(data["inputs"])
    ids = {step["id"] for _, step in steps(ACTION) if "id" in step}
    for expression in expressions(data):
        for name in re.findall(r"\binputs\.([A-Za-z0-9_-]+)", expression):
            assert name in declared, f"action.yml reads undeclared input {name!r}"
        for step_id in re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.", expression):
            assert step_id in ids, f"action.yml reads unknown step {step_id!r}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=rel)
def test_workflow_references_resolve(path: Path) -> None:
    """steps.ID, needs.JOB and matrix.KEY name a step of the job, a job it needs, a matrix key."""
    for job_id, job in load(path)["jobs"].items():
        ids = {step["id"] for step in job.get("steps", []) if "id" in step}
        needs = job.get("needs", [])
        needs = {needs} if isinstance(needs, str) else set(needs)
        matrix = set(job.get("strategy", {}).get("matrix", {}))
        for expression in expressions(job):
            for step_id in re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.", expression):
                assert step_id in ids, f"{rel(path)} jobs.{job_id}: unknown step {step_id!r}"
            for need in re.findall(r"\bneeds\.([A-Za-z0-9_-]+)\.", expression):
                assert need in needs, f"{rel(path)} jobs.{job_id}: needs.{need} without needs: {need}"
            for key in re.findall(r"\bmatrix\.([A-Za-z0-9_-]+)", expression):
                assert key in matrix, f"{rel(path)} jobs.{job_id}: unknown matrix key {key!r}"


def test_action_interface() -> None:
    data = load(ACTION)
    assert data["runs"]["using"] == "composite"
    assert set(data["inputs"]) == {
        "environment", "args", "fail-on", "sarif", "summary", "annotations", "python-version", "version",
    }
    defaults = {name: spec.get("default") for name, spec in data["inputs"].items()}
    assert defaults["fail-on"] == "high"
    assert defaults["sarif"] == defaults["summary"] == defaults["annotations"] == "true"
    assert defaults["python-version"] == "3.12"  # a string: 3.10 unquoted would be 3.1
    assert set(data["outputs"]) == {"exit-code", "report"}
    upload = [s for _, s in steps(ACTION) if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert len(upload) == 1
    assert upload[0]["with"]["category"] == "trueup"
    assert "always()" in upload[0]["if"] and "inputs.sarif == 'true'" in upload[0]["if"]
    assert any(s.get("uses", "").startswith("actions/setup-python@") for _, s in steps(ACTION))
    last = list(steps(ACTION))[-1][1]
    assert 'exit "$TRUEUP_EXIT_CODE"' in last["run"], "the action ends by failing with trueup's exit code"


def test_ci_covers_every_supported_python() -> None:
    data = load(REPO / ".github" / "workflows" / "ci.yml")
    assert set(data["on"]) == {"push", "pull_request"}
    assert data["jobs"]["test"]["strategy"]["matrix"]["python-version"] == ["3.10", "3.11", "3.12", "3.13"]
    runs = [s.get("run", "") for s in data["jobs"]["test"]["steps"]]
    assert "python -m pip install '.[test]'" in runs and "python -m pytest -q" in runs
    assert any("TRUEUP_CHROMIUM=" in run and "$GITHUB_ENV" in run for run in runs)
    test = next(s for s in data["jobs"]["test"]["steps"] if s.get("run") == "python -m pytest -q")
    shots = test["env"]["TRUEUP_SCREENSHOTS"]
    kept = [s for s in data["jobs"]["test"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert len(kept) == 1 and kept[0]["with"]["path"].rstrip("/") == shots
    assert kept[0]["with"]["if-no-files-found"] == "error", "no screenshot means the browser test did not run"


def test_pr_check_uses_this_action_with_the_permissions_it_needs() -> None:
    data = load(REPO / ".github" / "workflows" / "pr-check.yml")
    assert list(data["on"]) == ["pull_request"]
    assert set(data["on"]["pull_request"]["paths"]) >= {
        "templates/**", "values/**", "policy/**", "checks/**", "trueup.yaml", ".github/workflows/pr-check.yml",
    }
    permissions = data["permissions"]
    assert permissions["security-events"] == "write"
    assert permissions["contents"] == "read"
    assert permissions["pull-requests"] == "write"
    action = [s for _, s in steps(REPO / ".github" / "workflows" / "pr-check.yml") if s.get("uses") == "./"]
    assert len(action) == 1 and action[0]["with"]["environment"] == ""


def test_nightly_drift_matrix() -> None:
    data = load(REPO / ".github" / "workflows" / "nightly-drift.yml")
    assert {"schedule", "workflow_dispatch"} <= set(data["on"])
    assert data["on"]["workflow_dispatch"]["inputs"]["shards"]["default"] == "4"
    drift = data["jobs"]["drift"]
    assert drift["strategy"]["fail-fast"] is False, "one shard's failure must not cancel the others"
    assert "continue-on-error" not in drift, "exit 2 must fail the job: exit 1 is handled in the script"
    names = [s["with"]["name"] for s in drift["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert names and all("matrix.environment" in n and "matrix.shard" in n for n in names), "artifact names must be unique"
    report = data["jobs"]["report"]
    assert set(report["needs"]) >= {"drift"} and "always()" in report["if"]
    assert report["permissions"]["issues"] == "write"
    download = [s for s in report["steps"] if s.get("uses", "").startswith("actions/download-artifact@")]
    assert len(download) == 1 and download[0]["with"]["merge-multiple"] is True


def test_the_plan_reads_environments_from_trueup_yaml(tmp_path: Path) -> None:
    """The plan step's one-liner, run on the repository's trueup.yaml."""
    run = step_named(REPO / ".github" / "workflows" / "nightly-drift.yml", "Environments and shards")["run"]
    one_liner = re.search(r"python -c '([^']+)'", run).group(1)
    out = subprocess.run([sys.executable, "-c", one_liner], cwd=REPO, capture_output=True, text=True, check=True)
    config = load(REPO / "trueup.yaml")
    assert json.loads(out.stdout) == sorted(config["environments"])


# -- the scripts, run under bash with stubs ----------------------------------------------------

STUB_TRUEUP = """\
#!{python}
# Records its arguments, writes the --output file, exits STUB_RC (or STUB_RC_<FORMAT>).
# Run with GITHUB_ACTIONS or GITHUB_STEP_SUMMARY set, trueup would add its own job summary
# to the one the scripts write: the stub refuses (exit 99).
import json, os, sys
args = sys.argv[1:]
if "GITHUB_ACTIONS" in os.environ or "GITHUB_STEP_SUMMARY" in os.environ:
    sys.exit("stub trueup: run with GITHUB_ACTIONS / GITHUB_STEP_SUMMARY set")
with open(os.environ["STUB_LOG"], "a") as log:
    log.write(json.dumps(["trueup", *args]) + "\\n")
fmt = args[args.index("--format") + 1] if "--format" in args else "text"
if "--output" in args and os.environ.get("STUB_WRITE", "1") == "1":
    with open(args[args.index("--output") + 1], "w") as out:
        out.write("report in " + fmt + "\\n")
sys.exit(int(os.environ.get("STUB_RC_" + fmt.upper(), os.environ.get("STUB_RC", "0"))))
"""

STUB_GH = """\
#!{python}
# Records its arguments; `gh issue list` prints STUB_ISSUE.
import json, os, sys
args = sys.argv[1:]
with open(os.environ["STUB_LOG"], "a") as log:
    log.write(json.dumps(["gh", *args]) + "\\n")
if args[:2] == ["issue", "list"]:
    print(os.environ.get("STUB_ISSUE", ""))
if args[:1] == ["api"] and "--method" not in args:
    print(os.environ.get("STUB_COMMENT", ""))
"""


class Runner:
    """Runs one step's script as GitHub's `shell: bash` does: bash --noprofile --norc -eo pipefail."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bin = root / "bin"
        self.bin.mkdir()
        for name, text in (("trueup", STUB_TRUEUP), ("gh", STUB_GH)):
            stub = self.bin / name
            stub.write_text(text.format(python=sys.executable))
            stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
        python = self.bin / "python"  # the scripts' `python`: setup-python's on GitHub
        python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        python.chmod(python.stat().st_mode | stat.S_IXUSR)
        self.temp = root / "runner-temp"
        self.temp.mkdir()
        self.work = root / "work"
        self.work.mkdir()
        self.log = root / "calls.jsonl"
        self.output = root / "github-output"
        self.summary = root / "step-summary"

    def run(self, script: str, **env: str) -> subprocess.CompletedProcess[str]:
        for path in (self.log, self.output, self.summary):
            path.write_text("")
        script_file = self.root / "step.sh"
        script_file.write_text(script)
        environ = {
            "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(self.root),
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_ACTION_PATH": str(REPO),
            "GITHUB_ACTIONS": "true",
            "STUB_LOG": str(self.log),
            **env,
        }
        return subprocess.run(
            [BASH, "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
            cwd=self.work, env=environ, capture_output=True, text=True,
        )

    @property
    def calls(self) -> list[list[str]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    @property
    def outputs(self) -> dict[str, str]:
        return dict(line.split("=", 1) for line in self.output.read_text().splitlines())


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    return Runner(tmp_path)


def action_step(name: str) -> str:
    return step_named(ACTION, name)["run"]


@needs_bash
@pytest.mark.parametrize("rc", [0, 1, 2])
def test_action_check_step_saves_the_exit_code_and_succeeds(runner: Runner, rc: int) -> None:
    result = runner.run(
        action_step("Run trueup check"),
        TRUEUP_ENVIRONMENT=" staging  prod ", TRUEUP_ARGS="", TRUEUP_FAIL_ON="medium", STUB_RC=str(rc),
    )
    assert result.returncode == 0, result.stderr
    report = str(runner.temp / "trueup.json")
    assert runner.outputs == {"exit-code": str(rc), "report": report}
    assert runner.calls == [[
        "trueup", "check", "--env", "staging", "--env", "prod",
        "--fail-on", "medium", "--format", "json", "--output", report,
    ]]


@needs_bash
def test_action_check_step_without_a_report(runner: Runner) -> None:
    result = runner.run(
        action_step("Run trueup check"), TRUEUP_ENVIRONMENT="", TRUEUP_ARGS="", TRUEUP_FAIL_ON="high",
        STUB_RC="2", STUB_WRITE="0",
    )
    assert result.returncode == 0, result.stderr
    assert runner.outputs == {"exit-code": "2", "report": ""}
    assert runner.calls[0][:4] == ["trueup", "check", "--fail-on", "high"], "no --env: every environment"


@needs_bash
def test_action_args_are_split_like_a_shell_and_never_run(runner: Runner) -> None:
    args = """--config 'deploy/my trueup.yaml' --baseline $(touch pwned) "a;b" *"""
    result = runner.run(action_step("Run trueup check"), TRUEUP_ENVIRONMENT="prod", TRUEUP_ARGS=args, TRUEUP_FAIL_ON="high")
    assert result.returncode == 0, result.stderr
    assert runner.calls[0][:9] == [
        "trueup", "check", "--env", "prod", "--config", "deploy/my trueup.yaml", "--baseline", "$(touch", "pwned)",
    ]
    assert runner.calls[0][9:11] == ["a;b", "*"]
    assert not (runner.work / "pwned").exists()


@needs_bash
def test_action_args_that_cannot_be_split_are_a_usage_error(runner: Runner) -> None:
    result = runner.run(action_step("Run trueup check"), TRUEUP_ENVIRONMENT="", TRUEUP_ARGS="--config 'open", TRUEUP_FAIL_ON="high")
    assert result.returncode == 0, result.stderr
    assert runner.outputs["exit-code"] == "2"
    assert "::error" in result.stdout and runner.calls == []


@needs_bash
@pytest.mark.parametrize("rc", [0, 1, 2])
def test_action_fails_with_the_saved_exit_code(runner: Runner, rc: int) -> None:
    result = runner.run(action_step("Fail on findings"), TRUEUP_EXIT_CODE=str(rc), TRUEUP_FAIL_ON="high")
    assert result.returncode == rc
    assert ("::error" in result.stdout) == (rc != 0)


@needs_bash
@pytest.mark.parametrize("rc, ok", [(0, True), (1, True), (2, False)])
def test_action_summary_and_annotations(runner: Runner, rc: int, ok: bool) -> None:
    report = str(runner.temp / "trueup.json")
    summary = runner.run(action_step("Write the job summary"), TRUEUP_REPORT=report, STUB_RC=str(rc))
    assert (summary.returncode == 0) is ok
    assert runner.calls == [["trueup", "report", "merge", report, "--format", "markdown", "--output", str(runner.temp / "trueup.md")]]
    if ok:
        assert runner.summary.read_text() == "report in markdown\n"
    annotations = runner.run(action_step("Annotate findings"), TRUEUP_REPORT=report, STUB_RC=str(rc))
    assert (annotations.returncode == 0) is ok
    assert runner.calls[0][3:6] == [report, "--format", "github"]
    if ok:
        assert "report in github" in annotations.stdout, "annotations must reach the log"
    sarif = runner.run(action_step("Convert the report to SARIF"), TRUEUP_REPORT=report, STUB_RC=str(rc))
    assert (sarif.returncode == 0) is ok
    assert runner.outputs == ({"file": str(runner.temp / "trueup.sarif")} if ok else {})


NIGHTLY = REPO / ".github" / "workflows" / "nightly-drift.yml"


@needs_bash
@pytest.mark.parametrize("rc, ok", [(0, True), (1, True), (2, False), (3, False)])
def test_nightly_shard_job_continues_on_drift_and_fails_on_errors(runner: Runner, rc: int, ok: bool) -> None:
    result = runner.run(step_named(NIGHTLY, "Drift", job="drift")["run"], ENV="prod", I="2", N="4", STUB_RC=str(rc))
    assert (result.returncode == 0) is ok, result.stdout + result.stderr
    assert runner.calls == [["trueup", "drift", "--env", "prod", "--shard", "2/4", "--format", "json", "--output", "drift-prod-2.json"]]


def merge_env(runner: Runner, reports: int, **env: str) -> dict[str, str]:
    (runner.work / "reports").mkdir(exist_ok=True)
    for index in range(reports):
        (runner.work / "reports" / f"drift-prod-{index + 1}.json").write_text("{}")
    return {"ENVIRONMENTS": '["prod", "staging"]', "COUNT": "2", "DRIFT_RESULT": "success", **env}


@needs_bash
@pytest.mark.parametrize("rc", [0, 1, 2])
def test_nightly_merge_reports_the_exit_code(runner: Runner, rc: int) -> None:
    (runner.work / "history").mkdir()
    (runner.work / "history" / "2026-11-20T031700Z.json").write_text("{}")  # last night's, from its artifact
    result = runner.run(step_named(NIGHTLY, "Merge")["run"], **merge_env(runner, 4, STUB_RC=str(rc)))
    assert result.returncode == (2 if rc == 2 else 0), result.stderr  # 2: the HTML report failed too
    assert runner.outputs == {"complete": "true", "exit-code": str(rc)}
    formats = {call[call.index("--format") + 1]: call for call in runner.calls}
    assert set(formats) == {"json", "html", "markdown"}
    outputs = {fmt: call[call.index("--output") + 1] for fmt, call in formats.items()}
    assert outputs == {"json": "drift.json", "html": "drift.html", "markdown": "drift.md"}
    # The chart's history is the earlier nights: tonight is its last point ("this run"), not also a
    # history file; tonight joins history/ for the next night.
    history = formats["html"][formats["html"].index("--history") + 1:]
    assert history == ["history/2026-11-20T031700Z.json"] and "--previous" not in formats["html"]
    kept = sorted(p.name for p in (runner.work / "history").iterdir())
    assert len(kept) == 2 and kept[0] == "2026-11-20T031700Z.json"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d{6}Z\.json", kept[1]), kept
    assert sorted(formats["html"][3:7]) == [f"reports/drift-prod-{i}.json" for i in range(1, 5)]
    assert runner.summary.read_text() == "report in markdown\n"


@needs_bash
def test_nightly_merge_when_only_the_html_report_fails(runner: Runner) -> None:
    """The issue still follows the drift (the Markdown run); the job fails for the HTML."""
    result = runner.run(step_named(NIGHTLY, "Merge")["run"], **merge_env(runner, 4, STUB_RC="1", STUB_RC_HTML="2"))
    assert result.returncode == 2
    assert runner.outputs == {"complete": "true", "exit-code": "1"}
    assert runner.summary.read_text() == "report in markdown\n"


@needs_bash
def test_nightly_merge_of_a_partial_run(runner: Runner) -> None:
    result = runner.run(step_named(NIGHTLY, "Merge")["run"], **merge_env(runner, 3, DRIFT_RESULT="failure", STUB_RC="1"))
    assert result.returncode == 0, result.stderr
    assert runner.outputs == {"complete": "false", "exit-code": "1"}
    assert "::warning" in result.stdout


@needs_bash
def test_nightly_merge_with_no_report_fails(runner: Runner) -> None:
    result = runner.run(step_named(NIGHTLY, "Merge")["run"], **merge_env(runner, 0, DRIFT_RESULT="failure"))
    assert result.returncode == 2
    assert runner.outputs == {"complete": "false", "exit-code": "2"} and runner.calls == []


def gh_calls(runner: Runner) -> list[list[str]]:
    return [call[1:] for call in runner.calls if call[0] == "gh" and call[1:3] != ["label", "create"] and call[1:3] != ["issue", "list"]]


@needs_bash
@pytest.mark.parametrize(
    "rc, complete, issue, expected_rc, expected",
    [
        ("1", "true", "", 0, [["issue", "create", "--label", "trueup-drift", "--title", "Drift detected", "--body-file", "issue.md"]]),
        ("1", "true", "7", 0, [["issue", "edit", "7", "--body-file", "issue.md"], ["issue", "comment", "7"]]),
        ("0", "true", "7", 0, [["issue", "close", "7"]]),
        ("0", "true", "", 0, []),
        ("0", "false", "7", 1, []),  # a missing shard may hide drift: keep the issue open, fail
        ("1", "false", "", 1, [["issue", "create", "--label", "trueup-drift", "--title", "Drift detected", "--body-file", "issue.md"]]),
        ("2", "true", "7", 2, []),
    ],
)
def test_nightly_tracking_issue(runner: Runner, rc: str, complete: str, issue: str, expected_rc: int, expected: list[list[str]]) -> None:
    (runner.work / "drift.md").write_text("## trueup drift\n")
    result = runner.run(
        step_named(NIGHTLY, "Tracking issue")["run"],
        RC=rc, COMPLETE=complete, STUB_ISSUE=issue, GH_TOKEN="x", GH_REPO="o/r", RUN_URL="https://example.test/run/1",
    )
    assert result.returncode == expected_rc, result.stdout + result.stderr
    calls = gh_calls(runner)
    assert len(calls) == len(expected)
    for call, prefix in zip(calls, expected):
        assert call[: len(prefix)] == prefix
    assert ["label", "create", "trueup-drift", "--force"] == runner.calls[0][1:5], "the label exists before it is used"
    listing = [c for c in runner.calls if c[1:3] == ["issue", "list"]]
    assert listing and {"--label", "trueup-drift", "--state", "open"} <= set(listing[0])
    body = (runner.work / "issue.md").read_text()
    assert body.startswith("## trueup drift\n") and "https://example.test/run/1" in body


@needs_bash
def test_nightly_issue_body_fits_an_issue(runner: Runner) -> None:
    (runner.work / "drift.md").write_text("x" * 200_000)
    result = runner.run(step_named(NIGHTLY, "Tracking issue")["run"], RC="1", COMPLETE="true", STUB_ISSUE="", RUN_URL="u")
    assert result.returncode == 0, result.stderr
    assert len((runner.work / "issue.md").read_text()) < 65536


PR_CHECK = REPO / ".github" / "workflows" / "pr-check.yml"


@needs_bash
@pytest.mark.parametrize("rc", [0, 1, 2])
def test_pr_preview_goes_to_the_summary_and_never_fails_the_job(runner: Runner, rc: int) -> None:
    result = runner.run(step_named(PR_CHECK, "Preview the change")["run"], BASE_REF="main", STUB_RC=str(rc))
    assert result.returncode == 0, result.stderr
    preview = str(runner.temp / "preview.md")
    assert runner.calls == [["trueup", "preview", "--base", "origin/main", "--format", "markdown", "--output", preview]]
    assert runner.summary.read_text() == "report in markdown\n"
    assert ("::warning" in result.stdout) == (rc == 2)


@needs_bash
def test_pr_comment_holds_the_preview_then_the_check(runner: Runner) -> None:
    (runner.temp / "preview.md").write_text("the preview\n")
    result = runner.run(step_named(PR_CHECK, "Comment on the pull request")["run"], PR_NUMBER="7",
                        REPORT=str(runner.temp / "trueup.json"), GITHUB_REPOSITORY="o/r", STUB_RC="1")
    assert result.returncode == 0, result.stderr
    assert (runner.temp / "comment.md").read_text() == "<!-- trueup-pr-check -->\nthe preview\n\nreport in markdown\n"
    assert [c[:3] for c in runner.calls] == [["trueup", "report", "merge"], ["gh", "api", "repos/o/r/issues/7/comments"],
                                             ["gh", "pr", "comment"]]
    assert "--edit-last" not in runner.calls[-1]


@needs_bash
def test_pr_comment_edits_trueups_own_comment_not_another_bots(runner: Runner) -> None:
    """The comment to edit is found by trueup's marker, not as the token's last comment (another
    workflow commenting as github-actions would otherwise be overwritten)."""
    result = runner.run(step_named(PR_CHECK, "Comment on the pull request")["run"], PR_NUMBER="7",
                        REPORT=str(runner.temp / "trueup.json"), GITHUB_REPOSITORY="o/r", STUB_RC="1",
                        STUB_COMMENT="4242")
    assert result.returncode == 0, result.stderr
    lookup, edit = runner.calls[1], runner.calls[2]
    assert "startswith(\"<!-- trueup-pr-check -->\")" in " ".join(lookup)
    assert edit[:5] == ["gh", "api", "--method", "PATCH", "repos/o/r/issues/comments/4242"]
    assert edit[-1] == f"body=@{runner.temp / 'comment.md'}"
    assert len(runner.calls) == 3


# What each call a workflow makes needs of GITHUB_TOKEN (docs.github.com, "Permissions required for
# GitHub Apps" / the REST endpoints' fine-grained permissions; the actions' own READMEs).
GH_CALLS = {
    ("run", "list"): {"actions": "read"}, ("run", "download"): {"actions": "read"}, ("run", "view"): {"actions": "read"},
    ("issue", "list"): {"issues": "read"}, ("issue", "create"): {"issues": "write"},
    ("issue", "edit"): {"issues": "write"}, ("issue", "comment"): {"issues": "write"},
    ("issue", "close"): {"issues": "write"}, ("label", "create"): {"issues": "write"},
    ("pr", "comment"): {"pull-requests": "write"},
}
API_CALLS = [  # gh api: (method, path pattern) -> permission
    (re.compile(r"^GET repos/[^/]+/[^/]+/issues/[^/]+/comments"), {"pull-requests": "read"}),
    (re.compile(r"^PATCH repos/[^/]+/[^/]+/issues/comments/"), {"pull-requests": "write"}),
]
ACTION_NEEDS = {
    "actions/checkout": {"contents": "read"},
    "github/codeql-action/upload-sarif": {"security-events": "write", "actions": "read", "contents": "read"},
}
LEVEL = {"none": 0, "read": 1, "write": 2}


def _calls(script: str) -> Iterator[dict[str, str]]:
    """The permissions each gh call of a script needs; an unknown gh call fails the test."""
    text = re.sub(r"\\\n\s*", " ", script)
    for match in re.finditer(r"(?<![\w-])gh\s+api\b([^|;&\n)]*)", text):
        method = re.search(r"--method\s+(\w+)", match.group(1))
        path = re.search(r'"?(repos/[^"\s]+)', match.group(1))
        assert path, f"gh api call without a repos/ path: {match.group(0)}"
        call = f"{method.group(1) if method else 'GET'} {path.group(1).replace('$GITHUB_REPOSITORY', 'o/r')}"
        found = [need for pattern, need in API_CALLS if pattern.search(call)]
        assert found, f"gh api call with no known permission: {call}"
        yield found[0]
    for group, verb in re.findall(r"(?<![\w-])gh\s+(?!api\b)(\w+)\s+([\w-]+)", text):
        assert (group, verb) in GH_CALLS, f"gh {group} {verb}: its permission is not known here"
        yield GH_CALLS[(group, verb)]


@pytest.mark.parametrize("path", WORKFLOWS, ids=rel)
def test_every_call_has_the_permission_it_needs(path: Path) -> None:
    """A call the token may not make fails on a real runner (403), and continue-on-error would hide
    it: every gh call and action is matched by the job's permissions block."""
    data = load(path)
    for job_id, job in data["jobs"].items():
        granted = job.get("permissions", data.get("permissions", {}))
        assert isinstance(granted, dict), f"{job_id}: permissions are listed one by one"
        for index, step in enumerate(job.get("steps", [])):
            needs: list[dict[str, str]] = []
            uses = str(step.get("uses", "")).split("@")[0]
            needs += [ACTION_NEEDS[uses]] if uses in ACTION_NEEDS else []
            needs += list(_calls(str(step.get("run", ""))))
            for need in needs:
                for scope, level in need.items():
                    have = granted.get(scope, "none")
                    assert LEVEL[have] >= LEVEL[level], (
                        f"{rel(path)} jobs.{job_id}.steps[{index}] ({step.get('name', uses)}): needs {scope}: {level}, "
                        f"has {have}")
            if step.get("continue-on-error") and any(_calls(str(step.get("run", "")))):
                raise AssertionError(f"{rel(path)} jobs.{job_id}.steps[{index}]: continue-on-error would hide a "
                                     "failed gh call; report it instead")


def test_a_history_that_cannot_be_fetched_is_said_in_the_job_summary() -> None:
    script = step_named(REPO / ".github" / "workflows" / "nightly-drift.yml", "Previous reports")["run"]
    assert "GITHUB_STEP_SUMMARY" in script and "::warning" in script
    merge = step_named(REPO / ".github" / "workflows" / "nightly-drift.yml", "Merge")["run"]
    assert re.search(r'--format markdown --output drift\.md "\$\{since\[@\]\}"', merge), \
        "the tracking issue's Markdown lists what is new and resolved"
