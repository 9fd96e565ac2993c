"""What benchmarks/run.py measures, section by section: the corpora, drift, check, one file,
linearity and shards, each filling its part of ``Data``."""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402
from measure import (  # noqa: E402
    Bench, ONE_COMPOSE, ONE_DEPLOYMENT, SCALES, SHARDS, crash_note, files_under, findings_of, floor_command, node_bin,
    rust_floor_command,
    peer_bin, plural, sorted_findings, trueup_command, validate_has,
)
import corpus  # noqa: E402


# ---------------------------------------------------------------------------- sections


@dataclass
class Data:
    info: dict[str, str]
    args: argparse.Namespace
    peers: str | None  # None: measured; else why not
    k8s: dict[str, Any] = field(default_factory=dict)
    compose: dict[str, Any] = field(default_factory=dict)
    drift: dict[str, Any] = field(default_factory=dict)
    check: dict[str, Any] = field(default_factory=dict)
    one: dict[str, Any] = field(default_factory=dict)
    linear: list[dict[str, Any]] = field(default_factory=list)
    shards: list[dict[str, Any]] = field(default_factory=list)
    shard_objects: int = 0
    patches: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


def k8s_section(bench: Bench, data: Data, root: Path, files: int, documents: int) -> None:
    empty = bench.work / "empty"
    rows = data.k8s["rows"] = []
    data.k8s.update(files=files, sources=documents)
    floor = bench.measure("k8s floor", floor_command(root))
    rows.append(floor)
    rows.append(bench.measure("k8s trueup validate", [*trueup_command(), "validate", "--format", "json", "--output",
                                                      str(bench.work / "k8s.json"), str(root)], cwd=empty))
    data.k8s["trueup"] = rows[-1]
    report = json.loads((bench.work / "k8s.json").read_text(encoding="utf-8"))
    data.k8s["findings"] = len(report["findings"])
    data.k8s["documents"] = report.get("summary", {}).get("documents")
    if validate_has("--no-cache"):
        result = bench.measure("k8s trueup validate (warm cache)",
                               [*trueup_command(), "validate", "--format", "json", "--output",
                                str(bench.work / "k8s-warm.json"), str(root)], cwd=empty, warm_cache=True, runs=1)
        same = sorted_findings(bench.work / "k8s-warm.json") == sorted_findings(bench.work / "k8s.json")
        result.note = "same findings as the cold run" if same else "**findings differ from the cold run**"
        rows.append(result)
    if validate_has("--no-cache"):
        result = bench.measure("k8s trueup validate --no-cache",
                               [*trueup_command(), "validate", "--no-cache", "--format", "json", "--output",
                                str(bench.work / "k8s-nocache.json"), str(root)], cwd=empty, warmup=False, runs=1)
        same = sorted_findings(bench.work / "k8s-nocache.json") == sorted_findings(bench.work / "k8s.json")
        result.note = "same findings as the default run" if same else "**findings differ from the default run**"
        rows.append(result)
    if validate_has("--jobs"):
        for jobs in ("1", "2"):
            result = bench.measure(f"k8s trueup validate --jobs {jobs}",
                                   [*trueup_command(), "validate", "--jobs", jobs, "--format", "json", "--output",
                                    str(bench.work / f"k8s-j{jobs}.json"), str(root)], cwd=empty, warmup=False,
                                   runs=1)
            same = sorted_findings(bench.work / f"k8s-j{jobs}.json") == sorted_findings(bench.work / "k8s.json")
            result.note = "same findings as the default run" if same else "**findings differ from the default run**"
            rows.append(result)
            data.k8s[f"jobs{jobs}"] = result
    if data.peers is None:
        rel = [str(p.relative_to(root)) for p in files_under(root)]
        kv = bench.measure("k8s kubernetes-validate", [str(peer_bin("kubernetes-validate")), *rel], cwd=root,
                           runs=data.args.peer_runs, warmup=False, stdout=bench.work / "kv.out")
        kv.note = crash_note(kv, rel)
        rows.append(kv)
        data.k8s["kv"] = kv
        ck = bench.measure("k8s checkov", [str(peer_bin("checkov")), "-d", str(root), "--framework", "kubernetes",
                                           "--quiet", "--compact", "-o", "json", "--skip-download"],
                           cwd=empty, runs=data.args.peer_runs, warmup=False, stdout=bench.work / "checkov.json")
        ck.note = crash_note(ck) or checkov_summary(bench.work / "checkov.json")
        rows.append(ck)
        data.k8s["checkov"] = ck
        yl = bench.measure("k8s yamllint", [str(peer_bin("yamllint")), "-f", "parsable", str(root)], cwd=empty,
                           runs=data.args.peer_runs, warmup=False, stdout=bench.work / "yamllint-k8s.out")
        yl.note = crash_note(yl) or _lines(bench.work / "yamllint-k8s.out", "problem")
        rows.append(yl)
        data.k8s["yamllint"] = yl
        rows.insert(1, bench.measure("k8s rust floor", rust_floor_command(root)))
        data.k8s["rust"] = rows[1]


