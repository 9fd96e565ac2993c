"""The pre-commit hooks (.pre-commit-hooks.yaml), driven by the real pre-commit and git.

A consumer repository pins this checkout's hooks with ``repo:`` + ``rev:``, as any other
repository does, runs ``pre-commit install`` and commits: a bad manifest, value or template
blocks the commit with trueup's ``file:line:column:`` finding, a good one goes through with
nothing printed but pre-commit's own status lines.

The hook repository is a snapshot commit of this checkout's working tree (tracked and
untracked files, not ignored ones), so what is tested is the hooks as they are on disk,
committed or not. pre-commit builds trueup from that snapshot into a virtualenv of its own,
with dependencies from the package index, once per module (PRE_COMMIT_HOME under
tmp_path_factory): 20 to 35 seconds, with or without a pip cache; each hook run after that
takes a second or two.
``pre-commit try-repo`` is not used: it installs into a fresh store on every call and leaves
untracked files (a new hooks file) out of its snapshot.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, REPO

PRE_COMMIT = (sys.executable, "-m", "pre_commit")
# pre-commit's own line for a hook that passed or had nothing to do: "name.....Passed".
STATUS = re.compile(r"^\S.*?\.{3,}(\(no files to check\))?(Passed|Skipped)$")
# Variables of the outer run that would reach into these repositories or change how hooks run.
OUTER = ("SKIP", "CI", "GITHUB_ACTIONS", "GITHUB_ACTOR", "GITHUB_STEP_SUMMARY", "TRUEUP_AUDIT_KEY")

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis
  namespace: shop
  labels:
    app.kubernetes.io/name: redis
    app.kubernetes.io/instance: redis-prod
    app.kubernetes.io/version: "7.4.1"
    app.kubernetes.io/component: cache
    app.kubernetes.io/part-of: shop
    app.kubernetes.io/managed-by: trueup
spec:
  replicas: REPLICAS
  selector:
    matchLabels:
      app.kubernetes.io/name: redis
      app.kubernetes.io/instance: redis-prod
  template:
    metadata:
      labels:
        app.kubernetes.io/name: redis
        app.kubernetes.io/instance: redis-prod
        app.kubernetes.io/version: "7.4.1"
        app.kubernetes.io/component: cache
        app.kubernetes.io/part-of: shop
        app.kubernetes.io/managed-by: trueup
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 999
        runAsGroup: 999
        fsGroup: 999
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: redis
          image: "redis:7.4.1"
          ports:
            - name: redis
              containerPort: 6379
          resources:
            requests:
              cpu: 100m
              memory: 512Mi
            limits:
              cpu: 500m
              memory: 1Gi
          livenessProbe:
            tcpSocket:
              port: redis
          readinessProbe:
            exec:
              command: ["redis-cli", "ping"]
          securityContext:
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop:
                - ALL
"""
REPLICAS_LINE = DEPLOYMENT.splitlines().index("  replicas: REPLICAS") + 1

CONSUMER = {
    "trueup.yaml": """\
        version: 1
        templates: templates
        environments:
          prod:
            values: [values/prod.yaml]
        targets:
          - name: app-config
            kind: config
            desired: "config/app.yaml"
            live: "live/{env}/app.yaml"
            environments: [prod]
        kubernetes:
          version: "1.33"
          strict: true
        """,
    "values/prod.yaml": "redis:\n  replicas: 2\nport: 8080\n",
    "templates/k8s/redis-deployment.yaml.j2": DEPLOYMENT.replace("REPLICAS", "{{ redis.replicas }}"),
    "templates/config/app.yaml.j2": "server:\n  port: {{ port }}\n",
    "manifests/redis-deployment.yaml": DEPLOYMENT.replace("REPLICAS", "1"),
    # What a machine with live state sees: never in git, so pre-commit never stashes it away.
    ".gitignore": "/live/\n",
    "live/prod/app.yaml": "server:\n  port: 8080\n",
}


@dataclass
class Hooks:
    """The hook repository (a snapshot of this checkout) and the environment every command runs in."""

    path: Path
    rev: str
    env: dict[str, str]


