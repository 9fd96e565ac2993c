"""In GitHub Actions (GITHUB_ACTIONS=true) the default report also becomes annotations and a
Markdown job summary; a report asked for in a format or a file, and any run outside it, do not."""
from __future__ import annotations

from pathlib import Path

import pytest



@pytest.fixture
def repo(reference_repo: Path) -> Path:
    return reference_repo


def test_annotations_and_job_summary_in_github_actions(trueup, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = repo / "step-summary.md"
    summary.write_text("## earlier step\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = trueup("drift", "--env", "prod", cwd=repo)
    assert result.code == 1
    annotations = [line for line in result.lines if line.startswith("::")]
    assert annotations == [
        "::error file=templates/k8s/api-configmap.yaml.j2,line=14,col=3,title=drift.changed::app.yaml differs live "
        "(changed by hand: kubectl-edit at 2025-11-19T13:27:05Z) at "
        "/data/app.yaml in ConfigMap/shop/api-config (prod) (- live, + desired):%0A-  ttlSeconds: 300%0A+  ttlSeconds: 600",
        "::error file=templates/k8s/api-deployment.yaml.j2,line=12,col=3,title=drift.changed::replicas differs live "
        "(changed by hand: kubectl-scale at 2025-11-22T02:17:40Z) at "
        "/spec/replicas in Deployment/shop/api (prod) - live 6, desired 4",
        "::error file=templates/k8s/web-deployment.yaml.j2,line=24,col=11,title=drift.changed::image differs live "
        "(changed by hand: kubectl-set at 2025-11-21T16:03:52Z) at "
        "/spec/template/spec/containers/0/image in Deployment/shop/web (prod) - live \"ghcr.io/example/shop-web:1.8.1\", "
        "desired \"ghcr.io/example/shop-web:1.8.2\"",
        "::error file=values/prod.yaml,line=14,col=3,title=drift.changed::ttlSeconds differs live at "
        "/cache/ttlSeconds in config/app.yaml (prod) - live 300, desired 600",
    ]
    assert result.lines[-1] == "failed: 4 findings (4 high) in 4 files; 11 documents in 11 files"
    written = summary.read_text()
    assert written.startswith("## earlier step\n## trueup drift (prod): ❌ 4 failing\n")
    assert "```diff\n@@ changed /spec/replicas (line 12, live line 189) @@\n- 6\n+ 4\n```" in written


@pytest.mark.parametrize("argv", [["--format", "json"], ["--output", "report.txt"]])
def test_a_report_asked_for_is_left_alone_in_github_actions(trueup, repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                            argv: list[str]) -> None:
    summary = repo / "step-summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = trueup("drift", "--env", "prod", *argv, cwd=repo)
    assert result.code == 1
    written = result.out + ((repo / "report.txt").read_text() if (repo / "report.txt").exists() else "")
    assert "::error" not in written and written
    assert not summary.exists()


def test_nothing_extra_outside_github_actions(trueup, repo: Path) -> None:
    result = trueup("drift", "--env", "prod", cwd=repo)
    assert not [line for line in result.lines if line.startswith("::")]
    assert not (repo / "step-summary.md").exists()


def test_a_clean_run_annotates_nothing(trueup, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = trueup("validate", "examples/live/prod/app.yaml", "--quiet", cwd=repo)
    assert (result.code, result.out) == (0, "")


def test_most_severe_annotations_first_and_the_summary_counts_what_github_drops(
        trueup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GitHub shows ten annotations of each kind per step: the errors come first, and the job
    summary says how many of each were not shown."""
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {{name: p{n}, namespace: shop}}\n"
           "spec:\n  containers: [{{name: c, image: 'nginx:latest'}}]\n")
    for n in range(12):
        (tmp_path / f"p{n:02}.yaml").write_text(pod.format(n=n))
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = trueup("validate", ".", cwd=tmp_path)
    levels = [line.split(" ", 1)[0] for line in result.lines if line.startswith("::")]
    errors, warnings = levels.count("::error"), levels.count("::warning")
    assert errors > 10 and warnings > 10
    assert levels == sorted(levels, key=["::error", "::warning", "::notice"].index)  # most severe first
    assert result.lines[-1].startswith("failed: ")
    notices = levels.count("::notice")
    hidden = [f"{errors - 10} errors", f"{notices - 10} notices" if notices > 10 else "", f"{warnings - 10} warnings"]
    assert (f"> GitHub shows at most 10 annotations of each kind per step: {', '.join(h for h in hidden if h)} "
            "were not shown on the changed lines") in summary.read_text()
