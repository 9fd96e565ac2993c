"""``--jobs N``: the same report, byte for byte, whatever the number of worker processes;
bad input in a worker is still one finding or one line with exit 2."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES, REPO

CORPUS = REPO.parent / "shared" / "corpus"


def _tree(tmp_path: Path) -> Path:
    """Every example file (good, bad, duplicate keys, unparsable) plus, where present, the corpus."""
    root = tmp_path / "tree"
    shutil.copytree(EXAMPLES / "validate", root / "validate")
    shutil.copytree(EXAMPLES / "policy", root / "policy")
    shutil.copytree(EXAMPLES / "bad-input", root / "bad-input")
    if (CORPUS / "k8s").is_dir():
        shutil.copytree(CORPUS / "k8s" / "kubernetes-examples", root / "k8s")
        shutil.copytree(CORPUS / "compose" / "awesome-compose", root / "compose")
    return root


@pytest.mark.parametrize("fmt", ["json", "text", "sarif"])
def test_jobs_give_the_same_report(trueup, tmp_path: Path, fmt: str) -> None:
    root = _tree(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    one = trueup("validate", "--jobs", "1", "--format", fmt, root, cwd=empty)
    two = trueup("validate", "--jobs", "2", "--format", fmt, root, cwd=empty)
    three = trueup("validate", "-j", "3", "--format", fmt, root, cwd=empty)
    assert one.code == two.code == three.code
    assert one.code in (1, 2)
    assert one.out == two.out == three.out
    assert one.out.count("input.parse") >= 1 or fmt == "text"


def test_jobs_report_counts_match(trueup, tmp_path: Path) -> None:
    root = _tree(tmp_path)
    one = trueup("validate", "--jobs", "1", "--format", "json", root, cwd=tmp_path)
    two = trueup("validate", "--jobs", "2", "--format", "json", root, cwd=tmp_path)
    assert one.json()["summary"] == two.json()["summary"]
    assert one.json()["summary"]["files"] > 10


def test_jobs_must_be_a_number(trueup, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = trueup("validate", "--jobs", "many", tmp_path)
    err = result.err + capsys.readouterr().err
    assert result.code == 2
    assert "'many': expected a number of processes" in err and "Traceback" not in err


def test_the_console_script_writes_everything_before_it_ends(tmp_path: Path) -> None:
    """``trueup`` ends without freeing its objects one by one: every byte of stdout, of --output
    and of the cache is written first, and the exit code is the run's."""
    import json
    import subprocess
    import sys

    script = Path(sys.executable).with_name("trueup")
    root = _tree(tmp_path)
    env = {**__import__("os").environ, "TRUEUP_CACHE_DIR": str(tmp_path / "cache")}
    piped = subprocess.run([str(script), "validate", "--format", "json", str(root)], cwd=tmp_path,
                           capture_output=True, text=True, env=env)
    written = subprocess.run([str(script), "validate", "--format", "json", "--output", str(tmp_path / "r.json"),
                              str(root)], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert piped.returncode == written.returncode == 1  # the bad-input fixtures are malformed: findings
    assert json.loads(piped.stdout) == json.loads((tmp_path / "r.json").read_text())
    assert len(json.loads(piped.stdout)["findings"]) > 20
