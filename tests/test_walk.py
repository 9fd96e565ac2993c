"""What a directory walk reads and skips (trueup.walk), driven through ``trueup validate``."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from trueup.walk import chart_of_template, chart_values_schema, excluded_by, walk

BROKEN = "a: [1,\n"


def _git(repo: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args], cwd=repo, env=env,
                   check=True, capture_output=True)


@pytest.fixture
def tree(write, tmp_path: Path) -> Path:
    """A repository with what real ones hold beside their own files: each of these is broken, so a
    file that is read shows as an input.parse finding."""
    write("repo/ok.yaml", "a: 1\n")
    write("repo/.gitignore", "build/\n*.generated.yaml\n/local.env\n")
    for name in ("build/out.yaml", "x.generated.yaml", "sub/y.generated.yaml", "node_modules/pkg/package.json",
                 "web/node_modules/left-pad/package.json", "vendor/github.com/x/y/a.yaml", ".venv/lib/x.yaml",
                 "env2/lib/x.yaml", ".git-like/not-git.yaml", "legacy/old.yaml", "docs/examples/bad.yaml",
                 ".terraform/modules/m.json", "__pycache__/x.yaml", ".trueup/state.yaml"):
        write(f"repo/{name}", BROKEN)
    write("repo/env2/pyvenv.cfg", "home = /usr/bin\n")
    write("repo/local.env", "=no key\n")
    write("repo/.github/workflows/ci.yml", "on: push\njobs: {}\n")
    write("repo/.vscode/settings.json", '{\n  // editor\n  "a": 1,\n}\n')
    return tmp_path / "repo"


def _parsed(result) -> list[str]:
    return sorted(f["file"] for f in result.json()["findings"] if f["rule"] == "input.parse")


def test_outside_git_only_dependency_and_tool_trees_are_skipped(trueup, tree: Path) -> None:
    result = trueup("validate", "--no-cache", "--format", "json", ".", cwd=tree)
    assert _parsed(result) == [".git-like/not-git.yaml", "build/out.yaml", "docs/examples/bad.yaml", "legacy/old.yaml",
                               "local.env", "sub/y.generated.yaml", "x.generated.yaml"]
    assert result.code == 1


def test_inside_git_the_ignore_rules_decide_and_tracked_files_are_read(trueup, tree: Path) -> None:
    _git(tree, "init", "-q")
    (tree / "sub" / "tracked.generated.yaml").write_text(BROKEN)
    _git(tree, "add", "-f", "sub/tracked.generated.yaml")
    result = trueup("validate", "--no-cache", "--format", "json", ".", cwd=tree)
    assert _parsed(result) == sorted([".git-like/not-git.yaml", "docs/examples/bad.yaml", "legacy/old.yaml",
                                      "sub/tracked.generated.yaml"])
    # --exclude by name (anywhere) and by path; trueup.yaml's exclude adds more.
    excluded = trueup("validate", "--no-cache", "--format", "json", "--exclude", "legacy", "--exclude",
                      "docs/examples/**", ".", cwd=tree)
    assert _parsed(excluded) == [".git-like/not-git.yaml", "sub/tracked.generated.yaml"]
    (tree / "trueup.yaml").write_text("version: 1\nexclude: ['.git-like', '*.generated.yaml']\n")
    configured = trueup("validate", "--no-cache", "--format", "json", "--exclude", "legacy", ".", cwd=tree)
    assert _parsed(configured) == ["docs/examples/bad.yaml"]


def test_files_named_on_the_command_line_are_always_read(trueup, tree: Path) -> None:
    _git(tree, "init", "-q")
    result = trueup("validate", "--no-cache", "--format", "json", "--exclude", "legacy", "build/out.yaml",
                    "legacy/old.yaml", "node_modules/pkg/package.json", cwd=tree)
    assert _parsed(result) == ["build/out.yaml", "legacy/old.yaml", "node_modules/pkg/package.json"]
    named_dir = trueup("validate", "--no-cache", "--format", "json", "build", cwd=tree)
    assert _parsed(named_dir) == ["build/out.yaml"]


def test_hooks_leave_out_named_files_a_walk_would(trueup, tree: Path) -> None:
    """pre-commit names every tracked file: --skip-excluded (its entry) applies the walk's rules to them."""
    (tree / "trueup.yaml").write_text("version: 1\nexclude: [legacy]\n")
    named = ["ok.yaml", "legacy/old.yaml", "node_modules/pkg/package.json", "web/node_modules/left-pad/package.json",
             "vendor/github.com/x/y/a.yaml", "docs/examples/bad.yaml"]
    always = trueup("validate", "--no-cache", "--format", "json", *named, cwd=tree)
    assert _parsed(always) == sorted(named[1:])
    hook = trueup("validate", "--no-cache", "--format", "json", "--skip-excluded", *named, cwd=tree)
    assert _parsed(hook) == ["docs/examples/bad.yaml"]
    assert hook.json()["summary"]["files"] == 2