def _environment(home: Path, gitconfig: Path) -> dict[str, str]:
    """The outer environment without git's per-repository variables (a test run from inside a git hook
    has GIT_DIR and GIT_INDEX_FILE set), an empty global git config, and the running interpreter's
    scripts first on PATH: that ``trueup`` is what ``language: system`` hooks run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT")) and k not in OUTER}
    scripts = Path(sys.executable).parent
    env.update(
        PRE_COMMIT_HOME=str(home),
        PRE_COMMIT_COLOR="never",
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        PATH=os.pathsep.join([str(scripts), env.get("PATH", "")]),
    )
    return env


def _run(*cmd: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=900,
    )


def _git(repo: Path, env: dict[str, str], *args: str) -> str:
    result = _run("git", *args, cwd=repo, env=env)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stdout}"
    return result.stdout.strip()


def _git_init(repo: Path, env: dict[str, str]) -> None:
    repo.mkdir(parents=True, exist_ok=True)
    _git(repo, env, "init", "-q")
    _git(repo, env, "config", "user.name", "trueup tests")
    _git(repo, env, "config", "user.email", "tests@trueup.invalid")
    _git(repo, env, "config", "commit.gpgsign", "false")


def _snapshot(source: Path, dest: Path, env: dict[str, str]) -> str:
    """Commit the working tree of ``source`` (tracked and untracked files git does not ignore) as a new
    repository at ``dest``; return the commit. ``source``'s index and working tree are only read."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=source, env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        capture_output=True, check=True,
    ).stdout.decode()
    _git_init(dest, env)
    for name in filter(None, listing.split("\0")):
        path = source / name
        if path.is_file():  # not a file deleted in the working tree, nor a submodule
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / name)
    _git(dest, env, "add", "-A")
    _git(dest, env, "commit", "-q", "--no-verify", "-m", "snapshot of the trueup checkout under test")
    return _git(dest, env, "rev-parse", "HEAD")


def _consumer(repo: Path, hooks: Hooks, files: dict[str, str] = CONSUMER) -> Path:
    """A small trueup repository that uses the hooks as other repositories do: ``repo:`` + ``rev:``."""
    _git_init(repo, hooks.env)
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(textwrap.dedent(text), encoding="utf-8")
    config = {"repos": [{"repo": str(hooks.path), "rev": hooks.rev, "hooks": [
        {"id": "trueup-validate"}, {"id": "trueup-render"}, {"id": "trueup-drift"},
    ]}]}
    (repo / ".pre-commit-config.yaml").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    _git(repo, hooks.env, "add", "-A")
    return repo


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One PRE_COMMIT_HOME for the module, so pre-commit installs the hooks' environment once."""
    base = tmp_path_factory.mktemp("pre-commit-home")
    gitconfig = base / "gitconfig"
    gitconfig.write_text("", encoding="utf-8")
    return _environment(base / "home", gitconfig)


@pytest.fixture(scope="module")
def hooks(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Hooks:
    """This checkout as a hook repository, with pre-commit's environment for it installed once."""
    base = tmp_path_factory.mktemp("pre-commit")
    path = base / "trueup"
    found = Hooks(path, _snapshot(REPO, path, env), env)
    scratch = _consumer(base / "install", found)
    # The slow part, once: a virtualenv with trueup built from the snapshot and its dependencies.
    result = _run(*PRE_COMMIT, "install-hooks", cwd=scratch, env=env)
    assert result.returncode == 0, result.stdout
    return found


def _pre_commit(repo: Path, hooks: Hooks, *args: str) -> subprocess.CompletedProcess[str]:
    return _run(*PRE_COMMIT, *args, cwd=repo, env=hooks.env)


def _commit(repo: Path, hooks: Hooks, message: str) -> subprocess.CompletedProcess[str]:
    """``git commit`` through the installed pre-commit hook (``-q``: git itself prints nothing)."""
    _git(repo, hooks.env, "add", "-A")
    return _run("git", "commit", "-q", "-m", message, cwd=repo, env=hooks.env)


def _commits(repo: Path, hooks: Hooks) -> int:
    return int(_git(repo, hooks.env, "rev-list", "--count", "HEAD"))


def _only_status_lines(output: str) -> list[str]:
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines, "pre-commit printed nothing"
    assert all(STATUS.match(line) for line in lines), output
    return lines


def _status_line(output: str, name: str) -> str:
    for line in output.splitlines():
        if re.match(rf"^{re.escape(name)}\.{{3,}}", line):
            return line
    raise AssertionError(f"no status line for {name!r} in:\n{output}")


def _status(output: str, name: str) -> str:
    """The status pre-commit gave hook ``name``: Passed, Failed, Skipped or (no files to check)Skipped."""
    return _status_line(output, name)[len(name):].lstrip(".")


def _write(repo: Path, name: str, text: str) -> None:
    (repo / name).write_text(text, encoding="utf-8")


def test_the_hooks_file_and_this_repositorys_config_are_valid_and_agree(env: dict[str, str]) -> None:
    for command, name in (("validate-manifest", ".pre-commit-hooks.yaml"), ("validate-config", ".pre-commit-config.yaml")):
        result = _run(*PRE_COMMIT, command, REPO / name, cwd=REPO, env=env)
        assert result.returncode == 0, result.stdout
    published = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    assert sorted(published) == ["trueup-drift", "trueup-render", "trueup-validate"]
    assert all(h["language"] == "python" for h in published.values())
    assert published["trueup-drift"]["stages"] == ["manual"]
    [local] = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text("utf-8"))["repos"]
    assert local["repo"] == "local"
    for hook in local["hooks"]:
        assert hook["language"] == "system"
        for key in ("name", "entry", "files", "pass_filenames", "always_run", "require_serial", "stages"):
            assert hook.get(key) == published[hook["id"]].get(key), (hook["id"], key)


