"""Every fast path gives the slow path's report, over the whole shared corpus (issue 18).

The fast paths: jsonschema-rs's quick yes (``TRUEUP_FAST_VALIDATION=0`` turns it off), the result
cache (cold: written; warm: read back, with positions found by a second composition), positions kept
from the first parse, worker processes, and libyaml (``TRUEUP_LIBYAML=0`` reads with PyYAML's
pure-Python parser). Each run's JSON report must equal the plain run's, finding for finding, line for
line, but the run's start time.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO

CORPUS = REPO.parent / "shared" / "corpus"

pytestmark = pytest.mark.skipif(not (CORPUS / "manifest.json").is_file(), reason="shared corpus not present")


def _report(text: str) -> dict[str, Any]:
    report = json.loads(text)
    report.pop("run")
    return report


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One process, no cache, every fast path but the cache on (the default but for the cache)."""
    result = _in_process(tmp_path_factory.mktemp("plain"), "--no-cache", "--jobs", "1")
    assert result["summary"]["files"] > 1500 and len(result["findings"]) > 5000
    return result


def _in_process(cwd: Path, *args: str) -> dict[str, Any]:
    import io

    from trueup.cli import main

    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        code = main(["validate", "--format", "json", *args, str(CORPUS)], stdout=out, stderr=err)
    finally:
        os.chdir(previous)
    assert code == 1 and err.getvalue() == "", err.getvalue()[-2000:]
    return _report(out.getvalue())


def test_the_cache_cold_and_warm_gives_the_same_report(plain: dict[str, Any], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from trueup.cache import ResultCache

    monkeypatch.setenv("TRUEUP_CACHE_DIR", str(tmp_path / "cache"))
    hits: list[bool] = []
    get = ResultCache.get

    def counted(self: ResultCache, key: str, source: Any) -> Any:
        found = get(self, key, source)
        hits.append(found is not None)
        return found

    monkeypatch.setattr(ResultCache, "get", counted)
    cold = _in_process(tmp_path, "--cache", "--jobs", "1")
    assert not any(hits)
    hits.clear()
    warm = _in_process(tmp_path, "--cache", "--jobs", "1")
    assert cold == plain
    assert warm == plain
    # Most files were read back from the cache (files holding a secret are never stored).
    assert sum(hits) > 0.7 * len(hits) and len(hits) > 1500


def test_the_detailed_validator_alone_gives_the_same_report(plain: dict[str, Any], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUEUP_FAST_VALIDATION", "0")
    assert _in_process(tmp_path, "--no-cache", "--jobs", "1") == plain


def test_worker_processes_give_the_same_report(plain: dict[str, Any], tmp_path: Path) -> None:
    assert _in_process(tmp_path, "--no-cache", "--jobs", "2") == plain


def _subprocess(root: Path, cwd: Path, **env: str) -> dict[str, Any]:
    run = subprocess.run([sys.executable, "-m", "trueup", "validate", "--no-cache", "--format", "json", str(root)],
                         cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, timeout=600)
    assert run.returncode == 1 and run.stderr == "", run.stderr[-2000:]
    return _report(run.stdout)


def _worded_alike(report: dict[str, Any]) -> dict[str, Any]:
    """The report with each parser's own wording of a syntax error left out (its file, line and
    column stay): libyaml says "did not find expected key" where PyYAML says "expected <block end>"."""
    for finding in report["findings"]:
        if finding["rule"] in ("input.parse", "input.template"):
            finding["message"] = finding["message"].split(":", 1)[0]
    return report


def test_the_pure_python_parser_gives_the_same_report_on_every_file_it_reads(plain: dict[str, Any],
                                                                             tmp_path: Path) -> None:
    """PyYAML's pure-Python scanner refuses a few files libyaml (and go-yaml, a port of it, which
    kubectl and compose read with) reads: a tab after a value, a block sequence indented under a
    sequence item. Those are refused with one parse error each; on a corpus without them, the two
    parsers' reports agree on every finding, line and column."""
    import shutil

    slow = _subprocess(CORPUS, tmp_path, TRUEUP_LIBYAML="0")
    refused = {f["file"] for f in slow["findings"] if f["rule"] == "input.parse"}
    fast_refused = {f["file"] for f in plain["findings"] if f["rule"] == "input.parse"}
    assert fast_refused <= refused
    only_libyaml = refused - fast_refused
    manifest = {f["path"]: f for f in json.loads((CORPUS / "manifest.json").read_text())["files"]}
    # Each is a file the corpus's own survey found yaml.safe_load_all (pure Python) refuses.
    assert all(manifest[name.split("corpus/", 1)[1]]["yaml_safe_load_all"] is False for name in only_libyaml)
    assert 0 < len(only_libyaml) < 40
    for name in only_libyaml:
        assert [f["rule"] for f in slow["findings"] if f["file"] == name] == ["input.parse"]

    # Without them (their objects are missing from the cross-file rules' view otherwise).
    copy = tmp_path / "corpus"
    skipped = {Path(name).resolve() for name in only_libyaml}
    shutil.copytree(CORPUS, copy, ignore=lambda folder, names: [
        n for n in names if (Path(folder) / n).resolve() in skipped])
    both = _worded_alike(_subprocess(copy, tmp_path, TRUEUP_LIBYAML="0"))
    assert both == _worded_alike(_subprocess(copy, tmp_path))
    assert both["summary"]["files"] == plain["summary"]["files"] - len(only_libyaml)