def _lines(path: Path, word: str) -> str:
    """How many lines a peer wrote (each one finding), as a note."""
    try:
        count = sum(1 for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip())
    except OSError:
        return ""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def checkov_summary(path: Path) -> str:
    try:
        out = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    parts = out if isinstance(out, list) else [out]
    s = {k: sum(p.get("summary", {}).get(k, 0) for p in parts) for k in ("resource_count", "passed", "failed")}
    return f"{s['resource_count']:,} resources, {s['failed']:,} failed checks"


def compose_section(bench: Bench, data: Data, root: Path) -> None:
    empty = bench.work / "empty"
    rows = data.compose["rows"] = []
    files = files_under(root)
    data.compose["files"] = len(files)
    rows.append(bench.measure("compose floor", floor_command(root)))
    rows.append(bench.measure("compose trueup validate",
                              [*trueup_command(), "validate", "--format", "json", "--output",
                               str(bench.work / "compose.json"), str(root)], cwd=empty))
    data.compose["trueup"] = rows[-1]
    if data.peers is None:
        rel = [str(p.relative_to(root)) for p in files]
        cj = bench.measure("compose check-jsonschema", [str(peer_bin("check-jsonschema")), "--builtin-schema",
                                                        "vendor.compose-spec", *rel], cwd=root)
        cj.note = crash_note(cj)
        rows.append(cj)
        data.compose["cj"] = cj
        dc = bench.measure("compose dclint", [str(node_bin("dclint")), "-r", str(root)], cwd=empty,
                           runs=data.args.peer_runs, warmup=False, stdout=bench.work / "dclint.out")
        dc.note = crash_note(dc)
        rows.append(dc)
        data.compose["dclint"] = dc
        rows.insert(1, bench.measure("compose rust floor", rust_floor_command(root)))
        data.compose["rust"] = rows[1]


def drift_section(bench: Bench, data: Data, estate: Path, drifted: int, objects: int) -> None:
    desired, live = estate / "desired", estate / "live"
    data.drift.update(objects=objects, drifted=drifted, files=len(files_under(desired)) + len(files_under(live)))
    floor = bench.measure("drift floor", floor_command(desired, live))
    report = bench.work / "drift.json"
    result = bench.measure("trueup drift", [*trueup_command(), "drift", "--desired", str(desired), "--live", str(live),
                                            "--format", "json", "--output", str(report)], cwd=bench.work / "empty")
    findings = findings_of(report)
    data.drift.update(rows=[floor, result], floor=floor, trueup=result, findings=len(findings),
                      targets=len({f["target"] for f in findings}))
    result.note = f"{plural(len(findings), 'finding')} on {plural(data.drift['targets'], 'object')}"