def test_validate_hook_blocks_a_commit_with_a_bad_manifest_and_passes_a_good_one(hooks: Hooks, tmp_path: Path) -> None:
    repo = _consumer(tmp_path / "repo", hooks)
    assert _pre_commit(repo, hooks, "install").returncode == 0

    first = _commit(repo, hooks, "a small trueup repository")
    assert first.returncode == 0, first.stdout
    _only_status_lines(first.stdout)
    assert _status(first.stdout, "trueup validate") == "Passed"
    assert _status(first.stdout, "trueup render and validate") == "Passed"
    assert "trueup drift" not in first.stdout  # manual stage only

    _write(repo, "manifests/redis-deployment.yaml", DEPLOYMENT.replace("REPLICAS", '"three"'))
    blocked = _commit(repo, hooks, "three replicas")
    assert blocked.returncode == 1, blocked.stdout
    assert _status(blocked.stdout, "trueup validate") == "Failed"
    assert "- hook id: trueup-validate\n- exit code: 1" in blocked.stdout
    assert (f"manifests/redis-deployment.yaml:{REPLICAS_LINE}:3: high: expected integer, got string [schema] "
            "at /spec/replicas in Deployment/shop/redis") in blocked.stdout
    assert _status(blocked.stdout, "trueup render and validate") == "(no files to check)Skipped"
    assert _commits(repo, hooks) == 1

    _write(repo, "manifests/redis-deployment.yaml", DEPLOYMENT.replace("REPLICAS", "3"))
    fixed = _commit(repo, hooks, "three replicas")
    assert fixed.returncode == 0, fixed.stdout
    lines = _only_status_lines(fixed.stdout)
    assert len(lines) == 2 and _status(fixed.stdout, "trueup validate") == "Passed"
    assert _commits(repo, hooks) == 2


def test_validate_hook_resolves_a_named_files_references_in_the_rest_of_the_repository(hooks: Hooks,
                                                                                       tmp_path: Path) -> None:
    """pre-commit names only the staged files; the ConfigMap a changed Deployment uses is in a file
    committed before, read for the reference rule alone."""
    repo = _consumer(tmp_path / "repo", hooks)
    assert _pre_commit(repo, hooks, "install").returncode == 0
    _write(repo, "manifests/redis-config.yaml",
           "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: redis-config, namespace: shop}\ndata: {maxmemory: 1gb}\n")
    assert _commit(repo, hooks, "base").returncode == 0

    def using(name: str) -> str:
        image = '          image: "redis:7.4.1"\n'
        return DEPLOYMENT.replace("REPLICAS", "1").replace(image, image + f"          envFrom: [{{configMapRef: {{name: {name}}}}}]\n")

    _write(repo, "manifests/redis-deployment.yaml", using("redis-config"))
    resolved = _commit(repo, hooks, "use the config")
    assert resolved.returncode == 0, resolved.stdout
    _write(repo, "manifests/redis-deployment.yaml", using("redis-cfg"))
    blocked = _commit(repo, hooks, "a typo")
    assert blocked.returncode == 1, blocked.stdout
    assert re.search(r"^manifests/redis-deployment\.yaml:\d+:\d+: high: .*redis-cfg.*\[K8S-REFERENCE-EXISTS\]",
                     blocked.stdout, re.M), blocked.stdout
    assert "redis-config.yaml" not in blocked.stdout
    assert _commits(repo, hooks) == 2


