"""The page benchmarks/run.py writes: the targets table, each section's table and the kept notes."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

import patches  # noqa: E402
from measure import (  # noqa: E402
    DEFAULT_NOTES, ESTATE, LINEAR_LIMIT, NODE_PEERS, NOTES_BEGIN, NOTES_END, PEER_PACKAGES, RUNNER_MIB, Result, fmt_s,
    fmt_x, plural,
)
from sections import Data, extrapolate  # noqa: E402


# ---------------------------------------------------------------------------- the page



@dataclass
class Target:
    what: str
    measured: str
    target: str
    verdict: str


def at_most(what: str, value: float | None, limit: float, unit: str, target: str, why_missing: str = "") -> Target:
    if value is None:
        return Target(what, "not measured", target, why_missing or "not measured")
    if value <= limit:
        return Target(what, f"{value:.2f}{unit}", target, "**met**")
    over = value / limit - 1
    return Target(what, f"{value:.2f}{unit}", target, f"**missed** by {over:.0%} ({value:.2f}{unit} vs {limit:g}{unit})")


def at_least(what: str, value: float | None, limit: float, target: str, why_missing: str = "") -> Target:
    if value is None:
        return Target(what, "not measured", target, why_missing or "not measured")
    measured = f"{fmt_x(value)} faster" if value >= 1 else f"{fmt_x(1 / value)} slower"
    if value >= limit:
        return Target(what, measured, target, "**met**")
    return Target(what, measured, target, f"**missed**: {limit / value:.2f}x short of {limit:g}x faster")


def ratio(a: Result | None, b: Result | None) -> float | None:
    return a.wall / b.wall if a and b and b.wall > 0 else None


def _wall(result: Result | None) -> float | None:
    return result.wall if result else None


def cpu_ratio(a: Result | None, b: Result | None) -> float | None:
    return a.cpu / b.cpu if a and b and b.cpu > 0 else None


def held_kib(result: Result | None, base: Result | None, count: int) -> float | None:
    """KiB of peak memory per item beyond a process's own (``trueup --version``'s peak)."""
    if result is None or base is None or not count:
        return None
    return max(result.peak - base.peak, 0.0) * 1024 / count


def held_per_file(linear: list[dict[str, Any]], run: str = "trueup", low: int = 1, high: int = 4) -> float | None:
    """KiB of peak memory each more file adds, from the ``low``x to the ``high``x corpus: what a run
    holds per file, apart from what it holds once (schemas, rules, the interpreter)."""
    by = {r["scale"]: r for r in linear if r.get(run) is not None}
    if low not in by or high not in by or by[high]["files"] <= by[low]["files"]:
        return None
    grown = by[high][run].peak - by[low][run].peak
    return max(grown, 0.0) * 1024 / (by[high]["files"] - by[low]["files"])


def targets(data: Data) -> list[Target]:
    """Issue 18's targets, each measured in this run."""
    nope = "not measured (--no-peers)" if data.args.no_peers else f"not measured ({data.peers})"
    k, c, d, o = data.k8s, data.compose, data.drift, data.one
    base = d.get("baseline")
    rows = [
        at_most("Kubernetes corpus: `trueup validate` CPU vs the PyYAML floor's CPU", cpu_ratio(k.get("trueup"), k["rows"][0]),
                1.0, "x", "≤ 1.0x"),
        at_most("Compose corpus: `trueup validate` CPU vs the PyYAML floor's CPU", cpu_ratio(c.get("trueup"), c["rows"][0]),
                1.5, "x", "≤ 1.5x"),
        at_most("One compose file as pre-commit runs it (a changed file): wall time",
                _wall(o.get("trueup_precommit") or o.get("trueup_compose")), 0.10, " s", "≤ 0.10 s"),
        at_most("One compose file as pre-commit runs it: time vs yamllint on the same file",
                ratio(o.get("trueup_precommit") or o.get("trueup_compose"), o.get("yamllint")), 1.0, "x",
                "≤ 1x (no slower)", nope),
        at_most(f"Drift of {d['objects']:,} pairs vs the floor of parsing both sides (CPU)", cpu_ratio(d["trueup"], d["floor"]),
                0.6, "x", "≤ 0.6x"),
        at_most("Drift memory held per object", held_kib(d.get("trueup"), base, d["objects"]), 10.0, " KiB",
                "≤ 10 KiB"),
        at_most("Validate memory held per file beyond what the cross-file rules read (peak growth from 1x to 4x, "
                "cross-file rules skipped)", held_per_file(data.linear, "no_cross"), 2.0, " KiB", "≤ 2 KiB"),
        at_least("Kubernetes corpus: faster than Checkov", ratio(k.get("checkov"), k.get("trueup")), 40, "40x", nope),
        at_least("Compose corpus: faster than check-jsonschema", ratio(c.get("cj"), c.get("trueup")), 10, "10x", nope),
        at_least("Kubernetes corpus: faster than yamllint", ratio(k.get("yamllint"), k.get("trueup")), 10, "10x", nope),
    ]
    fits = None
    if data.shards and base is not None:
        estimate = extrapolate(data.shards, data.shard_objects, ESTATE, (base.wall, base.peak))
        fits = next((n for n, _, mib in estimate if mib <= RUNNER_MIB), None)
    rows.append(Target(f"A {ESTATE:,}-object estate on 16 GB machines", "not measured" if not data.shards else (
        f"{plural(fits, 'machine')}" if fits else "no shard count in the table"), "one machine, or the shard count",
        "**met**" if fits == 1 else (f"**met** with {fits} shards" if fits else "**missed**")))
    by = {r["scale"]: r for r in data.linear}
    top = max(by, default=None)
    if top and top // 4 in by:
        per = [by[s]["trueup"].cpu / by[s]["files"] for s in (top // 4, top)]
        growth = per[1] / per[0] if per[0] else None
    else:
        growth = None
    rows.append(at_most(f"Linear in files: CPU per file at {top}x vs at {(top or 4) // 4}x", growth, LINEAR_LIMIT, "x",
                        f"≤ {LINEAR_LIMIT:g}x (linear)"))
    rows.append(at_most("`--patches` linear in changes: added CPU per change at 16x vs at 4x",
                        patches.growth(data.patches), LINEAR_LIMIT, "x", f"≤ {LINEAR_LIMIT:g}x (linear)"))
    return rows


def detail_table(rows: list[Result], floor: Result | None, describe: Callable[[Result], str]) -> list[str]:
    out = ["| run | median wall | CPU | peak memory | ratio to floor (wall) | ratio to floor (CPU) | exit code | runs "
           "| note |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in rows:
        rel = fmt_x(r.wall / floor.wall) if floor and floor.wall else "–"
        rel_cpu = fmt_x(r.cpu / floor.cpu) if floor and floor.cpu else "–"
        runs = f"{r.runs}" + ("" if r.warmup else " (no warm-up)")
        out.append(f"| {describe(r)} | {fmt_s(r.wall)} | {fmt_s(r.cpu)} | {r.peak:.0f} MiB | {rel} | {rel_cpu} | "
                   f"{r.code} | {runs} | {r.note} |")
    return out


LABELS = {
    "k8s floor": "floor: PyYAML C loader parses every file",
    "k8s rust floor": "second floor: yaml-rs (Rust) parses every file",
    "k8s yamllint": "`yamllint -f parsable DIR` (its default rules)",
    "compose rust floor": "second floor: yaml-rs (Rust) parses every file",
    "compose dclint": "`dclint -r DIR` (docker-compose linter, npm)",
    "one compose file: yamllint": "`yamllint ONE.yml`",
    "one compose file: trueup validate (pre-commit: a changed file)":
        "`trueup validate --no-cache ONE.yml` with the parsed packs of earlier runs (as pre-commit runs a changed file)",
    "k8s trueup validate": "`trueup validate --format json --output F DIR` (schema + every built-in rule)",
    "k8s trueup validate (warm cache)": "the same, its result cache filled by an earlier run (nothing changed)",
    "k8s trueup validate --no-cache": "`trueup validate --no-cache` (as where CI is set: no result cache to write)",
    "k8s trueup validate --jobs 1": "`trueup validate --jobs 1` (one process)",
    "k8s trueup validate --jobs 2": "`trueup validate --jobs 2`",
    "k8s kubernetes-validate": "`kubernetes-validate FILES...`",
    "k8s checkov": "`checkov -d DIR --framework kubernetes --quiet --compact -o json --skip-download`",
    "compose floor": "floor: PyYAML C loader parses every file",
    "compose trueup validate": "`trueup validate --format json --output F DIR` (schema + every built-in rule)",
    "compose check-jsonschema": "`check-jsonschema --builtin-schema vendor.compose-spec FILES...`",
    "drift floor": "floor: PyYAML C loader parses every desired and live file",
    "trueup drift": "`trueup drift --desired DIR --live DIR --format json`",
    "trueup check": "`trueup check --format json` (render, schema + every built-in rule, drift)",
    "one compose file: trueup validate": "`trueup validate ONE.yml`",
    "one compose file: trueup validate (warm cache)": "`trueup validate ONE.yml`, result cache filled by an earlier run",
    "one compose file: check-jsonschema": "`check-jsonschema --builtin-schema vendor.compose-spec ONE.yml`",
    "one Deployment: trueup validate": "`trueup validate ONE.yaml`",
    "one Deployment: kubernetes-validate": "`kubernetes-validate ONE.yaml`",
}


def label(r: Result) -> str:
    return LABELS.get(r.label, r.label)


def render(data: Data, notes: str) -> str:
    a, i = data.args, data.info
    peers = ("not measured: --no-peers" if a.no_peers else data.peers) if data.peers else ", ".join(
        [f"{p} {i.get(p, '?')}" for p in PEER_PACKAGES] + [p.replace("@", " ") + " (npm)" for p in NODE_PEERS])
    k, c, d = data.k8s, data.compose, data.drift
    lines = [
        "# Performance",
        "",
        "How fast trueup is, measured next to the floor (PyYAML's C loader parsing the same files in a fresh",
        "process) and next to its peers, all in the same run on the same machine. `python benchmarks/run.py`",
        "regenerates this whole page (about 15 minutes on 2 cores, the peers' virtual environment included);",
        "the test suite makes no timing assertions. Machines differ: compare the ratios, not the seconds.",
        "",
        f"This run: {i['cpus']} CPUs ({i['cpu']}), {i['system']}, {i['python']}; trueup {i['trueup']}, "
        f"PyYAML {i['pyyaml']}, jsonschema-rs {i['jsonschema-rs']}; peers: {peers}. "
        f"Each figure is the median of {a.runs} whole-process run{'s' if a.runs != 1 else ''} after a warm-up run"
        f"{'' if a.warmup else ' (no warm-up in this run)'}, unless its row says otherwise; the whole run took "
        f"{data.seconds / 60:.1f} minutes{' (**--tiny**: a handful of files, not a real measurement)' if a.tiny else ''}.",
        "",
        "## Targets",
        "",
        "The targets of issue 18, each measured in this run; CPU is user + system time of the process and its children.",
        "",
        "| target | measured | goal | verdict |",
        "| --- | ---: | --- | --- |",
    ]
    lines += [f"| {t.what} | {t.measured} | {t.target} | {t.verdict} |" for t in targets(data)]
    lines += ["", "## Notes on the figures", "", NOTES_BEGIN, notes.strip("\n"), NOTES_END, ""]

    lines += [
        "## Kubernetes corpus",
        "",
        f"{k['files']:,} files: every Kubernetes file of the shared corpus (`../shared/corpus`) that "
        f"`yaml.safe_load_all` reads ({plural(k['sources'], 'file')}), {plural(a.copies, 'copy').replace('copys', 'copies')} of each "
        f"(`python benchmarks/corpus.py`). trueup runs from an empty directory with no `trueup.yaml` in reach, "
        f"so it applies the Kubernetes schema and every built-in rule; it reported {plural(k['findings'], 'finding')} on "
        f"{plural(k['documents'] or 0, 'document')}.",
        "",
    ]
    lines += detail_table(k["rows"], k["rows"][0], label)
    lines += ["", "The warm-cache and `--jobs` rows are one run each (after the rows above, so nothing is cold but "
              "trueup's result cache), to keep the whole page within 15 minutes.",
              "", "Peak memory is the largest resident set of the process or any one of its children "
              "(`ru_maxrss` from `os.wait4`), not their sum: with worker processes, the total is higher."]
    if data.peers is None:
        times = "once" if a.peer_runs == 1 else f"{a.peer_runs} times"
        lines += [f"Checkov, kubernetes-validate and yamllint run {times} each, "
                  "without a separate warm-up (the files are already in the page cache from the runs above): "
                  "each takes minutes, and the whole page has to be regenerated in 15."]
    lines += ["", "## Compose corpus", "",
              f"{c['files']:,} files: every parseable compose file of the shared corpus, "
              f"{plural(a.copies, 'copy').replace('copys', 'copies')} of each.", ""]
    lines += detail_table(c["rows"], c["rows"][0], label)
    lines += ["", "## Drift", "",
              f"{d['objects']:,} desired/live Kubernetes object pairs, {d['drifted']:,} of them with real drift, "
              f"generated by `benchmarks/generate.py --objects {d['objects']} --drift 0.1 --seed 1 "
              f"--targets {a.targets} --config` ({d['files']:,} files: one desired file per object, the live side "
              "as `kubectl get -o yaml` Lists full of server noise).", ""]
    lines += detail_table(d["rows"], d["floor"], label)
    verdict = "equals" if d["findings"] == d["drifted"] == d["targets"] else "**does not equal**"
    lines += ["", f"trueup reported {plural(d['findings'], 'drift finding')} on {plural(d['targets'], 'object')}: "
              f"this {verdict} the {plural(d['drifted'], 'object')} the generator drifted; it compared "
              f"{d['objects'] / d['trueup'].wall:,.0f} object pairs a second.", ""]
    lines += ["## trueup check", "",
              "`trueup check` over the same generated estate through its `trueup.yaml`: the desired directory "
              f"rendered as plain-YAML templates with a values file, one environment, {a.targets} Kubernetes "
              "targets each compared with its live directory. Ratio to the drift floor (parsing both sides).", ""]
    lines += detail_table(data.check["rows"], d["floor"], label)
    o = data.one
    lines += ["", "## One file, as pre-commit runs it", "",
              f"`{o['compose']}` and `{o['deployment']}` from the shared corpus, each validated alone from the "
              f"directory holding it (no `trueup.yaml`); median of {plural(o['runs'], 'run')}"
              f"{' after a warm-up' if a.warmup else ''}. "
              "The ratio column is trueup's time over its peer's on the same file (check-jsonschema for the "
              "compose file, kubernetes-validate for the Deployment).", ""]
    lines += ["| file | run | median wall | CPU | peak memory | ratio to peer | exit code | runs |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in o["rows"]:
        compose_row = r.label.startswith("one compose")
        peer = o.get("cj") if compose_row else o.get("kv")
        is_peer = r is peer
        rel = "1.00x" if is_peer else (fmt_x(r.wall / peer.wall) if peer else "–")
        lines.append(f"| {'compose' if compose_row else 'Deployment'} | {label(r)} | {fmt_s(r.wall)} | "
                     f"{fmt_s(r.cpu)} | {r.peak:.0f} MiB | {rel} | {r.code} | {r.runs} |")
    lines += ["", "## Linearity", "",
              "`trueup validate` and the floor over the Kubernetes corpus at "
              + ", ".join(f"{r['scale']}x" for r in data.linear) + " (1x: each parseable file once).", "",
              "| size | files | floor wall | floor CPU | trueup wall | trueup CPU | CPU ratio to floor | "
              "trueup CPU s / 1,000 files | trueup peak memory | peak without cross-file rules |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in data.linear:
        f, t, n = r["floor"], r["trueup"], r["files"]
        bare = f"{r['no_cross'].peak:.0f} MiB" if r.get("no_cross") is not None else "–"
        lines.append(f"| {r['scale']}x | {n:,} | {fmt_s(f.wall)} | {fmt_s(f.cpu)} | {fmt_s(t.wall)} | {fmt_s(t.cpu)} | "
                     f"{fmt_x(t.cpu / f.cpu) if f.cpu else '–'} | {1000 * t.cpu / n:.3f} | {t.peak:.0f} MiB | {bare} |")
    with_cross, without = held_per_file(data.linear), held_per_file(data.linear, "no_cross")
    if with_cross is not None and without is not None:
        lines += ["", f"Each more file adds {with_cross:.1f} KiB to the peak with every rule on, and {without:.1f} KiB "
                  "with the cross-file rules skipped (from 1x to 4x): what the run holds per file is the documents "
                  "those rules read, kept until every file is read."]
    lines += ["", f"Each figure here is {plural(a.linear_runs, 'run')} without a separate warm-up (the corpus was "
              "just written, so it is in the page cache): the 64x corpus alone takes minutes."]
    lines += patches.table(data.patches, fmt_s)
    single = d.get("single")
    lines += ["", "## Shards", "",
              f"`trueup drift --shard i/n` over one target holding all {data.shard_objects:,} objects of a generated "
              "estate (the case target-level sharding could not split), each shard a separate process run "
              f"{'once' if a.shard_runs == 1 else f'{a.shard_runs} times'} without a separate warm-up, next to the "
              f"unsharded run (`trueup drift --format json`: {fmt_s(single.wall)} wall, {fmt_s(single.cpu)} CPU, "
              f"{single.peak:.0f} MiB peak, median of {single.runs}). The max shard is the time and memory of the "
              "slowest or largest of the n runners. Merged == single: `trueup report merge` of the n JSON reports "
              "has the same findings as the unsharded run (findings arrays compared sorted).", "",
              "| shards | max shard wall | max shard CPU | max shard peak | sum of shards (wall) | merged == single |",
              "| ---: | ---: | ---: | ---: | ---: | --- |"]
    for s in data.shards:
        same = "yes" if s["same"] else f"**no** (merge exit {s['merge_code']}, {s['findings']} findings)"
        lines.append(f"| {s['n']} | {fmt_s(max(s['times']))} | {fmt_s(max(s['cpus']))} | {max(s['peaks']):.0f} MiB | "
                     f"{fmt_s(sum(s['times']))} | {same} |")
    if data.shards:
        base = d.get("baseline")
        rows = extrapolate(data.shards, data.shard_objects, ESTATE, (base.wall, base.peak) if base else (0.0, 0.0))
        fits = next((n for n, _, mib in rows if mib <= RUNNER_MIB), None)
        lines += ["", f"**A {ESTATE:,}-object estate** (an estimate, linear in the objects, from the 1-shard and "
                  f"{max(s['n'] for s in data.shards)}-shard rows above: each shard pays for rendering every "
                  "template and scanning every file, and 1/n of building, comparing and holding):", "",
                  "| runners (shards) | time per shard | peak per shard |", "| ---: | ---: | ---: |"]
        lines += [f"| {n} | {fmt_s(t)} | {mib / 1024:.1f} GiB |" for n, t, mib in rows]
        lines += ["", (f"A GitHub-hosted Linux runner leaves a job about {RUNNER_MIB // 1024} GiB: the smallest "
                       f"matrix that fits is {plural(fits, 'shard')}; more shards shorten the night." if fits else
                       "No shard count in the table fits a GitHub-hosted runner: scanning every file in every "
                       "shard is the floor (see the notes).")]
    lines += ["", "## Method", "",
              "- Every figure is a whole process started with `subprocess.Popen` and reaped with `os.wait4`: wall "
              "time from `time.perf_counter()` around it, peak memory from `ru_maxrss`. A small fresh launcher "
              "process (`python -S`) starts each one, because Linux counts the memory a child was forked from "
              "in its `ru_maxrss`: no figure can read below the launcher's own 11 MiB or so.",
              "- Every trueup run starts with an empty result cache (`TRUEUP_CACHE_DIR` set to a new empty "
              "directory), as on a fresh CI runner, except the rows marked *warm cache*, whose runs share one cache "
              "filled by an unmeasured first run: the case of checking an unchanged tree again.",
              "- Bytecode caching is on for every measured process (`PYTHONDONTWRITEBYTECODE` is removed), as on "
              "a user's machine; Checkov's update check and Prisma Cloud download are off (it has no network here).",
              "- The floor is `yaml.load_all(data, Loader=yaml.CSafeLoader)` over the same files, in a fresh "
              "interpreter: start-up plus the cheapest possible parse.",
              "- The peers live in `benchmarks/.peers` (`pip install checkov check-jsonschema kubernetes-validate`), "
              "created by the first run and reused after it.",
              "- Ratios are computed by `benchmarks/run.py` from the figures above; nothing on this page is typed by "
              "hand except the notes.", ""]
    return "\n".join(lines)


def read_notes(path: Path) -> str:
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if NOTES_BEGIN in text and NOTES_END in text:
            return text[text.index(NOTES_BEGIN) + len(NOTES_BEGIN): text.index(NOTES_END)]
    return DEFAULT_NOTES


