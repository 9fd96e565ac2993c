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
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import patches  # noqa: E402
from generate import generate  # noqa: E402

PEERS_DIR = HERE / ".peers"
PEER_PACKAGES = ("checkov", "check-jsonschema", "kubernetes-validate")
NOTES_BEGIN, NOTES_END = "<!-- notes:begin -->", "<!-- notes:end -->"
DEFAULT_NOTES = "_Nothing noted yet: explain each missed target here (why, and what would close the gap)._"
SLOW_SECONDS = 45.0  # a command whose warm-up run takes longer is measured once more, not --runs times
ONE_COMPOSE = "compose/example-voting-app/docker-compose.yml"
ONE_DEPLOYMENT = "k8s/podinfo/deploy__bases__frontend__deployment.yaml"
SCALES = (1, 4, 16)
SHARDS = (1, 2, 4, 8)
RUNNER_MIB = 14 * 1024  # what a GitHub-hosted Linux runner (16 GB) leaves a job, roughly
ESTATE = 500_000  # the estate the page extrapolates to
LINEAR_LIMIT = 1.25  # seconds per 1,000 files at 16x at most this times the figure at 4x

FLOOR = """\
import sys
from pathlib import Path
import yaml
files = []
for arg in sys.argv[1:]:
    p = Path(arg)
    files += sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
documents = errors = 0
for f in files:
    try:
        for _ in yaml.load_all(f.read_bytes(), Loader=yaml.CSafeLoader):
            documents += 1
    except yaml.YAMLError:
        errors += 1
print(f"{len(files)} files, {documents} documents, {errors} unparsable", file=sys.stderr)
"""


# A child's ru_maxrss starts at its parent's resident set (Linux carries the memory it
# forked from into the figure at exec), and this runner grows while it reads reports;
# so each measured command is started by a small, fresh launcher process instead.
LAUNCHER = """\
import os, subprocess, sys, time
cwd, out, err, *command = sys.argv[1:]
with open(out, "wb") as o, open(err, "wb") as e:
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=o, stderr=e)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
print(wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime)
"""


# ---------------------------------------------------------------------------- measuring


@dataclass
class Result:
    """One command's figures: median wall seconds and peak MiB over ``runs`` runs."""

    label: str
    wall: float
    peak: float
    code: int
    runs: int
    warmup: bool
    stderr: str = ""
    stdout_file: Path | None = None
    note: str = ""
    reached: int | None = None  # files a crashed peer got to, of ``total``
    total: int | None = None
    cpu: float = 0.0  # median user + system seconds


