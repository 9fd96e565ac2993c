"""trueup preview: what a commit does to each environment's rendered output, read from git
without touching the working tree, the index or HEAD."""
from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def state(repo: Path) -> tuple[str, str, str, dict[str, str]]:
    """HEAD, the index's bytes, git status, and every working-tree file's hash."""
    files = {str(p.relative_to(repo)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in repo.rglob("*") if p.is_file() and ".git" not in p.relative_to(repo).parts}
    index = hashlib.sha256((repo / ".git" / "index").read_bytes()).hexdigest()
    return git(repo, "rev-parse", "HEAD"), index, git(repo, "status", "--porcelain"), files


@pytest.fixture
def repo(reference_repo: Path) -> Path:
    git(reference_repo, "init", "-q")
    commit(reference_repo, "the reference platform")
    return reference_repo


def _changes(result) -> list[tuple]:
    return sorted((f["rule"], f["environment"], f["target"], f["path"], f["live"], f["desired"])
                  for f in result.json()["findings"])


def test_a_values_change_is_exactly_what_the_commit_changes(trueup, repo: Path, valid_report) -> None:
    values = repo / "values/prod.yaml"
    values.write_text(values.read_text().replace("  api: 4", "  api: 5"))
    commit(repo, "scale the api in prod")
    result = trueup("preview", "--base", "HEAD~1", "--format", "json", cwd=repo)
    valid_report(result.out)
    assert result.code == 0
    assert _changes(result) == [("change.changed", "prod", "Deployment/shop/api", "/spec/replicas", 4, 5),
                                ("change.values", "prod", "values/prod.yaml", "/replicas/api", 4, 5)]
    finding = result.json()["findings"][0]
    assert (finding["file"], finding["line"]) == ("templates/k8s/api-deployment.yaml.j2", 12)


def test_the_working_tree_is_the_default_head_and_a_renamed_object_is_one_removal_one_addition(trueup, repo: Path) -> None:
    template = repo / "templates/k8s/api-configmap.yaml.j2"
    template.write_text(template.read_text().replace("name: api-config", "name: api-settings", 1))
    result = trueup("preview", "--base", "HEAD", "--env", "prod", "--format", "json", cwd=repo)
    found = [(f["rule"], f["target"], f["path"]) for f in result.json()["findings"]]
    assert ("change.removed", "ConfigMap/shop/api-config", "") in found
    assert ("change.added", "ConfigMap/shop/api-settings", "") in found
    assert [f for f in found if f[0] in ("change.added", "change.removed")] == [
        ("change.added", "ConfigMap/shop/api-settings", ""), ("change.removed", "ConfigMap/shop/api-config", "")]


def test_nothing_in_git_or_the_working_tree_moves_even_when_a_revision_fails_to_render(trueup, repo: Path) -> None:
    broken = repo / "templates/k8s/redis-service.yaml.j2"
    good = broken.read_text()
    broken.write_text(good + "{% if %}\n")
    commit(repo, "break a template")
    broken.write_text(good)
    commit(repo, "fix it")
    (repo / "values/dev.yaml").write_text((repo / "values/dev.yaml").read_text() + "# an uncommitted edit\n")
    git(repo, "add", "values/dev.yaml")
    (repo / "notes.txt").write_text("untracked\n")
    before = state(repo)
    fixed = trueup("preview", "--base", "HEAD~1", "--format", "json", cwd=repo)
    assert fixed.code == 0
    # The base rendered no redis Service: fixing the template adds it.
    assert {(f["rule"], f["target"]) for f in fixed.json()["findings"]} == {
        ("change.fixed", "k8s/redis-service.yaml.j2"), ("change.added", "Service/shop/redis")}
    broke = trueup("preview", "--base", "HEAD~2", "--head", "HEAD~1", "--format", "json", cwd=repo)
    assert broke.code == 2
    assert {f["rule"] for f in broke.json()["findings"]} >= {"input.render"}
    assert state(repo) == before
    assert not list((repo / git(repo, "rev-parse", "--git-dir").strip()).glob("worktrees/*"))  # the repo's own .git


def test_problems_the_change_introduces_fail_and_those_it_fixes_are_listed(trueup, repo: Path) -> None:
    values = repo / "values/common.yaml"
    original = values.read_text()
    assert "tag: " in original
    deployment = repo / "templates/k8s/web-deployment.yaml.j2"
    deployment.write_text(deployment.read_text().replace('image: "{{ h.image("web") }}"', "image: nginx"))
    commit(repo, "use an unpinned image")
    introduced = trueup("preview", "--base", "HEAD~1", "--env", "prod", "--format", "json", cwd=repo)
    assert introduced.code == 1
    rules = {(f["rule"], f["target"]) for f in introduced.json()["findings"]}
    assert ("K8S-IMAGE-TAG", "Deployment/shop/web") in rules
    assert ("change.changed", "Deployment/shop/web") in rules
    fixes = trueup("preview", "--base", "HEAD", "--head", "HEAD~1", "--env", "prod", "--format", "json", cwd=repo)
    assert fixes.code == 0
    assert ("change.fixed", "Deployment/shop/web") in {(f["rule"], f["target"]) for f in fixes.json()["findings"]}


def test_text_and_markdown_read_as_base_against_head(trueup, repo: Path) -> None:
    values = repo / "values/prod.yaml"
    values.write_text(values.read_text().replace("  api: 4", "  api: 5"))
    text = trueup("preview", "--base", "HEAD", cwd=repo)
    assert text.out.splitlines()[:2] == [
        "Deployment/shop/api (prod): templates/k8s/api-deployment.yaml.j2",
        "  changed /spec/replicas (line 12, base line 12): base 4, head 5"]
    markdown = trueup("preview", "--base", "HEAD", "--format", "markdown", cwd=repo)
    assert markdown.out.startswith("## trueup preview (dev, prod, staging): 📝 1 change, no new problems\n")
    assert "```diff\n@@ changed /spec/replicas (line 12, base line 12) @@\n- 4\n+ 5\n```" in markdown.out


@pytest.mark.parametrize("args, cause", [
    (["--base", "no-such-ref"], "no such git revision: 'no-such-ref'"),
    (["--base", "HEAD", "--env", "nope"], "no environment 'nope' at either revision"),
])
def test_bad_revisions_and_environments_are_one_line(trueup, repo: Path, args: list[str], cause: str) -> None:
    result = trueup("preview", *args, cwd=repo)
    assert result.code == 2
    assert result.err.strip().splitlines() == [f"trueup: {cause}"]


def test_outside_a_git_repository(trueup, reference_repo: Path) -> None:
    result = trueup("preview", "--base", "HEAD", cwd=reference_repo)
    assert result.code == 2
    assert "preview compares git revisions: run it inside a git repository" in result.err


def test_a_changed_configmap_names_the_deployments_that_read_it(trueup, repo: Path) -> None:
    values = repo / "values/prod.yaml"
    values.write_text(values.read_text().replace("ttlSeconds: 600", "ttlSeconds: 900"))
    result = trueup("preview", "--base", "HEAD", "--env", "prod", "--format", "json", cwd=repo)
    impacts = sorted((f["target"], f["path"], f["message"]) for f in result.json()["findings"] if f["rule"] == "change.impact")
    assert impacts == [
        ("Deployment/shop/api", "/spec/template/spec/volumes/0/configMap/name",
         "reads ConfigMap 'api-config', which this change alters: api needs a rollout to see it"),
        ("Deployment/shop/web", "/spec/template/spec/containers/0/env/3/valueFrom/configMapKeyRef/name",
         "reads ConfigMap 'api-config', which this change alters: web needs a rollout to see it"),
    ]
    markdown = trueup("preview", "--base", "HEAD", "--format", "markdown", cwd=repo)
    assert "> **⚠️ This change reaches production:** 2 in prod.\n" in markdown.out
    assert markdown.out.startswith("## trueup preview (dev, prod, staging): 📝 2 changes, no new problems\n")


def test_a_changed_compose_service_names_its_dependents(trueup, repo: Path) -> None:
    compose = (repo / "templates/compose/compose.yaml.j2").read_text()
    assert "redis" in compose
    template = repo / "templates/compose/compose.yaml.j2"
    template.write_text(compose.replace("--maxmemory", "--maxmemory-samples 5 --maxmemory", 1))
    result = trueup("preview", "--base", "HEAD", "--env", "dev", "--format", "json", cwd=repo)
    found = result.json()["findings"]
    changed = [f["path"] for f in found if f["rule"] in ("change.changed", "change.added")]
    assert changed and all(p.startswith("/services/redis/command/") for p in changed)
    assert sorted(f["message"] for f in found if f["rule"] == "change.impact") == ["api depends on redis, which this change alters"]


def test_a_values_key_names_every_rendered_file_it_reaches(trueup, repo: Path) -> None:
    values = repo / "values/prod.yaml"
    values.write_text(values.read_text().replace("ttlSeconds: 600", "ttlSeconds: 900"))
    result = trueup("preview", "--base", "HEAD", "--env", "prod", "--format", "json", cwd=repo)
    found = [f for f in result.json()["findings"] if f["rule"] == "change.values"]
    assert [(f["file"], f["line"], f["path"], f["live"], f["desired"], f["message"]) for f in found] == [
        ("values/prod.yaml", 14, "/cache/ttlSeconds", 600, 900,
         "values /cache/ttlSeconds changes: reaches templates/config/app.yaml.j2, templates/k8s/api-configmap.yaml.j2")]


def test_a_shared_values_key_reaches_every_file_whose_output_it_changes(trueup, repo: Path) -> None:
    values = repo / "values/common.yaml"
    values.write_text(values.read_text().replace("partOf: shop", "partOf: store"))
    result = trueup("preview", "--base", "HEAD", "--format", "json", cwd=repo)
    findings = result.json()["findings"]
    for env in ("dev", "prod", "staging"):
        changed = {f["file"] for f in findings if f["environment"] == env and f["rule"] == "change.changed"}
        reach = [f for f in findings if f["environment"] == env and f["rule"] == "change.values"]
        assert len(reach) == 1 and reach[0]["path"] == "/partOf" and reach[0]["file"] == "values/common.yaml"
        if env == "dev":  # compose and the app config: no template reads partOf
            assert (changed, reach[0]["message"]) == (set(), "values /partOf changes: reaches no rendered file")
            continue
        named = set(reach[0]["message"].split(": reaches ", 1)[1].split(", "))
        assert len(changed) >= 5 and changed == named, env


def test_a_revision_with_a_symlink_out_of_its_tree_is_named_as_git_names_it(trueup, repo: Path) -> None:
    """The link is refused as in the working tree; messages name the revision, never the temporary copy."""
    link = repo / "templates/k8s/escape.yaml.j2"
    link.symlink_to("/etc/hostname")
    commit(repo, "a link out of the tree")
    link.unlink()
    commit(repo, "remove it")
    before = state(repo)
    broke = trueup("preview", "--base", "HEAD~2", "--head", "HEAD~1", "--env", "prod", cwd=repo)
    assert (broke.code, broke.err.splitlines()) == (2, [
        "trueup: HEAD~1:templates/k8s/escape.yaml.j2: symlink resolves outside its root (HEAD~1:templates); "
        "refused, not followed"])
    fixed = trueup("preview", "--base", "HEAD~1", "--env", "prod", "--format", "json", cwd=repo)
    assert "trueup-preview" not in fixed.out + fixed.err
    assert [f["message"] for f in fixed.json()["findings"] if f["rule"] == "change.fixed"] == [
        "fixes input.parse: symlink resolves outside its root (HEAD~1:templates); refused, not followed"]
    assert state(repo) == before


def test_a_shallow_clone_without_the_base_says_how_to_get_it(trueup, repo: Path, tmp_path_factory) -> None:
    values = repo / "values/prod.yaml"
    values.write_text(values.read_text().replace("  api: 4", "  api: 5"))
    commit(repo, "scale")
    shallow = tmp_path_factory.mktemp("clone") / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True)
    result = trueup("preview", "--base", "HEAD~1", cwd=shallow)
    assert (result.code, result.err.splitlines()) == (2, [
        "trueup: no such git revision: 'HEAD~1' (a shallow clone: fetch the revision, "
        "e.g. actions/checkout with fetch-depth: 0)"])
