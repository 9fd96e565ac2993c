"""Regenerate docs/performance.md: trueup, the parse floor and the peers, measured in one run.

    python benchmarks/run.py [--runs 3] [--peer-runs 1] [--no-peers] [--out docs/performance.md] [--tiny]

Builds the corpora (benchmarks/corpus.py: the shared real-world corpus's parseable
Kubernetes and compose files, each copied three times) and a generated estate
(benchmarks/generate.py: 5,000 desired/live object pairs, 10% drift, seed 1), then
times whole processes: each figure is the median wall time of ``--runs`` runs after a
warm-up run, with the peak resident memory the operating system reports for the
process (``os.wait4``). The floor is PyYAML's C loader parsing the same files in a
fresh process. The peers (Checkov, kubernetes-validate, check-jsonschema) are
installed into their own virtual environment, benchmarks/.peers (reused when present).
Everything between ``<!-- notes:begin -->`` and ``<!-- notes:end -->`` in the
output page is kept as it is.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
from generate import generate  # noqa: E402
from measure import (  # noqa: E402
    Bench, PEER_PACKAGES, ensure_peers, machine, peer_bin, trueup_command, version_of,
)
from page import read_notes, render  # noqa: E402
from sections import (  # noqa: E402
    Data, check_section, compose_section, drift_section, k8s_section, linear_section, one_file_section, shard_section,
)
import patches  # noqa: E402


# ---------------------------------------------------------------------------- main


def run(args: argparse.Namespace) -> str:
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="trueup-bench-"))
    bench = Bench(work, args.runs, args.warmup, verbose=not args.quiet)
    try:
        (work / "empty").mkdir()
        peers = "skipped (--no-peers)" if args.no_peers else ensure_peers(bench)
        data = Data(machine(), args, peers)
        if peers is None:
            for p in PEER_PACKAGES:
                data.info[p] = version_of(peer_bin("python"), p)
        limit = 6 if args.tiny else None
        built = corpus.build(work / "corpus", args.source, copies=args.copies, limit=limit)
        bench.log(f"corpus: {len(built.files['k8s'])} k8s files, {len(built.files['compose'])} compose files")
        k8s_section(bench, data, built.dir("k8s"), len(built.files["k8s"]), len(built.sources["k8s"]))
        compose_section(bench, data, built.dir("compose"))
        shutil.rmtree(built.root)
        estate = work / "estate"
        drifted = generate(estate, args.objects, 0.1, seed=1, targets=args.targets, config=True)
        bench.log(f"estate: {args.objects} objects, {drifted} drifted")
        drift_section(bench, data, estate, drifted, args.objects)
        check_section(bench, data, estate)
        shutil.rmtree(estate)
        shard_section(bench, data, work)
        one_file_section(bench, data, args.source)
        linear_section(bench, data, args.source, 5 if args.tiny else None)
        data.patches = patches.measure(bench, trueup_command(), 1 if args.tiny else args.runs,
                                       20 if args.tiny else patches.CHANGES)
        data.seconds = time.perf_counter() - started
        page = render(data, read_notes(args.out))
    finally:
        if args.keep:
            bench.log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(page, encoding="utf-8")
    bench.log(f"wrote {args.out} in {(time.perf_counter() - started) / 60:.1f} minutes")
    return page


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "performance.md", help="the page to write")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per figure, after a warm-up (default 3)")
    parser.add_argument("--peer-runs", type=int, default=1,
                        help="runs of the slow Kubernetes peers (Checkov, kubernetes-validate), no warm-up (default 1)")
    parser.add_argument("--linear-runs", type=int, default=1,
                        help="runs of each linearity figure (1x, 4x, 16x), no warm-up (default 1)")
    parser.add_argument("--shard-runs", type=int, default=1, help="runs of each shard, no warm-up (default 1)")
    parser.add_argument("--shard-objects", type=int, default=10000,
                        help="objects of the one-target estate the shards split (default 10000)")
    parser.add_argument("--no-peers", action="store_true", help="skip the peers (no virtual environment)")
    parser.add_argument("--no-warmup", dest="warmup", action="store_false", help="no warm-up runs")
    parser.add_argument("--source", type=Path, default=corpus.DEFAULT_SOURCE, help="the shared corpus")
    parser.add_argument("--copies", type=int, default=3, help="copies of each corpus file (default 3)")
    parser.add_argument("--objects", type=int, default=5000, help="generated desired/live pairs (default 5000)")
    parser.add_argument("--targets", type=int, default=8, help="drift targets of the generated estate (default 8)")
    parser.add_argument("--tiny", action="store_true",
                        help="a smoke test: a handful of files, 1 run, no warm-up, no peers (not a measurement)")
    parser.add_argument("--peers", action="store_true", help="with --tiny: measure the peers too")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work directory")
    parser.add_argument("--quiet", action="store_true", help="no progress on standard error")
    args = parser.parse_args(argv)
    if args.tiny:
        args.runs, args.peer_runs, args.shard_runs, args.linear_runs, args.warmup = 1, 1, 1, 1, False
        args.no_peers = args.no_peers or not args.peers
        args.copies, args.objects, args.targets, args.shard_objects = 1, 40, 4, 40
    return args


def main(argv: list[str] | None = None) -> None:
    run(parse_args(argv))


if __name__ == "__main__":
    main()