def child_env() -> dict[str, str]:
    """The environment every measured process gets: the caller's, with bytecode caching on
    (as on a user's machine) and no colour or update checks."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("CI", None)  # measured as on a user's machine (trueup keeps no result cache where CI is set)
    env.update(NO_COLOR="1", CKV_SKIP_PACKAGE_UPDATE_CHECK="true", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


class Bench:
    def __init__(self, work: Path, runs: int, warmup: bool, verbose: bool = True) -> None:
        self.work = work
        self.runs = runs
        self.warmup = warmup
        self.verbose = verbose
        self.started = time.perf_counter()
        self.env = child_env()
        self._n = 0

    def log(self, message: str) -> None:
        if self.verbose:
            print(f"[{time.perf_counter() - self.started:7.1f}s] {message}", file=sys.stderr, flush=True)

    def once(self, command: list[str], cwd: Path, stdout: Path | None, cache: Path | None = None
             ) -> tuple[float, float, int, str, float]:
        """One run; trueup's result cache is ``cache``, else a new empty directory (a cold run)."""
        self._n += 1
        err_path = self.work / "logs" / f"{self._n:04d}.err"
        err_path.parent.mkdir(exist_ok=True)
        cold = cache is None
        cache = cache or self.work / "cache" / f"{self._n:04d}"
        cache.mkdir(parents=True, exist_ok=True)
        env = dict(self.env, TRUEUP_CACHE_DIR=str(cache))
        launcher = [sys.executable, "-S", "-c", LAUNCHER, str(cwd), str(stdout or os.devnull), str(err_path)]
        proc = subprocess.run([*launcher, *command], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"the launcher failed on {command}: {proc.stderr.strip()}")
        wall, maxrss, code, cpu = proc.stdout.split()
        text = err_path.read_text(encoding="utf-8", errors="replace")
        if cold:
            shutil.rmtree(cache, ignore_errors=True)
        return float(wall), int(maxrss) / 1024, int(code), text, float(cpu)

    def measure(self, label: str, command: list[str], *, cwd: Path | None = None, runs: int | None = None,
                warmup: bool | None = None, stdout: Path | None = None, warm_cache: bool = False) -> Result:
        """Median wall time and peak memory of ``command`` over ``runs`` whole-process runs,
        after one unmeasured warm-up run (a warm-up slower than SLOW_SECONDS leaves one run).
        Every run starts with an empty trueup result cache, unless ``warm_cache``: then all
        share one, filled by a first, unmeasured run."""
        runs = self.runs if runs is None else runs
        warmup = self.warmup if warmup is None else warmup
        cwd = cwd or self.work
        cache = None
        if warm_cache:
            self._n += 1
            cache = self.work / "cache" / f"warm-{self._n:04d}"
            warmup = True
        if warmup:
            wall, _, _, _, _ = self.once(command, cwd, stdout, cache)
            if wall > SLOW_SECONDS:
                runs = 1
        walls, peaks, cpus, code, err = [], [], [], 0, ""
        for _ in range(max(runs, 1)):
            wall, peak, code, err, cpu = self.once(command, cwd, stdout, cache)
            walls.append(wall)
            peaks.append(peak)
            cpus.append(cpu)
        result = Result(label, statistics.median(walls), statistics.median(peaks), code, len(walls), warmup,
                        err, stdout, cpu=statistics.median(cpus))
        self.log(f"{label}: {result.wall:.2f} s wall, {result.cpu:.2f} s CPU, {result.peak:.0f} MiB, exit {code} "
                 f"({len(walls)} runs)")
        return result


# ---------------------------------------------------------------------------- tools


def trueup_command() -> list[str]:
    script = Path(sys.executable).parent / "trueup"
    return [str(script)] if script.exists() else [sys.executable, "-m", "trueup"]


def floor_command(*paths: Path) -> list[str]:
    return [sys.executable, "-c", FLOOR, *map(str, paths)]


def peer_bin(name: str) -> Path:
    return PEERS_DIR / "bin" / name