def test_dot_directories_with_configuration_are_read(trueup, tree: Path) -> None:
    _git(tree, "init", "-q")
    result = trueup("validate", "--no-cache", "--format", "json", ".", cwd=tree)
    files = result.json()["summary"]["files"]
    assert files == 6  # ok.yaml, ci.yml, settings.json (JSONC) and the three broken files git does not ignore
    assert not [f for f in result.json()["findings"] if f["file"].startswith((".vscode", ".github"))]


@pytest.mark.parametrize("patterns, name, paths, excluded", [
    (["legacy"], "legacy", ["a/legacy"], True),
    (["*.generated.yaml"], "x.generated.yaml", ["a/x.generated.yaml"], True),
    (["docs/**"], "bad.yaml", ["docs/examples/bad.yaml"], True),
    (["/docs/**"], "bad.yaml", ["docs/examples/bad.yaml"], True),
    (["docs/**"], "bad.yaml", ["src/docs/bad.yaml"], False),
    (["legacy"], "legacy.yaml", ["legacy.yaml"], False),
])
def test_exclude_globs(patterns: list[str], name: str, paths: list[str], excluded: bool) -> None:
    assert excluded_by(patterns, name, *paths) is excluded


def test_charts_are_found_by_their_chart_yaml(tmp_path: Path) -> None:
    chart = tmp_path / "charts" / "web"
    (chart / "templates" / "sub").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 1.0.0\n")
    (chart / "values.yaml").write_text("a: 1\n")
    (chart / "templates" / "sub" / "x.yaml").write_text("{{ .Values.a }}\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "plain.yaml").write_text("a: 1\n")
    assert chart_of_template(chart / "templates" / "sub" / "x.yaml") == chart
    assert chart_of_template(tmp_path / "templates" / "plain.yaml") is None  # no Chart.yaml beside it
    assert chart_values_schema(chart / "values.yaml") is None
    (chart / "values.schema.json").write_text("{}")
    assert chart_values_schema(chart / "values.yaml") == chart / "values.schema.json"
    walked = walk(tmp_path, "", lambda name: True)
    assert [shown for _, shown, _ in walked.files] == ["charts/web/Chart.yaml", "charts/web/values.schema.json",
                                                       "charts/web/values.yaml", "templates/plain.yaml"]
    assert {k: c.templates for k, c in walked.charts.items()} == {"charts/web": ["charts/web/templates/sub/x.yaml"]}


def test_a_symlink_loop_in_a_walk_is_a_note_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text("a: 1\n")
    (tmp_path / "a.yaml").symlink_to("b")
    (tmp_path / "b").symlink_to("a.yaml")
    (tmp_path / "via.yaml").symlink_to("self-excluded.yaml")  # into a loop: a loop as well
    (tmp_path / "self-excluded.yaml").symlink_to("self-excluded.yaml")
    walked = walk(tmp_path, "tree", lambda name: name.endswith(".yaml"), ["self-excluded.yaml"])
    assert [shown for _, shown, _ in walked.files] == ["tree/ok.yaml"]
    # ``b`` is not a format the walk reads, an excluded loop is left out as any excluded file is
    assert walked.special == [("tree/a.yaml", "symlink loop"), ("tree/via.yaml", "symlink loop")]