def check_section(bench: Bench, data: Data, estate: Path) -> None:
    report = bench.work / "check.json"
    result = bench.measure("trueup check", [*trueup_command(), "check", "--format", "json", "--output", str(report)],
                           cwd=estate)
    findings = findings_of(report)
    drift_findings = [f for f in findings if f["rule"].startswith("drift.")]
    result.note = (f"{len(findings):,} findings, {len(drift_findings):,} of them drift "
                   f"({'=' if len(drift_findings) == data.drift['drifted'] else '≠'} {data.drift['drifted']:,} drifted objects)")
    data.check.update(rows=[result], trueup=result, findings=len(findings), drift=len(drift_findings))


def one_file_section(bench: Bench, data: Data, source: Path) -> None:
    one = bench.work / "one"
    one.mkdir()
    compose_file = one / Path(ONE_COMPOSE).name
    deployment = one / Path(ONE_DEPLOYMENT).name
    shutil.copyfile(source / ONE_COMPOSE, compose_file)
    shutil.copyfile(source / ONE_DEPLOYMENT, deployment)
    runs = 1 if data.args.tiny else max(5, 3 * bench.runs)
    data.one.update(compose=ONE_COMPOSE, deployment=ONE_DEPLOYMENT, runs=runs)
    rows = data.one["rows"] = []
    rows.append(bench.measure("one compose file: trueup validate", [*trueup_command(), "validate", compose_file.name],
                              cwd=one, runs=runs))
    data.one["trueup_compose"] = rows[-1]
    if data.peers is None:
        rows.append(bench.measure("one compose file: check-jsonschema",
                                  [str(peer_bin("check-jsonschema")), "--builtin-schema", "vendor.compose-spec",
                                   compose_file.name], cwd=one, runs=runs))
        data.one["cj"] = rows[-1]
        rows.append(bench.measure("one compose file: yamllint", [str(peer_bin("yamllint")), compose_file.name],
                                  cwd=one, runs=runs))
        data.one["yamllint"] = rows[-1]
    if validate_has("--no-cache"):
        # A pre-commit hook runs on a file that changed: its result is not cached, but trueup's own
        # parsed packs are, from earlier runs (a shared cache directory, warmed by the first run).
        rows.append(bench.measure("one compose file: trueup validate (pre-commit: a changed file)",
                                  [*trueup_command(), "validate", "--no-cache", compose_file.name], cwd=one,
                                  runs=runs, warm_cache=True))
        data.one["trueup_precommit"] = rows[-1]
        rows.append(bench.measure("one compose file: trueup validate (warm cache)",
                                  [*trueup_command(), "validate", compose_file.name], cwd=one, runs=runs,
                                  warm_cache=True))
    rows.append(bench.measure("one Deployment: trueup validate", [*trueup_command(), "validate", deployment.name],
                              cwd=one, runs=runs))
    data.one["trueup_deployment"] = rows[-1]
    if data.peers is None:
        rows.append(bench.measure("one Deployment: kubernetes-validate",
                                  [str(peer_bin("kubernetes-validate")), deployment.name], cwd=one, runs=runs))
        data.one["kv"] = rows[-1]


def linear_section(bench: Bench, data: Data, source: Path, limit: int | None) -> None:
    empty = bench.work / "empty"
    for scale in SCALES:
        built = corpus.build(bench.work / f"linear-{scale}x", source, copies=1, scale=scale, kinds=("k8s",),
                             limit=limit)
        root = built.dir("k8s")
        n = len(built.files["k8s"])
        floor = bench.measure(f"linearity {scale}x floor", floor_command(root), runs=data.args.linear_runs,
                              warmup=False)
        result = bench.measure(f"linearity {scale}x trueup validate",
                               [*trueup_command(), "validate", "--format", "json", "--output",
                                str(bench.work / f"linear-{scale}x.json"), str(root)], cwd=empty,
                               runs=data.args.linear_runs, warmup=False)
        row = {"scale": scale, "files": n, "floor": floor, "trueup": result}
        if scale in (1, 4):
            # The same run without the cross-file rules: what validate holds per file beyond the
            # documents those rules read (they run once every file is read, so they keep them).
            skip = [arg for rule in crossfile_rules() for arg in ("--skip-rule", rule)]
            row["no_cross"] = bench.measure(f"linearity {scale}x trueup validate, no cross-file rules",
                                            [*trueup_command(), "validate", *skip, "--format", "json", "--output",
                                             str(bench.work / f"linear-{scale}x-nocross.json"), str(root)], cwd=empty,
                                            runs=data.args.linear_runs, warmup=False)
        data.linear.append(row)
        shutil.rmtree(built.root)


