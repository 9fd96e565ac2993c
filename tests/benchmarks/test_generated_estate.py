"""The benchmark's generated estate: exactly the drifted objects are reported, nothing else."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from conftest import REPO


def _load(name: str) -> ModuleType:
    """A benchmark script by path (``benchmarks/`` is not a package, and ``drift`` names a test package)."""
    spec = importlib.util.spec_from_file_location(f"trueup_benchmarks_{name}", REPO / "benchmarks" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = _load("generate").generate


def test_generated_drift_is_found_exactly(trueup, tmp_path: Path) -> None:
    drifted = generate(tmp_path, objects=300, drift=0.2, seed=7)
    assert 30 < drifted < 100
    result = trueup("drift", "--desired", tmp_path / "desired", "--live", tmp_path / "live", "--format", "json")
    report = json.loads(result.out)
    assert result.code == 1
    assert report["summary"]["documents"] == 600
    assert len({f["target"] for f in report["findings"]}) == drifted
    assert len(report["findings"]) == drifted


def test_generated_estate_as_a_repository(trueup, tmp_path: Path) -> None:
    """With --targets and --config the same objects and drift, dealt into targets that `trueup drift` reads."""
    flat = generate(tmp_path / "flat", objects=60, drift=0.2, seed=3)
    drifted = generate(tmp_path / "repo", objects=60, drift=0.2, seed=3, targets=4, config=True)
    assert drifted == flat
    assert sorted(p.name for p in (tmp_path / "repo" / "desired").rglob("*.yaml")) == sorted(
        p.name for p in (tmp_path / "flat" / "desired").glob("*.yaml"))
    result = trueup("drift", "--format", "json", "--no-blame", cwd=tmp_path / "repo")
    assert result.code == (1 if drifted else 0)
    assert len(result.json()["findings"]) == drifted