def test_validate_hook_reads_dotenv_files_and_leaves_templates_to_the_render_hook(hooks: Hooks, tmp_path: Path) -> None:
    repo = _consumer(tmp_path / "repo", hooks)
    # pre-commit's file types give `.env` none: the hook's `files` pattern is what picks it up.
    _write(repo, ".env", "LOG_LEVEL=info\nDB_PASSWORD=hunter2\n")
    # A template is Jinja, not YAML, until rendered: the validate hook must not parse it as it stands.
    _write(repo, "templates/k8s/notes.yaml", "{% if true %}\nnote: {{ port }}\n{% endif %}\n")
    _git(repo, hooks.env, "add", "-A")
    blocked = _pre_commit(repo, hooks, "run", "--all-files")
    assert blocked.returncode == 1, blocked.stdout
    assert ".env:2:1: high: DB_PASSWORD holds a literal secret value [SECRET-PASSWORD-VALUE]" in blocked.stdout
    assert "hunter2" not in blocked.stdout
    assert "templates/" not in blocked.stdout
    assert _status(blocked.stdout, "trueup render and validate") == "Passed"

    _write(repo, ".env", "LOG_LEVEL=info\nDB_PASSWORD=\n")
    _git(repo, hooks.env, "add", "-A")
    clean = _pre_commit(repo, hooks, "run", "--all-files")
    assert clean.returncode == 0, clean.stdout
    _only_status_lines(clean.stdout)


# What real repositories hold beside plain manifests: each is read as its own tools read it.
FOREIGN = {
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    "charts/web/values.yaml": "replicas: 2\n",
    "charts/web/values.schema.json": '{"type": "object", "properties": {"replicas": {"type": "integer"}}}\n',
    "charts/web/templates/deployment.yaml": "metadata:\n  name: {{ .Release.Name }}\n  {{- include \"x\" . }}\n",
    "deploy/app-template.yaml": "replicas: {{ .Values.replicas }}\nname: {{ .Values.name }}\n  x: y\n",
    "web/tsconfig.json": '{\n  // compiler settings\n  "compilerOptions": {"strict": true,},\n}\n',
    "kustomize/base/kustomization.yaml": "resources: [../../manifests/redis-deployment.yaml]\n",
    "kustomize/prod/kustomization.yaml": "namespace: shop\nresources: [../base]\npatches:\n  - path: replicas.yaml\n",
    "kustomize/prod/replicas.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: redis}\nspec: {replicas: 3}\n",
    "crds/backup.yaml": (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: backups.ops.example.com}\n"
        "spec:\n  group: ops.example.com\n  scope: Namespaced\n  names: {kind: Backup, plural: backups}\n"
        "  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n"
        "        openAPIV3Schema:\n          type: object\n          properties:\n            spec:\n"
        "              type: object\n              properties: {schedule: {type: string}}\n"),
    "manifests/backup.yaml": "apiVersion: ops.example.com/v1\nkind: Backup\nmetadata: {name: b, namespace: shop}\n"
                             "spec: {schedule: '@daily'}\n",
}


