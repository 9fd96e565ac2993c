"""Golden patches, one case per format: the diff trueup writes is exactly the one kept beside the case,
``git apply`` takes it, and afterwards trueup finds no drift there (extras aside, without --prune).

Each case under example-files/patches/ has ``desired/``, ``live/``, an optional ``args`` file
(one argument per line), an optional ``trueup.yaml`` (then its targets are drifted instead of
the two trees) and ``expected.patch`` (every patch written, in path order).
Regenerate with TRUEUP_UPDATE_GOLDEN=1 after checking the new output by eye.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES

CASES = sorted(p.name for p in (EXAMPLES / "patches").iterdir() if p.is_dir())


def _run_case(trueup, case: Path, work: Path) -> tuple[str, list[str], list[str]]:
    for name in ("desired", "live"):
        shutil.copytree(case / name, work / name)
    args = (case / "args").read_text().split() if (case / "args").exists() else []
    if (case / "trueup.yaml").exists():
        shutil.copy(case / "trueup.yaml", work)
    else:
        args = ["--desired", "desired", "--live", "live", *args]
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    result = trueup("drift", "--patches", "out", *args, cwd=work)
    assert result.code == 1, result.err
    assert "no file diff" not in result.err, result.err
    patches = sorted(p for p in (work / "out").rglob("*.patch"))
    text = "".join(p.read_text() for p in patches)
    return text, [str(p.relative_to(work)) for p in patches], args


@pytest.mark.parametrize("name", CASES)
def test_patch_is_golden_and_applies(trueup, tmp_path: Path, name: str) -> None:
    case = EXAMPLES / "patches" / name
    text, patches, args = _run_case(trueup, case, tmp_path)
    golden = case / "expected.patch"
    if os.environ.get("TRUEUP_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()
    subprocess.run(["git", "apply", *patches], cwd=tmp_path, check=True)
    trees = [] if (case / "trueup.yaml").exists() else ["--desired", "desired", "--live", "live"]
    after = trueup("drift", *trees, "--format", "json", cwd=tmp_path)
    left = [f for f in after.json()["findings"] if f["rule"] != "drift.extra" or "--prune" in args]
    assert left == []
