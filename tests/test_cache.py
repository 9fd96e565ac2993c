"""The result cache: a cached run reports exactly what an uncached one does, and no old entry
is read once the file, trueup.yaml, a rule or a schema changes."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import EXAMPLES, REPO

CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("TRUEUP_CACHE_DIR", str(directory))
    monkeypatch.delenv("CI", raising=False)  # on by default, but where CI is set
    return directory


def _entries(cache_dir: Path) -> list[tuple[str, bytes]]:
    database = cache_dir / "results.sqlite"
    if not database.exists():
        return []
    with sqlite3.connect(database) as db:
        return sorted(db.execute("SELECT key, value FROM results").fetchall())


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    for name in ("validate", "policy", "bad-input", "load"):
        shutil.copytree(EXAMPLES / name, root / name)
    if (CORPUS / "k8s").is_dir():
        shutil.copytree(CORPUS / "k8s" / "kube-prometheus", root / "k8s")
        shutil.copytree(CORPUS / "compose" / "awesome-compose", root / "compose")
        shutil.copytree(CORPUS / "config", root / "config")
    return root


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_cached_and_uncached_runs_give_identical_reports(trueup, tmp_path: Path, cache_dir: Path, fmt: str) -> None:
    root = _tree(tmp_path)
    uncached = trueup("validate", "--no-cache", "--format", fmt, root, cwd=tmp_path)
    assert _entries(cache_dir) == []
    first = trueup("validate", "--format", fmt, root, cwd=tmp_path)
    stored = _entries(cache_dir)
    assert len(stored) > (200 if (CORPUS / "k8s").is_dir() else 10)
    second = trueup("validate", "--format", fmt, root, cwd=tmp_path)
    assert _entries(cache_dir) == stored
    assert uncached.code == first.code == second.code
    assert uncached.out == first.out == second.out
    assert uncached.err == first.err == second.err


def test_a_changed_file_is_checked_again(trueup, write, tmp_path: Path, cache_dir: Path) -> None:
    path = write("app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\ndata: {k: v}\n")
    assert trueup("validate", "--format", "json", path, cwd=tmp_path).json()["findings"] == []
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\ndata: {k: 5}\n")
    findings = trueup("validate", "--format", "json", path, cwd=tmp_path).json()["findings"]
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [("schema", "/data/k", 4)]


def test_a_changed_config_or_schema_reads_no_old_entry(trueup, write, tmp_path: Path, cache_dir: Path) -> None:
    write("schemas/app.schema.json", '{"type": "object", "properties": {"port": {"type": "integer"}}}')
    write("trueup.yaml", "version: 1\nschemas:\n  - {files: ['config/*.yaml'], schema: schemas/app.schema.json}\n")
    config = write("config/app.yaml", "port: '8080'\n")
    first = trueup("validate", "--format", "json", config, cwd=tmp_path).json()["findings"]
    assert [f["rule"] for f in first] == ["schema"]
    write("schemas/app.schema.json", '{"type": "object", "properties": {"port": {"type": "string"}}}')
    assert trueup("validate", "--format", "json", config, cwd=tmp_path).json()["findings"] == []
    write("trueup.yaml", "version: 1\n")
    assert trueup("validate", "--format", "json", config, cwd=tmp_path).json()["findings"] == []
    write("trueup.yaml", "version: 1\nschemas:\n  - {files: ['config/*.yaml'], schema: schemas/app.schema.json}\n"
          "policy: {disable: [SECRET-PASSWORD-VALUE]}\n")
    write("config/app.yaml", "port: '8080'\npassword: hunter2\n")
    assert trueup("validate", "--format", "json", config, cwd=tmp_path).json()["findings"] == []
    write("trueup.yaml", "version: 1\nschemas:\n  - {files: ['config/*.yaml'], schema: schemas/app.schema.json}\n")
    result = trueup("validate", "--format", "json", config, cwd=tmp_path)
    assert [f["rule"] for f in result.json()["findings"]] == ["SECRET-PASSWORD-VALUE"]
    assert "hunter2" not in result.out


def test_a_damaged_entry_or_cache_is_checked_again(trueup, write, tmp_path: Path, cache_dir: Path) -> None:
    path = write("compose.yaml", "services:\n  web: {image: 'nginx:latest'}\n")
    first = trueup("validate", "--format", "json", path, cwd=tmp_path)
    with sqlite3.connect(cache_dir / "results.sqlite") as db:
        db.execute("UPDATE results SET value = x'00ff'")
    second = trueup("validate", "--format", "json", path, cwd=tmp_path)
    (cache_dir / "results.sqlite").write_bytes(b"not a database at all" * 100)
    for name in ("results.sqlite-wal", "results.sqlite-shm"):
        (cache_dir / name).unlink(missing_ok=True)
    third = trueup("validate", "--format", "json", path, cwd=tmp_path)
    assert first.out == second.out == third.out
    assert first.code == second.code == third.code == 1
    assert "COMPOSE-IMAGE-TAG" in third.out


def test_off_where_ci_is_set_unless_asked_for(trueup, write, tmp_path: Path, cache_dir: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = write("app.yaml", "a: 1\n")
    monkeypatch.setenv("CI", "true")
    trueup("validate", path, cwd=tmp_path)
    assert _entries(cache_dir) == []
    trueup("validate", "--cache", path, cwd=tmp_path)
    assert len(_entries(cache_dir)) == 1


def test_no_secret_value_is_copied_into_the_cache(trueup, write, tmp_path: Path, cache_dir: Path) -> None:
    secret = write("config.yaml", "db:\n  password: hunter2-secret\n")
    plain = write("other.yaml", "db:\n  host: example\n")
    trueup("validate", "--format", "json", secret, plain, cwd=tmp_path)
    entries = _entries(cache_dir)
    assert len(entries) == 1
    assert all(b"hunter2-secret" not in value for _, value in entries)


def test_old_entries_are_looked_for_at_most_once_a_day(tmp_path: Path) -> None:
    import os
    import time

    from trueup.cache import PRUNE_HOURS, ResultCache

    cache = ResultCache(tmp_path, "now")
    marker = tmp_path / "results.pruned"
    assert marker.exists()
    with sqlite3.connect(tmp_path / "results.sqlite") as db:
        db.execute("INSERT INTO results VALUES ('old', 'then', ?, x'00')", (time.time() - 30 * 86400,))
    ResultCache(tmp_path, "now")  # looked over less than a day ago: left for later
    assert _entries(tmp_path) == [("old", b"\x00")]
    stale = time.time() - (PRUNE_HOURS + 1) * 3600
    os.utime(marker, (stale, stale))
    ResultCache(tmp_path, "now")
    assert _entries(tmp_path) == [] and marker.stat().st_mtime > stale
    assert cache.fingerprint == "now"


def test_a_clean_one_file_run_never_imports_python_jsonschema(write, tmp_path: Path) -> None:
    """A valid document is vouched for by jsonschema-rs: python-jsonschema (and referencing) are
    imported only to explain an invalid one; no entry-point scan imports importlib.metadata."""
    import subprocess
    import sys

    pytest.importorskip("jsonschema_rs")
    path = write("docker-compose.yml", "services:\n  web:\n    image: nginx:1.27.3\n    read_only: true\n")
    code = ("import sys\nfrom trueup.cli import main\ncode = main(['validate', '--no-cache', sys.argv[1]])\n"
            "print(code, sorted(m for m in ('jsonschema', 'referencing', 'importlib.metadata') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.stdout.strip().splitlines()[-1] == "0 []", proc.stdout + proc.stderr
    bad = write("bad/docker-compose.yml", "services:\n  web:\n    image: 5\n    ports: {}\n")
    proc = subprocess.run([sys.executable, "-c", code, str(bad)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.stdout.strip().splitlines()[-1] == "1 ['jsonschema', 'referencing']", proc.stdout + proc.stderr