def test_validate_hook_reads_a_real_repositorys_files_as_their_tools_do(hooks: Hooks, tmp_path: Path) -> None:
    """Helm templates, Go templates, JSONC, kustomize patches and custom resources: a clean commit
    passes silently; a typo in a kind, a bad value in a chart or custom resource blocks it."""
    # pre-commit names only the changed files: the CRDs are named in trueup.yaml, as the README says.
    config = CONSUMER["trueup.yaml"].rstrip(" ") + "          crds: [crds/]\n"
    repo = _consumer(tmp_path / "repo", hooks, {**CONSUMER, **FOREIGN, "trueup.yaml": config})
    assert _pre_commit(repo, hooks, "install").returncode == 0
    first = _commit(repo, hooks, "a repository of many kinds of files")
    assert first.returncode == 0, first.stdout
    _only_status_lines(first.stdout)

    _write(repo, "manifests/backup.yaml", FOREIGN["manifests/backup.yaml"].replace("'@daily'", "7"))
    _write(repo, "charts/web/values.yaml", "replicas: two\n")
    _write(repo, "manifests/typo.yaml", "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: x, namespace: shop}\n")
    blocked = _commit(repo, hooks, "three mistakes")
    assert blocked.returncode == 1, blocked.stdout
    assert "- hook id: trueup-validate\n- exit code: 1" in blocked.stdout
    for line in (
        "charts/web/values.yaml:1:1: high: expected integer, got string [schema] at /replicas (value \"two\")",
        "manifests/backup.yaml:4:8: high: expected string, got integer [schema] at /spec/schedule in Backup/shop/b (value 7)",
        "manifests/typo.yaml:2:1: high: unknown kind `Deploymnet` for apps/v1; did you mean `Deployment`? "
        "[schema.unknown-kind] at /kind in Deploymnet/shop/x",
    ):
        assert line in blocked.stdout, blocked.stdout
    assert "templates/deployment.yaml" not in blocked.stdout and "tsconfig" not in blocked.stdout
    assert _commits(repo, hooks) == 1


FIXTURE_REPOS = EXAMPLES / "repos"


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURE_REPOS.iterdir() if p.is_dir()))
def test_validate_hook_over_the_fixture_repositories(hooks: Hooks, tmp_path: Path, name: str) -> None:
    """The hook (pre-commit names every tracked file) finds what ``trueup validate .`` finds in each
    fixture repository of tests/cli/test_repositories.py, at the same lines, and passes the clean ones."""
    repo = tmp_path / name
    shutil.copytree(FIXTURE_REPOS / name, repo)
    if (repo / "gitignore").exists():
        (repo / "gitignore").rename(repo / ".gitignore")
    expected = yaml.safe_load((EXAMPLES / "repos-expected" / f"{name}.yaml").read_text("utf-8"))
    _git_init(repo, hooks.env)
    config = {"repos": [{"repo": str(hooks.path), "rev": hooks.rev, "hooks": [{"id": "trueup-validate"}]}]}
    (repo / ".pre-commit-config.yaml").write_text(json.dumps(config) + "\n", encoding="utf-8")
    _git(repo, hooks.env, "add", "-A")
    result = _pre_commit(repo, hooks, "run", "--all-files")
    for file, line, rule, severity, _path, _target in expected["findings"]:
        if severity != "info":  # --quiet: notes are not printed
            assert f"{file}:{line}:" in result.stdout and f"[{rule}]" in result.stdout, (file, line, rule, result.stdout)
    failing = any(f[3] in ("high", "critical") for f in expected["findings"])
    assert _status(result.stdout, "trueup validate") == ("Failed" if failing or name == "typos" else "Passed"), result.stdout
    if not failing and name != "typos":
        _only_status_lines(result.stdout)
    assert "input.parse" not in result.stdout or name in ("jsonc", "templates")


