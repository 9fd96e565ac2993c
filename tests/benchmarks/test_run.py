"""benchmarks/run.py in its --tiny mode writes the whole page; benchmarks/corpus.py is deterministic.

No timing is asserted: only that the page has its tables, that its ratios are computed
from its own figures, and that the notes section survives a regeneration.
"""
from __future__ import annotations

import hashlib
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from conftest import REPO

SOURCE = REPO.parent / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not (SOURCE / "manifest.json").is_file(), reason="shared corpus not present")


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"trueup_benchmarks_{name}", REPO / "benchmarks" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_corpus_is_deterministic(tmp_path: Path) -> None:
    corpus = _load("corpus")
    one = corpus.build(tmp_path / "one", SOURCE, copies=2, scale=2, limit=7)
    two = corpus.build(tmp_path / "two", SOURCE, copies=2, scale=2, limit=7)
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")
    assert two.sources == one.sources
    for kind in ("k8s", "compose"):
        assert len(one.files[kind]) == 7 * 4
        assert {p.relative_to(one.dir(kind)).parts[0] for p in one.files[kind]} == {f"copy{n}" for n in range(1, 5)}
        # each copy is the source file, byte for byte, under <source>/<file>
        for rel in one.sources[kind]:
            copy = one.dir(kind) / "copy3" / rel.split("/", 1)[1]
            assert copy.read_bytes() == (SOURCE / rel).read_bytes()
    parseable = set(corpus.parseable(SOURCE, "k8s"))
    assert set(one.sources["k8s"]) <= parseable
    assert not any(p.startswith("compose/") for p in parseable)


def _row(page: str, start: str) -> list[str]:
    line = next(line for line in page.splitlines() if line.startswith(f"| {start}"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def _seconds(cell: str) -> float:
    return float(cell.removesuffix(" s"))


def test_tiny_run_writes_the_page(tmp_path: Path) -> None:
    out = tmp_path / "performance.md"
    notes = "Checkov was slow *because* it was asked to be.\n\n| kept | verbatim |"
    out.write_text(f"# old page\n\n<!-- notes:begin -->\n{notes}\n<!-- notes:end -->\n\nold figures\n")
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--tiny", "--quiet", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    page = out.read_text()
    assert f"<!-- notes:begin -->\n{notes}\n<!-- notes:end -->" in page
    assert "old figures" not in page and "# old page" not in page
    for heading in ("## Targets", "## Kubernetes corpus", "## Compose corpus", "## Drift", "## trueup check",
                    "## One file, as pre-commit runs it", "## Linearity", "## Remediation patches", "## Shards",
                    "## Method"):
        assert heading in page
    assert "| target | measured | goal | verdict |" in page
    assert "not measured (--no-peers)" in page

    # ratios are computed from the page's own figures (to the rounding of the seconds shown)
    floor = _row(page, "floor: PyYAML C loader parses every file")
    validate = _row(page, "`trueup validate --format json --output F DIR`")
    ratio, cpu_ratio = (float(cell.removesuffix("x")) for cell in validate[4:6])
    assert abs(ratio - _seconds(validate[1]) / _seconds(floor[1])) <= 0.01 * ratio + 0.06 / _seconds(floor[1])
    assert abs(cpu_ratio - _seconds(validate[2]) / _seconds(floor[2])) <= 0.01 * cpu_ratio + 0.06 / _seconds(floor[2])
    target = _row(page, "Kubernetes corpus: `trueup validate` CPU vs the PyYAML floor's CPU")
    assert abs(float(target[1].removesuffix("x")) - cpu_ratio) <= 0.01 * cpu_ratio + 0.01
    assert re.search(r"\*\*(met|missed)\*\*", target[3])
    for what in ("One compose file as pre-commit runs it (a changed file): wall time", "Drift memory held per object",
                 "Validate memory held per file", "Linear in files: CPU per file at 64x vs at 16x"):
        assert re.search(r"\*\*(met|missed)\*\*", _row(page, what)[3]), what

    # drift found exactly what the generator drifted; shards merge to the unsharded findings
    assert "this equals the" in page
    shard_rows = [line for line in page.splitlines() if re.match(r"\| [1248] \| [\d.]+ s \| [\d.]+ s \| \d+ MiB \|", line)]
    assert len(shard_rows) == 4 and all(line.rstrip().endswith("| yes |") for line in shard_rows)
    assert "**A 500,000-object estate**" in page and "| runners (shards) | time per shard | peak per shard |" in page
    linearity = page.split("## Linearity")[1].split("\n## ")[0]
    assert len([line for line in linearity.splitlines() if re.match(r"\| (1|4|16|64)x \|", line)]) == 4
    # --patches over 20, 80 and 320 changes in one object: each run wrote its three files
    patch_rows = [_row(page, f"{s}x | {n} |") for s, n in ((1, 20), (4, 80), (16, 320))]
    assert [row[-1] for row in patch_rows] == ["3", "3", "3"]
    assert "`--patches` linear in changes" in page


def test_the_estate_estimate_splits_what_shards_share_from_what_they_divide() -> None:
    extrapolate = _load("sections").extrapolate

    shards = [{"n": 1, "times": [10.0], "peaks": [1000.0]}, {"n": 8, "times": [6.0] * 8, "peaks": [300.0] * 8}]
    rows = dict((n, (t, m)) for n, t, m in extrapolate(shards, 1000, 2000))
    assert rows[1] == pytest.approx((20.0, 2000.0))  # twice the objects, one shard: twice the cost
    assert rows[8] == pytest.approx((12.0, 600.0))  # eight shards: the measured 8-shard row, doubled
    base = dict((n, (t, m)) for n, t, m in extrapolate(shards, 1000, 2000, baseline=(1.0, 100.0)))
    assert base[1] == pytest.approx((19.0, 1900.0))  # a process's own cost is paid once, not per object