def crossfile_rules() -> list[str]:
    """The ids of the cross-file rules, as ``trueup rules list`` names them (pack ``crossfile``)."""
    listing = subprocess.run([*trueup_command(), "rules", "list"], capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in listing.splitlines() if " crossfile " in f" {line} "]


def shard_section(bench: Bench, data: Data, work: Path) -> None:
    """One big target (every object in one Kubernetes target): shards deal its objects, so each
    shard compares and holds about 1/n of them."""
    estate = work / "estate-one-target"
    generate(estate, data.args.shard_objects, 0.1, seed=1, targets=1, config=True)
    data.shard_objects = data.args.shard_objects
    single_report = bench.work / "single.json"
    single = bench.measure("trueup drift (one target, unsharded)",
                           [*trueup_command(), "drift", "--format", "json", "--output", str(single_report)], cwd=estate)
    expected = sorted_findings(single_report)
    data.drift["single"] = single
    data.drift["baseline"] = bench.measure("trueup --version (a process's own cost)", [*trueup_command(), "--version"],
                                           runs=3, warmup=True)
    for n in SHARDS:
        rows, reports = [], []
        for i in range(1, n + 1):
            report = bench.work / f"shard-{i}-of-{n}.json"
            rows.append(bench.measure(f"trueup drift --shard {i}/{n}",
                                      [*trueup_command(), "drift", "--shard", f"{i}/{n}", "--format", "json",
                                       "--output", str(report)], cwd=estate, runs=data.args.shard_runs, warmup=False))
            reports.append(report)
        merged = bench.work / f"merged-{n}.json"
        proc = subprocess.run([*trueup_command(), "report", "merge", "--format", "json", "--output", str(merged),
                               *map(str, reports)], cwd=estate, env=bench.env, capture_output=True, text=True)
        same = merged.exists() and sorted_findings(merged) == expected
        data.shards.append({"n": n, "times": [r.wall for r in rows], "cpus": [r.cpu for r in rows],
                            "peaks": [r.peak for r in rows], "same": same, "merge_code": proc.returncode,
                            "findings": len(findings_of(merged)) if merged.exists() else None})
    shutil.rmtree(estate)


def extrapolate(shards: list[dict[str, Any]], objects: int, estate: int,
                baseline: tuple[float, float] = (0.0, 0.0)) -> list[tuple[int, float, float]]:
    """(n, seconds, MiB) per shard for ``estate`` objects on n runners, from the measured rows:
    beyond a process's own cost (``baseline``: seconds, MiB of ``trueup --version``), each shard
    pays a part every shard pays (rendering and reading everything) plus a part split n ways
    (comparing and holding its objects), both linear in the objects; fitted on the 1-shard and the
    most-sharded rows."""
    one = next(s for s in shards if s["n"] == 1)
    most = max(shards, key=lambda s: s["n"])
    scale = estate / objects
    out = []
    for key, base in (("times", baseline[0]), ("peaks", baseline[1])):
        a1, an, n = max(max(one[key]) - base, 0.0), max(max(most[key]) - base, 0.0), most["n"]
        split = max(0.0, (a1 - an) * n / (n - 1)) if n > 1 else a1  # a1 = fixed + split, an = fixed + split / n
        fixed = max(a1 - split, 0.0)
        out.append((base + fixed * scale, split * scale))
    (tf, ts), (mf, ms) = out
    return [(n, tf + ts / n, mf + ms / n) for n in (1, 2, 4, 8, 16, 32, 64)]


