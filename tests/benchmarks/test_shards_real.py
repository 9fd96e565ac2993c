"""benchmarks/shards_real.py: shards over the shared corpus's real third-party files are the one run."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from shards_real import DEFAULT_CORPUS, build  # noqa: E402

pytestmark = pytest.mark.skipif(not (DEFAULT_CORPUS / "k8s").is_dir(), reason="the shared corpus is not beside the repository")


def _findings(report: dict) -> list[str]:
    return sorted(json.dumps(f, sort_keys=True) for f in report["findings"])


def test_the_estate_holds_the_corpus_and_real_drift(tmp_path: Path) -> None:
    counts = build(DEFAULT_CORPUS, tmp_path)
    assert counts["objects"] > 2000 and counts["compose files"] > 300 and counts["unreadable"] > 0
    exports = sorted((tmp_path / "live" / "exports").iterdir())
    assert len(exports) == -(-counts["objects"] // 50)
    assert 0.05 < counts["changed"] / (counts["objects"] + counts["compose files"]) < 0.2


def test_three_shards_of_real_files_merge_into_the_run(trueup, tmp_path: Path, valid_report) -> None:
    build(DEFAULT_CORPUS, tmp_path)
    args = ("drift", "--desired", "desired", "--live", "live", "--no-blame", "--format", "json")
    whole = trueup(*args, cwd=tmp_path).json()
    # Real files bring every kind of finding: changed, missing and extra objects, unreadable files.
    assert {"drift.changed", "drift.missing", "drift.extra", "input.parse", "input.duplicate-key"} <= set(
        whole["summary"]["by_rule"])
    names = []
    for i in range(1, 4):
        part = trueup(*args, "--shard", f"{i}/3", "--output", f"s{i}.json", cwd=tmp_path)
        assert part.code in (0, 1), part.err
        names.append(f"s{i}.json")
    merged = valid_report(trueup("report", "merge", *names, "--format", "json", cwd=tmp_path).out)
    assert _findings(merged) == _findings(whole)
    assert merged["summary"] == whole["summary"]
