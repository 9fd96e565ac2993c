"""trueup fix: a dry run by default; --apply writes atomically, keeps backups and modes, refuses
files that changed since they were read or that leave their live root."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from trueup.patch.changes import changes_of
from trueup.config import load_config
from trueup.drift import Context, drift
from trueup.patch import plan_file_edits
from trueup.patch.apply import apply_edit
from trueup.targets import load_tree

CONFIG = """\
version: 1
environments:
  prod:
    values: [values.yaml]
targets:
  - {name: app, kind: config, desired: "app.yaml", live: "live/app.yaml"}
  - {name: db, kind: config, desired: "db.yaml", live: "live/db.yaml"}
policy: {packs: []}
"""


@pytest.fixture
def repo(write, tmp_path: Path) -> Path:
    write("trueup.yaml", CONFIG)
    write("values.yaml", "port: 8080\nlevel: info\ndb_password: n3w-pa55\n")
    write("templates/app.yaml.j2", "# app\nport: {{ port }}\nlog:\n  level: {{ level }}  # keep me\n")
    write("templates/db.yaml.j2", "host: db\npassword: {{ db_password }}\n")
    write("live/app.yaml", "# app\nport: 9090\nlog:\n  level: debug  # keep me\n")
    write("live/db.yaml", "host: db\npassword: old-pa55\n")
    os.chmod(tmp_path / "live/app.yaml", 0o640)
    return tmp_path


def test_dry_run_shows_and_writes_nothing(trueup, repo: Path) -> None:
    before = (repo / "live/app.yaml").read_bytes()
    result = trueup("fix", cwd=repo)
    assert result.code == 0
    assert "would fix live/app.yaml (2 values):\n--- a/live/app.yaml\n+++ b/live/app.yaml\n" in result.out
    assert "-port: 9090\n+port: 8080\n" in result.out
    # A file holding a secret shows its diff with the secret values masked, never hidden wholesale.
    assert "would fix live/db.yaml (1 value): secret values masked\n" in result.out
    assert "-password: ********\n+password: ********\n" in result.out
    assert "n3w-pa55" not in result.out and "old-pa55" not in result.out
    assert result.out.endswith("dry run: 2 files would change; run with --apply to write them\n")
    assert (repo / "live/app.yaml").read_bytes() == before


def test_apply_fixes_keeps_backup_mode_and_comments_and_is_idempotent(trueup, repo: Path) -> None:
    original = (repo / "live/app.yaml").read_bytes()
    result = trueup("fix", "--apply", cwd=repo)
    assert result.code == 0, result.out
    assert result.lines[0].startswith("fixed live/app.yaml: backup app.yaml.") and result.lines[0].endswith(".trueup-bak")
    assert (repo / "live/app.yaml").read_text() == "# app\nport: 8080\nlog:\n  level: info  # keep me\n"
    assert stat.S_IMODE((repo / "live/app.yaml").stat().st_mode) == 0o640
    [backup] = (repo / "live").glob("app.yaml.*.trueup-bak")
    assert backup.read_bytes() == original
    assert trueup("drift", cwd=repo).code == 0
    again = trueup("fix", "--apply", cwd=repo)
    assert (again.code, again.out) == (0, "")


def _plan(repo: Path):
    """The edits fix would make, planned in process (so a test can act between planning and writing)."""
    config = load_config(repo / "trueup.yaml")
    (repo / "desired").mkdir()
    (repo / "desired/app.yaml").write_text("# app\nport: 8080\nlog:\n  level: info\n")
    (repo / "desired/db.yaml").write_text("host: db\npassword: n3w-pa55\n")
    desired = load_tree(repo / "desired", "desired", config)
    live = load_tree(repo / "live", "live", config)
    changes: list = []
    list(drift(desired.live, live.live, Context(changes=changes)))
    edits, _ = plan_file_edits(changes_of(changes))
    return {e.name: e for e in edits}


def test_a_file_changed_since_it_was_read_is_refused(repo: Path, write) -> None:
    edits = _plan(repo)
    write("live/app.yaml", "# app\nport: 7070\nlog:\n  level: debug  # keep me\n")
    result = apply_edit(edits["live/app.yaml"])
    assert not result.ok and "changed since trueup read it" in result.message
    assert (repo / "live/app.yaml").read_text().startswith("# app\nport: 7070")
    assert not list((repo / "live").glob("*.trueup-bak"))


def test_a_path_that_leaves_the_live_root_is_refused(repo: Path, tmp_path_factory) -> None:
    edits = _plan(repo)
    outside = tmp_path_factory.mktemp("outside") / "app.yaml"
    shutil.copy(repo / "live/app.yaml", outside)
    (repo / "live/app.yaml").unlink()
    os.symlink(outside, repo / "live/app.yaml")
    result = apply_edit(edits["live/app.yaml"])
    assert not result.ok and "outside its live root" in result.message
    assert outside.read_text().startswith("# app\nport: 9090")


def test_a_plain_path_outside_the_live_root_is_refused(repo: Path) -> None:
    edit = _plan(repo)["live/app.yaml"]
    elsewhere = dataclasses.replace(edit, source=dataclasses.replace(edit.source, root=str(repo / "templates")))
    result = apply_edit(elsewhere)
    assert not result.ok and "outside its live root" in result.message
    assert (repo / "live/app.yaml").read_text().startswith("# app\nport: 9090")


def test_a_directory_symlink_that_leaves_the_live_root_is_refused(trueup, repo: Path, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("elsewhere")
    (outside / "app.yaml").write_text("# app\nport: 9090\nlog:\n  level: debug  # keep me\n")
    (repo / "live/app.yaml").unlink()
    os.symlink(outside / "app.yaml", repo / "live/app.yaml")
    result = trueup("fix", "--apply", cwd=repo)
    assert result.code == 1
    assert "refused live/app.yaml: resolves outside its live root" in result.out
    assert (outside / "app.yaml").read_text().startswith("# app\nport: 9090")
    assert not list(outside.glob("*.trueup-bak"))


def test_refusals_make_fix_exit_non_zero(trueup, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import trueup.patch.apply as apply_module

    real = apply_module.apply_edit

    def racing(edit):
        Path(edit.source.path).write_text(Path(edit.source.path).read_text() + "# edited by someone else\n")
        return real(edit)

    monkeypatch.setattr(apply_module, "apply_edit", racing)
    result = trueup("fix", "--apply", cwd=repo)
    assert result.code == 1
    assert "refused live/app.yaml: changed since trueup read it" in result.out


def test_fix_is_audited_with_hashes(trueup, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    trueup("fix", "--apply", cwd=repo)
    [record] = [json.loads(l) for l in (repo / ".trueup/audit.jsonl").read_text().splitlines()]
    assert record["command"] == "fix"
    assert sorted(c["file"] for c in record["changes"]) == ["live/app.yaml", "live/db.yaml"]
    assert all(len(c["sha256_before"]) == 64 and c["sha256_before"] != c["sha256_after"] for c in record["changes"])
    assert "n3w-pa55" not in (repo / ".trueup/audit.jsonl").read_text()


def test_a_secret_in_the_diffs_context_lines_is_never_shown(trueup, write, tmp_path: Path) -> None:
    """Only `port` drifted, but the line next to it holds a password: the diff would show it."""
    write("trueup.yaml", "version: 1\nenvironments:\n  prod: {}\ntargets:\n  - {name: app, kind: config, desired: app.yaml, live: live/app.yaml}\npolicy: {packs: []}\n")
    write("templates/app.yaml", "port: 8080\npassword: ctx-hunter2-secret\n")
    write("live/app.yaml", "port: 9090\npassword: ctx-hunter2-secret\n")
    dry = trueup("fix", cwd=tmp_path)
    assert "would fix live/app.yaml (1 value): secret values masked\n" in dry.out
    assert "-port: 9090\n+port: 8080\n password: ********\n" in dry.out
    assert "ctx-hunter2-secret" not in dry.out + dry.err
    trueup("drift", "--patches", "out", cwd=tmp_path)
    patch = tmp_path / "out/live/app.yaml.patch"
    assert "ctx-hunter2-secret" in patch.read_text()
    assert stat.S_IMODE(patch.stat().st_mode) == 0o600


def test_prune_removes_live_only_objects_and_files_only_when_asked(trueup, write, tmp_path: Path) -> None:
    write("trueup.yaml", "version: 1\nenvironments:\n  prod: {}\ntargets:\n"
          "  - {name: k8s, kind: kubernetes, desired: 'k8s/*.yaml', live: 'live/k8s', namespace: shop}\n"
          "  - {name: conf, kind: config, desired: 'conf/*.yaml', live: 'live/conf'}\npolicy: {packs: []}\n")
    write("templates/k8s/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: '1'}\n")
    write("templates/conf/app.yaml", "port: 80\n")
    write("live/conf/app.yaml", "port: 80\n")
    write("live/conf/old.yaml", "# gone from git\nlevel: debug\n")
    stream = ("# objects\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\ndata: {x: '1'}\n"
              "---\n# left over\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: stale, namespace: shop}\n")
    write("live/k8s/all.yaml", stream)
    without = trueup("fix", "--apply", cwd=tmp_path)
    assert (without.code, without.out) == (0, "")
    assert (tmp_path / "live/conf/old.yaml").exists() and (tmp_path / "live/k8s/all.yaml").read_text() == stream
    result = trueup("fix", "--apply", "--prune", cwd=tmp_path)
    assert result.code == 0, result.out
    assert [line.split(":")[0] for line in result.lines] == ["removed live/conf/old.yaml", "fixed live/k8s/all.yaml"]
    assert not (tmp_path / "live/conf/old.yaml").exists()
    assert len(list((tmp_path / "live/conf").glob("old.yaml.*.trueup-bak"))) == 1
    assert (tmp_path / "live/k8s/all.yaml").read_text() == stream.split("---\n")[0]
    again = trueup("drift", "--format", "json", cwd=tmp_path)
    assert (again.code, again.json()["findings"]) == (0, [])


DOTENV_CONFIG = ("version: 1\nenvironments:\n  prod: {}\ntargets:\n"
                 "  - {name: conf, kind: config, desired: 'conf/*', live: 'live/conf'}\npolicy: {packs: []}\n")


def test_backups_are_never_read_as_live_files_nor_overwritten(trueup, write, tmp_path: Path) -> None:
    """A backup of ``.env`` named ``.env.<time>.trueup-bak`` is itself a dotenv file by name: drift
    would report it, and ``fix --prune`` would delete the only copy of the original."""
    write("trueup.yaml", DOTENV_CONFIG)
    write("templates/conf/.env", "LEVEL=info\n")
    write("templates/conf/.env.local", "DEBUG=0\n")
    write("live/conf/.env", "LEVEL=debug\n")
    write("live/conf/.env.local", "DEBUG=1\n")
    assert trueup("fix", "--apply", cwd=tmp_path).code == 0
    write("live/conf/.env", "LEVEL=trace\n")  # drifts again within the same second
    assert trueup("fix", "--apply", cwd=tmp_path).code == 0
    backups = sorted(p.name for p in (tmp_path / "live/conf").iterdir() if p.name.endswith(".trueup-bak"))
    assert len(backups) == 3
    assert sorted((tmp_path / "live/conf" / b).read_text() for b in backups) == ["DEBUG=1\n", "LEVEL=debug\n",
                                                                                  "LEVEL=trace\n"]
    after = trueup("drift", "--format", "json", cwd=tmp_path)
    assert (after.code, after.json()["findings"]) == (0, [])
    assert trueup("fix", "--apply", "--prune", cwd=tmp_path).out == ""
    assert len(list((tmp_path / "live/conf").glob("*.trueup-bak"))) == 3