def ensure_peers(bench: Bench) -> str | None:
    """Create or reuse benchmarks/.peers; None when ready, else why not."""
    if all(peer_bin(p).exists() for p in PEER_PACKAGES):
        bench.log(f"peers: reusing {PEERS_DIR}")
        return None
    bench.log(f"peers: creating {PEERS_DIR} and installing {', '.join(PEER_PACKAGES)}")
    start = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEERS_DIR)], check=True, capture_output=True)
        subprocess.run([str(peer_bin("python")), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True,
                       capture_output=True, env=child_env())
    except subprocess.CalledProcessError as e:
        tail = (e.stderr or b"").decode(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
        return f"installing the peers failed: {tail[0]}"
    bench.log(f"peers: installed in {time.perf_counter() - start:.0f} s")
    return None


def version_of(python: Path | str, package: str) -> str:
    code = f"import importlib.metadata as m\ntry: print(m.version({package!r}))\nexcept Exception: print('')"
    proc = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    return proc.stdout.strip()


def machine() -> dict[str, str]:
    import yaml

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    trueup = subprocess.run([*trueup_command(), "--version"], capture_output=True, text=True).stdout.strip()
    info = {
        "cpus": str(os.cpu_count()),
        "cpu": cpu or platform.processor() or platform.machine(),
        "system": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "trueup": trueup.split()[-1] if trueup else "?",
        "pyyaml": f"{yaml.__version__} ({'with' if getattr(yaml, '__with_libyaml__', False) else 'without'} libyaml)",
        "jsonschema-rs": version_of(sys.executable, "jsonschema-rs") or "not installed",
    }
    return info


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def findings_of(report: Path) -> list[dict[str, Any]]:
    return json.loads(report.read_text(encoding="utf-8"))["findings"]


def sorted_findings(report: Path) -> list[str]:
    return sorted(json.dumps(f, sort_keys=True) for f in findings_of(report))


def validate_has(option: str) -> bool:
    """Whether ``trueup validate --help`` lists ``option`` (``--jobs``, ``--no-cache``)."""
    proc = subprocess.run([*trueup_command(), "validate", "--help"], capture_output=True, text=True)
    return option in proc.stdout


def crash_note(result: Result, files: list[str] | None = None) -> str:
    """Why a peer stopped early, read from its output: the exception, and how far it got."""
    text = result.stderr
    if "Traceback (most recent call last)" not in text:
        return ""
    last = [line for line in text.strip().splitlines() if line.strip()][-1:]
    note = f"crashed with a traceback ({last[0].strip()[:90]})" if last else "crashed with a traceback"
    if files:
        seen = text
        if result.stdout_file and result.stdout_file.exists():
            seen += result.stdout_file.read_text(encoding="utf-8", errors="replace")
        reached = max((i for i, f in enumerate(files) if f in seen), default=-1) + 1
        result.reached, result.total = reached, len(files)
        note += f" after reaching file {reached:,} of {len(files):,}"
    return note


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
    if validate_has("--no-cache"):
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
        data.linear.append({"scale": scale, "files": n, "floor": floor, "trueup": result})
        shutil.rmtree(built.root)


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


# ---------------------------------------------------------------------------- the page


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def fmt_x(ratio: float) -> str:
    return f"{ratio:.2f}x" if ratio < 10 else f"{ratio:.1f}x"


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


def targets(data: Data) -> list[Target]:
    nope = "not measured (--no-peers)" if data.args.no_peers else f"not measured ({data.peers})"
    k, c, d, o = data.k8s, data.compose, data.drift, data.one
    rows = [
        at_most("Kubernetes corpus: `trueup validate` vs parse floor", ratio(k.get("trueup"), k["rows"][0]), 2.5,
                "x", "≤ 2.5x floor"),
        at_least("Kubernetes corpus: faster than Checkov", ratio(k.get("checkov"), k.get("trueup")), 20, "~20x",
                 nope),
        at_least("Kubernetes corpus: faster than kubernetes-validate", ratio(k.get("kv"), k.get("trueup")), 17, "17x",
                 nope),
    ]
    kv = k.get("kv")
    if kv and kv.reached and kv.total and kv.reached < kv.total:
        per_file = (kv.wall / kv.reached) / (k["trueup"].wall / k["files"])
        rows[-1].measured += (f" (it crashed at file {kv.reached:,} of {kv.total:,}; per file it reached, "
                              f"{fmt_x(per_file)} faster)")
    mem = k["trueup"].peak / k["checkov"].peak if k.get("checkov") and k["checkov"].peak else None
    rows.append(at_most("Kubernetes corpus: peak memory vs Checkov's", mem, 0.1, "x", "≤ 0.1x (a tenth)", nope))
    rows.append(at_most("Compose corpus: `trueup validate` vs parse floor", ratio(c.get("trueup"), c["rows"][0]), 2.0,
                        "x", "≤ 2x floor"))
    rows.append(at_least("Compose corpus: faster than check-jsonschema", ratio(c.get("cj"), c.get("trueup")), 5, "~5x",
                         nope))
    rows.append(at_most(f"Drift of {d['objects']:,} pairs vs floor of parsing both sides", ratio(d["trueup"], d["floor"]),
                        2.0, "x", "≤ 2x floor"))
    rows.append(at_most("One compose file (pre-commit): time vs check-jsonschema", ratio(o.get("trueup_compose"), o.get("cj")),
                        1.0, "x", "≤ 1x (no slower)", nope))
    by = {r["scale"]: r for r in data.linear}
    if 4 in by and 16 in by:
        per = [by[s]["trueup"].wall / by[s]["files"] for s in (4, 16)]
        growth = per[1] / per[0] if per[0] else None
    else:
        growth = None
    rows.append(at_most("Linear in files: seconds per file at 16x vs at 4x", growth, LINEAR_LIMIT, "x",
                        f"≤ {LINEAR_LIMIT:g}x (linear)"))
    rows.append(at_most("`--patches` linear in changes: added CPU per change at 16x vs at 4x",
                        patches.growth(data.patches), LINEAR_LIMIT, "x", f"≤ {LINEAR_LIMIT:g}x (linear)"))
    return rows


def detail_table(rows: list[Result], floor: Result | None, describe: Callable[[Result], str]) -> list[str]:
    out = ["| run | median wall | peak memory | ratio to floor | exit code | runs | note |",
           "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in rows:
        rel = fmt_x(r.wall / floor.wall) if floor and floor.wall else "–"
        runs = f"{r.runs}" + ("" if r.warmup else " (no warm-up)")
        out.append(f"| {describe(r)} | {fmt_s(r.wall)} | {r.peak:.0f} MiB | {rel} | {r.code} | {runs} | {r.note} |")
    return out


LABELS = {
    "k8s floor": "floor: PyYAML C loader parses every file",
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
        f"{p} {i.get(p, '?')}" for p in PEER_PACKAGES)
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
        "The targets of issue 8, each a ratio between figures of this run.",
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
        lines += [f"Checkov and kubernetes-validate run {times} each, "
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
    lines += ["| file | run | median wall | peak memory | ratio to peer | exit code | runs |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in o["rows"]:
        compose_row = r.label.startswith("one compose")
        peer = o.get("cj") if compose_row else o.get("kv")
        is_peer = r is peer
        rel = "1.00x" if is_peer else (fmt_x(r.wall / peer.wall) if peer else "–")
        lines.append(f"| {'compose' if compose_row else 'Deployment'} | {label(r)} | {fmt_s(r.wall)} | "
                     f"{r.peak:.0f} MiB | {rel} | {r.code} | {r.runs} |")
    lines += ["", "## Linearity", "",
              "`trueup validate` and the floor over the Kubernetes corpus at 1x (each parseable file once), "
              "4x and 16x.", "",
              "| size | files | floor | trueup validate | ratio to floor | floor s / 1,000 files | "
              "trueup s / 1,000 files | trueup peak memory |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in data.linear:
        f, t, n = r["floor"], r["trueup"], r["files"]
        lines.append(f"| {r['scale']}x | {n:,} | {fmt_s(f.wall)} | {fmt_s(t.wall)} | {fmt_x(t.wall / f.wall)} | "
                     f"{1000 * f.wall / n:.3f} | {1000 * t.wall / n:.3f} | {t.peak:.0f} MiB |")
    lines += ["", f"Each figure here is {plural(a.linear_runs, 'run')} without a separate warm-up (the corpus was "
              "just written, so it is in the page cache): the 16x corpus alone takes minutes."]
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
                  f"{max(s['n'] for s in data.shards)}-shard rows above: each shard pays for rendering and reading "
                  "everything, and 1/n of comparing and holding):", "",
                  "| runners (shards) | time per shard | peak per shard |", "| ---: | ---: | ---: |"]
        lines += [f"| {n} | {fmt_s(t)} | {mib / 1024:.1f} GiB |" for n, t, mib in rows]
        lines += ["", (f"A GitHub-hosted Linux runner leaves a job about {RUNNER_MIB // 1024} GiB: the smallest "
                       f"matrix that fits is {fits} shards." if fits else
                       "No shard count in the table fits a GitHub-hosted runner: reading every file in every "
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
