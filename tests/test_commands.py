"""commands.py: the run commands (validate, check, drift, render, preview) called with Options, on
small repositories: their exact reports, exit codes, patches and audit records."""
from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from trueup import commands
from trueup.errors import ConfigError, TrueupError, UsageError

from command_repo import CONFIG, run, write_repo  # noqa: F401

SUMMARY = "1 document in 1 file; 0 validated against a schema, 1 document had no schema (kinds: config file)"
DRIFT = ("app.yaml (prod): templates/app.yaml.j2 vs live live/app.yaml\n"
         "  changed /port (line 1, live line 1): live 9090, desired 8080\n")


@pytest.fixture
def repo(write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """prod renders app.yaml (port 8080); live has port 9090."""
    write_repo(write)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def rules(repo: Path) -> str:
    """How many rules the repository's packs run, in the summary's words."""
    from trueup.options import CheckSettings
    from trueup.wiring import checker_for, find_config

    return f"{checker_for(find_config(None, True), CheckSettings()).rule_count} rules run"


# validate

def test_validate_renders_every_environment(repo: Path, rules: str) -> None:
    assert run(commands.validate, "validate") == (
        0, f"ok: {SUMMARY.replace('; 0', ', no findings; 0', 1)}; {rules}\n", "")


def test_validate_reports_a_rendered_secret(repo: Path) -> None:
    (repo / "values.yaml").write_text("port: 8080\nname: shop\npassword: hunter2-not-a-drill\n")
    (repo / "templates/app.yaml.j2").write_text("port: {{ port }}\ndb:\n  password: {{ password }}\n")
    code, out, err = run(commands.validate, "validate", "-q")
    assert (code, err) == (1, "")
    assert out.splitlines()[0].startswith("templates/app.yaml.j2:3:3: high: password holds a literal secret value ")
    assert out.splitlines()[0].endswith("[SECRET-PASSWORD-VALUE] at /db/password in app.yaml (prod) (value \"********\")")
    assert "hunter2-not-a-drill" not in out


def test_validate_named_files_with_a_schema(repo: Path, write) -> None:
    write("schema.json", '{"type": "object", "properties": {"port": {"type": "string"}}}')
    write("conf/a.yaml", "port: 80\n")
    code, out, err = run(commands.validate, "validate", "--schema", "schema.json", "-q", "conf/a.yaml")
    assert (code, err) == (1, "")
    assert out == "conf/a.yaml:1:1: high: expected string, got integer [schema] at /port (value 80)\n"


def test_validate_changed_since_defaults_to_here(repo: Path, write) -> None:
    for args in (["init", "-q"], ["config", "user.email", "t@example.com"], ["config", "user.name", "T"],
                 ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=repo, check=True)
    write("new.yaml", "x: [\n")
    code, out, _ = run(commands.validate, "validate", "--changed-since", "HEAD", "--no-cache", "-q")
    assert (code, out) == (1, "new.yaml:2:1: high: invalid YAML: did not find expected node content "
                              "(while parsing a flow node) [input.parse]\n")


def test_validate_unknown_environment(repo: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown environment 'qa' \(known: prod\)"):
        run(commands.validate, "validate", "--env", "qa")


def test_validate_without_config_or_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="^no trueup.yaml here"):
        run(commands.validate, "validate")


# check

def test_check_reports_drift_and_exits_1(repo: Path, rules: str) -> None:
    code, out, err = run(commands.check, "check", "--no-blame")
    assert (code, err) == (1, "")
    assert out == DRIFT + f"failed: 1 finding (1 high) in 1 file; {SUMMARY}; {rules}\n"


def test_check_in_sync_exits_0(repo: Path, rules: str) -> None:
    (repo / "live/app.yaml").write_text("port: 8080\nname: shop\n")
    assert run(commands.check, "check", "--no-blame")[:2] == (
        0, f"ok: {SUMMARY.replace('; 0', ', no findings; 0', 1)}; {rules}\n")


def test_check_patches_are_written_and_audited(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    code, out, err = run(commands.check, "check", "--no-blame", "--patches", "out")
    patch = repo / "out/live/app.yaml.patch"
    assert (code, err) == (1, "trueup: wrote 1 patch files to out\n")
    assert patch.read_text() == ("--- a/live/app.yaml\n+++ b/live/app.yaml\n@@ -1,2 +1,2 @@\n"
                                 "-port: 9090\n+port: 8080\n name: shop\n")
    [record] = [json.loads(line) for line in (repo / ".trueup/audit.jsonl").read_text().splitlines()]
    assert [(Path(p["path"]).resolve(), p["sha256"]) for p in record["patches"]] == [
        (patch, hashlib.sha256(patch.read_bytes()).hexdigest())]
    assert (record["command"], record["exit_code"], record["counts"]["by_rule"]) == ("check", 1, {"drift.changed": 1})


def test_check_quiet_patches_say_nothing(repo: Path) -> None:
    code, out, err = run(commands.check, "check", "--no-blame", "-q", "--patches", "out")
    assert (code, out, err) == (1, DRIFT, "")
    assert sorted(p.relative_to(repo).as_posix() for p in (repo / "out").rglob("*") if p.is_file()) == [
        "out/live/app.yaml.patch"]


def test_check_no_patches_when_input_unreadable(repo: Path) -> None:
    (repo / "live/app.yaml").write_text("port: [\n")
    code, out, err = run(commands.check, "check", "--no-blame", "-q", "--patches", "out")
    assert err == "trueup: no patches written: live/app.yaml could not be read\n"
    assert not (repo / "out").exists()
    assert code == 1


def test_check_adopt_of_rendered_files_writes_no_diff(repo: Path) -> None:
    code, _, err = run(commands.check, "check", "--no-blame", "--direction", "adopt", "--patches", "out")
    assert (code, err) == (1, "trueup: wrote 0 patch files to out\ntrueup: no file diff for templates/app.yaml.j2: "
                              "rendered from a template; adopt edits plain files only\n")


def test_check_adopt_without_patches_is_a_plain_check(repo: Path) -> None:
    """The handler writes nothing without --patches (main() refuses the combination first)."""
    assert run(commands.check, "check", "--no-blame", "--direction", "adopt") == run(commands.check, "check",
                                                                                   "--no-blame")
    assert sorted(p.name for p in repo.iterdir()) == ["live", "templates", "trueup.yaml", "values.yaml"]


def test_check_environment_without_target_is_noted(repo: Path) -> None:
    (repo / "trueup.yaml").write_text(CONFIG.replace("environments:\n  prod:", "environments:\n  dev:\n    values: "
                                                     "[values.yaml]\n  prod:", 1))
    code, out, _ = run(commands.check, "check", "--no-blame", "-q", "-v", "--env", "dev")
    assert (code, out) == (0, "trueup.yaml: info: environment 'dev': no target of trueup.yaml compares it with live "
                              "state; not compared [drift.not-compared] (dev)\n")


# drift

def test_drift_with_config(repo: Path) -> None:
    code, out, err = run(commands.drift, "drift", "--no-blame")
    assert (code, out, err) == (1, DRIFT + "failed: 1 finding (1 high) in 1 file; 1 document in 1 file\n", "")


def test_drift_nothing_to_compare(repo: Path) -> None:
    (repo / "trueup.yaml").write_text(CONFIG.split("targets:")[0])
    with pytest.raises(UsageError) as caught:
        run(commands.drift, "drift")
    assert str(caught.value) == ("trueup.yaml: nothing to compare: no target of trueup.yaml with a live side "
                                 "covers prod")


@pytest.fixture
def trees(write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write("des/app.yaml", "port: 8080\nname: shop\n")
    write("des/only.yaml", "a: 1\n")
    write("liv/app.yaml", "port: 9090\nname: shop\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_drift_of_two_trees(trees: Path) -> None:
    code, out, err = run(commands.drift, "drift", "--desired", "des", "--live", "liv", "--no-blame")
    assert (code, err) == (1, "")
    assert out == ("app.yaml: des/app.yaml vs live liv/app.yaml\n"
                   "  changed /port (line 1, live line 1): live 9090, desired 8080\n"
                   "only.yaml: des/only.yaml\n"
                   "  missing file is missing live (line 1)\n"
                   "failed: 2 findings (2 high) in 2 files; 3 documents in 3 files\n")


def test_drift_of_two_trees_shards_cover_the_run(trees: Path) -> None:
    rules = []
    for index in (1, 2):
        code, out, _ = run(commands.drift, "drift", "--desired", "des", "--live", "liv", "--no-blame", "-f", "json",
                           "--shard", f"{index}/2")
        report = json.loads(out)
        assert report["run"]["shard"] == f"{index}/2"
        rules += [(f["rule"], f["target"]) for f in report["findings"]]
    assert sorted(rules) == [("drift.changed", "app.yaml"), ("drift.missing", "only.yaml")]


def test_drift_patches_both_directions(trees: Path) -> None:
    code, _, err = run(commands.drift, "drift", "--desired", "des", "--live", "liv", "--no-blame", "--patches", "p")
    assert (code, err) == (1, "trueup: wrote 2 patch files to p\n")
    assert (trees / "p/liv/only.yaml.patch").read_text() == "--- /dev/null\n+++ b/liv/only.yaml\n@@ -0,0 +1 @@\n+a: 1\n"
    code, _, err = run(commands.drift, "drift", "--desired", "des", "--live", "liv", "--no-blame",
                       "--direction", "adopt", "--patches", "a")
    assert (code, err) == (1, "trueup: wrote 1 patch files to a\n")
    assert (trees / "a/des/app.yaml.patch").read_text() == (
        "--- a/des/app.yaml\n+++ b/des/app.yaml\n@@ -1,2 +1,2 @@\n-port: 8080\n+port: 9090\n name: shop\n")


@pytest.mark.parametrize("argv, message", [
    (["--desired", "des"], "give both --desired DIR and --live DIR (or --env ENV with a trueup.yaml)"),
    (["--live", "liv"], "give both --desired DIR and --live DIR (or --env ENV with a trueup.yaml)"),
], ids=["desired-only", "live-only"])
def test_drift_needs_both_trees(trees: Path, argv: list[str], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        run(commands.drift, "drift", "--no-blame", *argv)
    assert str(caught.value) == message


@pytest.mark.parametrize("argv, message", [
    (["--desired", "des/app.yaml", "--live", "liv"], "des/app.yaml: --desired must be a directory"),
    (["--desired", "des", "--live", "nowhere"], "nowhere: --live must be a directory"),
], ids=["desired-file", "live-missing"])
def test_drift_tree_not_a_directory(trees: Path, argv: list[str], message: str) -> None:
    """Found when the tree is read, as findings stream: the report says the run failed (exit 2)."""
    assert run(commands.drift, "drift", "--no-blame", "-q", *argv) == (2, "", f"trueup: {message}\n")
    code, out, _ = run(commands.drift, "drift", "--no-blame", "-f", "json", *argv)
    assert (code, json.loads(out)["error"]["message"]) == (2, message.split(": ", 1)[1])


# render

def test_render_stream(repo: Path, write) -> None:
    write("templates/b/more.txt", "no newline")
    write("templates/_partials/x.j2", "{% macro m() %}{% endmacro %}")
    assert run(commands.render, "render", "--env", "prod") == (
        0, "# Source: app.yaml\nport: 8080\nname: shop\n---\n# Source: b/more.txt\nno newline\n", "")


def test_render_to_a_directory(repo: Path) -> None:
    assert run(commands.render, "render", "--env", "prod", "--out", "build/x") == (0, "", "")
    assert (repo / "build/x/app.yaml").read_text() == "port: 8080\nname: shop\n"


def test_render_replaces_a_symlinked_file_not_its_target(repo: Path, tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (repo / "build").mkdir()
    (repo / "build/app.yaml").symlink_to(elsewhere / "victim.yaml")
    assert run(commands.render, "render", "--env", "prod", "--out", "build") == (0, "", "")
    assert list(elsewhere.iterdir()) == []
    assert ((repo / "build/app.yaml").is_symlink(), (repo / "build/app.yaml").read_text()) == (
        False, "port: 8080\nname: shop\n")


@pytest.mark.parametrize("link", ["build", "build/sub"])
def test_render_refuses_a_symlinked_directory(repo: Path, tmp_path_factory, write, link: str) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    write("templates/sub/b.yaml", "x: 1\n")
    (repo / link).parent.mkdir(exist_ok=True)
    (repo / link).symlink_to(elsewhere)
    with pytest.raises(UsageError) as caught:
        run(commands.render, "render", "--env", "prod", "--out", "build")
    assert str(caught.value) == f"{link}: cannot write rendered output: a symlink; refused, not followed"
    assert list(elsewhere.iterdir()) == []


def test_render_without_config(write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write("t/a.yaml.j2", "env: {{ environment }}\nv: {{ v }}\n")
    write("one.yaml", "v: 1\n")
    write("two.yaml", "v: 2\n")
    monkeypatch.chdir(tmp_path)
    assert run(commands.render, "render", "--templates", "t", "--values", "one.yaml", "--values", "two.yaml",
               "--env", "qa") == (0, "# Source: a.yaml\nenv: qa\nv: 2\n", "")


def test_render_needs_an_environment(repo: Path) -> None:
    with pytest.raises(UsageError, match=r"^give --env ENV \(or --templates DIR"):
        run(commands.render, "render")


def test_render_failure_is_the_first_template_error(repo: Path) -> None:
    (repo / "templates/app.yaml.j2").write_text("ok: 1\nport: {{ nope.deeper }}\n")
    with pytest.raises(TrueupError) as caught:
        run(commands.render, "render", "--env", "prod")
    assert (caught.value.file, caught.value.line) == ("templates/app.yaml.j2", 2)
    assert "nope" in caught.value.cause


# preview

@pytest.fixture
def committed(repo: Path) -> Path:
    for args in (["init", "-q"], ["config", "user.email", "t@example.com"], ["config", "user.name", "T"],
                 ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=repo, check=True)
    return repo


def test_preview_of_a_values_change(committed: Path) -> None:
    (committed / "values.yaml").write_text("port: 8081\nname: shop\n")
    code, out, err = run(commands.preview, "preview", "--base", "HEAD")
    assert (code, err) == (0, "")
    assert out == ("app.yaml (prod): templates/app.yaml.j2\n"
                   "  changed /port (line 1, base line 1): base 8080, head 8081\n"
                   "values.yaml:1:1: info: values /port changes: reaches templates/app.yaml.j2 [change.values] "
                   "at /port (prod) (value 8081)\n"
                   "ok: 1 document in 1 file, no findings; 2 notes\n")


def test_preview_without_changes(committed: Path) -> None:
    assert run(commands.preview, "preview", "--base", "HEAD", "-q") == (0, "", "")


@pytest.mark.parametrize("argv, message", [
    (["--env", "qa"], "no environment 'qa' at either revision"),
    (["--head", "nosuch"], "no such git revision: 'nosuch'"),
], ids=["unknown-env", "unknown-head"])
def test_preview_usage_errors(committed: Path, argv: list[str], message: str) -> None:
    with pytest.raises(TrueupError) as caught:
        run(commands.preview, "preview", "--base", "HEAD", *argv)
    assert caught.value.cause == message
