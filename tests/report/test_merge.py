"""Shards and `trueup report merge`: n shards merged are the one unsharded run, in any format."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st



@pytest.fixture
def repo(reference_repo: Path) -> Path:
    return reference_repo


def _findings(path: Path) -> list[str]:
    return sorted(json.dumps(f, sort_keys=True) for f in json.loads(path.read_text())["findings"])


@pytest.mark.parametrize("shards", [1, 2, 3, 5])
def test_merged_shards_equal_one_unsharded_run(trueup, repo: Path, shards: int, valid_report) -> None:
    whole = trueup("drift", "--format", "json", "--output", "whole.json", cwd=repo)
    names = []
    for i in range(1, shards + 1):
        part = trueup("drift", "--shard", f"{i}/{shards}", "--format", "json", "--output", f"s{i}.json", cwd=repo)
        assert part.code in (0, 1), part.err
        names.append(f"s{i}.json")
    per_shard = [len(json.loads((repo / n).read_text())["findings"]) for n in names]
    assert sum(per_shard) == len(_findings(repo / "whole.json"))
    # A shard renders its own targets' files (the first also those no target takes), not all of them.
    files = [json.loads((repo / n).read_text())["summary"]["files"] for n in names]
    assert sum(files) == json.loads((repo / "whole.json").read_text())["summary"]["files"]
    assert shards == 1 or max(files) < sum(files)
    merged = trueup("report", "merge", *names, "--format", "json", cwd=repo)
    report = valid_report(merged.out)
    assert merged.code == whole.code == 1
    assert sorted(json.dumps(f, sort_keys=True) for f in report["findings"]) == _findings(repo / "whole.json")
    assert report["summary"] == json.loads((repo / "whole.json").read_text())["summary"]
    assert report["environments"] == ["dev", "prod", "staging"]


def test_merge_refuses_what_is_not_one_runs_shards(trueup, repo: Path, monkeypatch) -> None:
    """A shard (or report) given twice would count its files twice; other commits or CI runs are other runs."""
    for i in (1, 2):
        trueup("drift", "--shard", f"{i}/2", "--format", "json", "--output", f"s{i}.json", cwd=repo)
    assert json.loads((repo / "s2.json").read_text())["run"]["shard"] == "2/2"
    twice = trueup("report", "merge", "s1.json", "s2.json", "s1.json", cwd=repo)
    assert twice.code == 2 and twice.out == ""
    assert twice.err == ("trueup: s1.json: the same file is given twice (s1.json and s1.json): its files would count "
                         "twice; --allow-mixed merges anyway\n")
    (repo / "copy.json").write_text((repo / "s2.json").read_text())
    copied = trueup("report", "merge", "s1.json", "s2.json", "copy.json", cwd=repo)
    assert copied.code == 2 and "the same report is given twice (s2.json and copy.json)" in copied.err
    first = json.loads((repo / "s1.json").read_text())
    first["run"]["commit"] = "e" * 40
    (repo / "one.json").write_text(json.dumps(first))
    report = json.loads((repo / "s2.json").read_text())
    report["run"]["commit"] = "f" * 40
    (repo / "other.json").write_text(json.dumps(report))
    other = trueup("report", "merge", "one.json", "other.json", cwd=repo)
    assert other.code == 2 and other.err == (
        "trueup: one.json: the reports are of different commits: eeeeeeeeeeee (one.json), ffffffffffff (other.json); "
        "--allow-mixed merges anyway\n")
    report["run"]["commit"], report["run"]["shard"] = None, "1/2"
    report["summary"]["files"] += 1
    (repo / "again.json").write_text(json.dumps(report))
    assert "shard 1/2 is given twice (s1.json and again.json)" in trueup("report", "merge", "s1.json", "again.json",
                                                                         cwd=repo).err
    report["run"]["shard"] = "2/3"
    (repo / "three.json").write_text(json.dumps(report))
    assert "different numbers of shards (2, 3)" in trueup("report", "merge", "s1.json", "three.json", cwd=repo).err
    mixed = trueup("report", "merge", "s1.json", "s2.json", "s1.json", "--allow-mixed", "--format", "json", cwd=repo)
    assert mixed.code == 1 and json.loads(mixed.out)["summary"]["files"] == \
        2 * json.loads((repo / "s1.json").read_text())["summary"]["files"] + json.loads((repo / "s2.json").read_text())["summary"]["files"]


def test_attempts_of_one_ci_run_are_one_run(trueup, repo: Path, monkeypatch) -> None:
    env = {"GITHUB_ACTIONS": "true", "GITHUB_SHA": "c" * 40, "GITHUB_SERVER_URL": "https://github.com",
           "GITHUB_REPOSITORY": "acme/gitops", "GITHUB_RUN_ID": "99"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for i, attempt in ((1, "1"), (2, "3")):  # shard 2 re-run on its own
        monkeypatch.setenv("GITHUB_RUN_ATTEMPT", attempt)
        trueup("drift", "--shard", f"{i}/2", "--format", "json", "--output", f"s{i}.json", cwd=repo)
    assert json.loads((repo / "s2.json").read_text())["run"]["ci_run"].endswith("/actions/runs/99/attempts/3")
    assert trueup("report", "merge", "s1.json", "s2.json", cwd=repo).code == 1
    monkeypatch.setenv("GITHUB_RUN_ID", "100")
    trueup("drift", "--shard", "2/2", "--format", "json", "--output", "s2.json", cwd=repo)
    later = trueup("report", "merge", "s1.json", "s2.json", cwd=repo)
    assert later.code == 2 and "the reports are of different CI runs: https://github.com/acme/gitops/actions/runs/99" \
        in later.err


def test_merge_converts_one_report_to_every_format(trueup, repo: Path) -> None:
    trueup("drift", "--env", "prod", "--format", "json", "--output", "prod.json", cwd=repo)
    markdown = trueup("report", "merge", "prod.json", "--format", "markdown", cwd=repo)
    assert markdown.code == 1
    assert markdown.out.startswith("## trueup drift (prod): ❌ 4 failing\n")
    assert "```diff\n@@ changed /spec/replicas (line 12, live line 189) @@\n- 6\n+ 4\n```" in markdown.out
    github = trueup("report", "merge", "prod.json", "--format", "github", cwd=repo)
    assert "::error file=templates/k8s/api-deployment.yaml.j2,line=12,col=3,title=drift.changed::" in github.out
    lenient = trueup("report", "merge", "prod.json", "--fail-on", "never", cwd=repo)
    assert lenient.code == 0


@pytest.mark.parametrize("content, cause", [
    ("not json", "not a JSON report"),
    ('{"findings": []}', "not a trueup JSON report (run with --format json)"),
    ('{"tool": "trueup", "findings": [], "error": {"message": "boom"}}', "that run failed: boom"),
    ('{"tool": "trueup", "findings": ["x"]}', "finding 1 is not an object"),
    ('{"tool": "trueup", "findings": [{"rule": "x"}]}', "finding 1 has no severity"),
    ('{"tool": "trueup", "findings": [{"rule": "x", "severity": "bogus", "message": "m", "target": "t"}]}',
     "finding 1: unknown severity 'bogus'"),
    ('{"tool": "trueup", "findings": [{"rule": "x", "severity": "high", "message": "m", "target": "t", "line": "9"}]}',
     "finding 1: line is not a whole number"),
    ('{"tool": "trueup", "findings": [], "summary": [1]}', "summary is not an object"),
    ('{"tool": "trueup", "findings": [], "summary": {"files": "3"}}', "summary.files is not a whole number"),
    ('{"tool": "trueup", "findings": [], "environments": "prod"}', "environments is not a list of names"),
])
def test_a_bad_report_is_one_line_and_exit_2(trueup, tmp_path: Path, content: str, cause: str) -> None:
    (tmp_path / "r.json").write_text(content)
    result = trueup("report", "merge", "r.json", cwd=tmp_path)
    assert result.code == 2
    assert result.err.startswith("trueup: r.json: ") and cause in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_shard_must_be_i_of_n(trueup, repo: Path, capsys: pytest.CaptureFixture) -> None:
    for bad in ("0/3", "4/3", "1", "a/b"):
        assert trueup("drift", "--shard", bad, cwd=repo).code == 2
        assert f"argument --shard: {bad!r}: expected I/N with 1 <= I <= N" in capsys.readouterr().err


def test_merge_keeps_the_threshold_the_reports_were_made_with(trueup, repo: Path) -> None:
    """The action runs `check --fail-on X` to JSON, then converts that report: the job summary and
    annotations must give the verdict of the same threshold. --fail-on on the merge still wins."""
    assert trueup("drift", "--env", "prod", "--fail-on", "never", "--format", "json", "--output", "r.json", cwd=repo).code == 0
    converted = trueup("report", "merge", "r.json", "--format", "markdown", cwd=repo)
    assert converted.code == 0 and "fail on: never." in converted.out and "❌" not in converted.out
    assert trueup("report", "merge", "r.json", "--fail-on", "high", cwd=repo).code == 1
    assert trueup("drift", "--env", "prod", "--format", "json", "--output", "h.json", cwd=repo).code == 1
    assert trueup("report", "merge", "r.json", "h.json", "--format", "json", cwd=repo).code == 1  # they differ: the default


GOOD_REPORT = {
    "tool": "trueup", "version": "0.1.0", "command": "drift", "environments": ["prod"],
    "findings": [{"rule": "drift.changed", "severity": "high", "message": "replicas differs live",
                  "target": "Deployment/shop/api", "path": "/spec/replicas", "file": "k8s/api.yaml", "line": 3,
                  "column": 3, "desired": 2, "live": 3, "waived": False, "environment": "prod",
                  "blame": {"commit": "a1b2c3d", "author": "Ana", "date": "2026-11-20", "file": "values/prod.yaml",
                            "line": 3}}],
    "summary": {"total": 1, "files": 1, "documents": 1, "by_severity": {"high": 1}, "by_rule": {"drift.changed": 1},
                "fail_on": "high", "failing": 1, "exit_code": 1},
}
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*prefix, i))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([p for p in _paths(GOOD_REPORT) if p]), JSON_VALUES)
def test_any_field_of_the_wrong_type_is_one_line_never_a_traceback(trueup, tmp_path: Path, where: tuple,
                                                                   value) -> None:
    import copy

    report = copy.deepcopy(GOOD_REPORT)
    node = report
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    (tmp_path / "r.json").write_text(json.dumps(report))
    for fmt in ("text", "json", "sarif", "markdown", "html"):
        result = trueup("report", "merge", "r.json", "--format", fmt, cwd=tmp_path)
        assert result.code in (0, 1, 2), (fmt, result.err)
        assert "Traceback" not in result.out + result.err
        if result.code == 2:
            assert len(result.err.strip().splitlines()) == 1 and result.err.startswith("trueup: r.json: ")
