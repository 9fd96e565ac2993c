"""trueup fix for what is missing live: a missing file is created inside its live root, never over
anything and never through a symlink out of it; a missing Kubernetes object is named, not guessed at."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from trueup.patch.create import NewFile, create_file

CONFIG = """\
version: 1
environments:
  prod: {}
targets:
  - {name: k8s, kind: kubernetes, desired: 'k8s/*.yaml', live: 'live/k8s', namespace: shop}
  - {name: conf, kind: config, desired: 'conf/**', live: 'live/conf'}
policy: {packs: []}
"""


@pytest.fixture
def repo(write, tmp_path: Path) -> Path:
    write("trueup.yaml", CONFIG)
    write("templates/k8s/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: '1'}\n")
    write("live/k8s/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\ndata: {x: '1'}\n")
    write("templates/conf/app.yaml", "port: 80\n")
    write("live/conf/app.yaml", "port: 80\n")
    write("templates/conf/extra/new.json", '{"x": 1}\n')
    write("templates/conf/db.yaml", "password: cr3ate-secret-pw\n")
    return tmp_path


def test_missing_files_are_shown_then_created(trueup, repo: Path) -> None:
    dry = trueup("fix", cwd=repo)
    assert dry.code == 0
    assert dry.lines == ["would create live/conf/db.yaml: secret values masked", "--- /dev/null",
                         "+++ b/live/conf/db.yaml", "@@ -0,0 +1 @@", "+password: ********",
                         "would create live/conf/extra/new.json:", "--- /dev/null", "+++ b/live/conf/extra/new.json",
                         "@@ -0,0 +1 @@", '+{"x": 1}', "dry run: 2 files would change; run with --apply to write them"]
    assert "cr3ate-secret-pw" not in dry.out + dry.err
    assert not (repo / "live/conf/db.yaml").exists()
    applied = trueup("fix", "--apply", cwd=repo)
    assert (applied.code, applied.lines) == (0, ["created live/conf/db.yaml", "created live/conf/extra/new.json"])
    assert (repo / "live/conf/extra/new.json").read_text() == '{"x": 1}\n'
    assert stat.S_IMODE((repo / "live/conf/db.yaml").stat().st_mode) == 0o600
    assert trueup("drift", cwd=repo).code == 0
    assert trueup("fix", "--apply", cwd=repo).out == ""


def test_a_missing_object_is_named_and_fails_the_fix(trueup, write, repo: Path) -> None:
    write("templates/k8s/new.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n")
    dry = trueup("fix", cwd=repo)
    assert "not fixed: Service/shop/web: missing live; apply its manifest (trueup drift --patches DIR writes it)" \
        in dry.lines
    assert dry.code == 0
    applied = trueup("fix", "--apply", cwd=repo)
    assert applied.code == 1
    assert "not fixed: Service/shop/web: missing live" in applied.out


def _new(root: Path, rel: str) -> NewFile:
    return NewFile(f"live/{rel}", root / rel, root, "a: 1\n", False)


def test_a_file_that_appeared_since_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text("mine: 1\n")
    result = create_file(_new(tmp_path, "app.yaml"))
    assert not result.ok and "appeared since trueup looked" in result.message
    assert (tmp_path / "app.yaml").read_text() == "mine: 1\n"


def test_a_dangling_symlink_is_not_followed(tmp_path: Path, tmp_path_factory) -> None:
    target = tmp_path_factory.mktemp("outside") / "planted.yaml"
    os.symlink(target, tmp_path / "app.yaml")
    result = create_file(_new(tmp_path, "app.yaml"))
    assert not result.ok
    assert not target.exists()


def test_a_directory_symlink_out_of_the_root_is_refused(tmp_path: Path, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    os.symlink(outside, tmp_path / "sub")
    result = create_file(_new(tmp_path, "sub/deeper/app.yaml"))
    assert not result.ok and "outside its live root" in result.message
    assert list(outside.iterdir()) == []
    assert list(tmp_path.glob("**/.*.trueup-tmp")) == []
