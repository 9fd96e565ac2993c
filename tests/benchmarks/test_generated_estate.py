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


def test_drift_benchmark_section(tmp_path: Path) -> None:
    bench = _load("drift_benchmark")
    section = bench.run(objects=40, runs=1)
    assert section.startswith(bench.BEGIN) and section.endswith(bench.END)
    assert "| `trueup drift --desired --live --format json` |" in section
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\nbefore\n\n{bench.BEGIN}\nold\n{bench.END}\n\nafter\n")
    bench.write(doc, section)
    text = doc.read_text()
    assert "old" not in text and "before" in text and "after" in text and section in text