def test_render_hook_blocks_bad_rendered_values_and_broken_templates(hooks: Hooks, tmp_path: Path) -> None:
    repo = _consumer(tmp_path / "repo", hooks)
    assert _pre_commit(repo, hooks, "install").returncode == 0
    assert _commit(repo, hooks, "a small trueup repository").returncode == 0

    # A value that renders into a bad manifest: reported at the template line a person edits.
    _write(repo, "values/prod.yaml", "redis:\n  replicas: three\nport: 8080\n")
    blocked = _commit(repo, hooks, "three replicas")
    assert blocked.returncode == 1, blocked.stdout
    assert _status(blocked.stdout, "trueup validate") == "Passed"  # values/prod.yaml is fine YAML
    assert _status(blocked.stdout, "trueup render and validate") == "Failed"
    assert "- hook id: trueup-render\n- exit code: 1" in blocked.stdout
    assert (f"templates/k8s/redis-deployment.yaml.j2:{REPLICAS_LINE}:3: high: expected integer, got string "
            "[schema] at /spec/replicas in Deployment/shop/redis (prod)") in blocked.stdout

    # A template that does not render at all: the run could not be done (exit 2), still a blocked commit.
    _write(repo, "values/prod.yaml", "redis:\n  replicas: 3\nport: 8080\n")
    _write(repo, "templates/config/app.yaml.j2", "server:\n  port: {{ port }\n")
    broken = _commit(repo, hooks, "three replicas")
    assert broken.returncode == 1, broken.stdout
    assert "- hook id: trueup-render\n- exit code: 2" in broken.stdout
    assert "templates/config/app.yaml.j2" in broken.stdout
    assert _commits(repo, hooks) == 1

    _write(repo, "templates/config/app.yaml.j2", "server:\n  port: {{ port }}\n")
    fixed = _commit(repo, hooks, "three replicas")
    assert fixed.returncode == 0, fixed.stdout
    _only_status_lines(fixed.stdout)
    assert _status(fixed.stdout, "trueup render and validate") == "Passed"
    assert _commits(repo, hooks) == 2


def test_drift_hook_runs_only_when_asked_for(hooks: Hooks, tmp_path: Path) -> None:
    repo = _consumer(tmp_path / "repo", hooks)
    _write(repo, "live/prod/app.yaml", "server:\n  port: 9090\n")
    commit_stage = _pre_commit(repo, hooks, "run", "--all-files")
    assert commit_stage.returncode == 0, commit_stage.stdout
    assert "trueup drift" not in commit_stage.stdout

    drifted = _pre_commit(repo, hooks, "run", "--hook-stage", "manual", "trueup-drift")
    assert drifted.returncode == 1, drifted.stdout
    assert _status(drifted.stdout, "trueup drift") == "Failed"
    assert re.search(r"changed +/server/port .*live 9090, desired 8080", drifted.stdout), drifted.stdout

    _write(repo, "live/prod/app.yaml", "server:\n  port: 8080\n")
    true_again = _pre_commit(repo, hooks, "run", "--hook-stage", "manual", "trueup-drift")
    assert true_again.returncode == 0, true_again.stdout
    assert _only_status_lines(true_again.stdout) == [_status_line(true_again.stdout, "trueup drift")]
    assert _status(true_again.stdout, "trueup drift") == "Passed"


def test_this_repository_passes_its_own_hooks(hooks: Hooks) -> None:
    """.pre-commit-config.yaml (``repo: local``, the ``trueup`` on PATH) over a clone of this checkout."""
    assert shutil.which("trueup", path=hooks.env["PATH"]), "trueup is not installed beside the running Python"
    result = _pre_commit(hooks.path, hooks, "run", "--all-files")
    assert result.returncode == 0, result.stdout
    _only_status_lines(result.stdout)
    assert _status(result.stdout, "trueup validate") == "Passed"  # run, not "(no files to check)Skipped"
    assert _status(result.stdout, "trueup render and validate") == "Passed"


def test_a_repository_trueup_init_writes_passes_its_own_hooks(hooks: Hooks, tmp_path: Path) -> None:
    """init pins what exists (--repo, --rev): the first commit runs the real hooks from that pin."""
    repo = tmp_path / "fresh"
    made = _run(sys.executable, "-m", "trueup", "init", repo, "--repo", hooks.path, "--rev", hooks.rev,
                cwd=tmp_path, env=hooks.env)
    assert made.returncode == 0, made.stdout
    assert f"hooks get trueup from {hooks.path} at {hooks.rev}: as asked (--repo, --rev)" in made.stdout
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    assert (config["repos"][0]["repo"], config["repos"][0]["rev"]) == (str(hooks.path), hooks.rev)
    _git(repo, hooks.env, "init", "-q")
    _git(repo, hooks.env, "config", "user.name", "trueup tests")
    _git(repo, hooks.env, "config", "user.email", "tests@trueup.invalid")
    assert _pre_commit(repo, hooks, "install").returncode == 0
    first = _commit(repo, hooks, "trueup init")
    assert first.returncode == 0, first.stdout
    assert _status(first.stdout, "trueup validate") == "Passed"
    assert _status(first.stdout, "trueup render and validate") == "Passed"
