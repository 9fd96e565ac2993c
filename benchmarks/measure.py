"""How benchmarks/run.py measures: whole processes started by a fresh launcher (wall time, CPU
time, peak memory from ``os.wait4``), the floor and the peers' commands, and the shared constants."""
from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))


PEERS_DIR = HERE / ".peers"
PEER_PACKAGES = ("checkov", "check-jsonschema", "kubernetes-validate", "yamllint", "yaml-rs")
NODE_PEERS = ("dclint@3.1.0",)  # npm packages, in benchmarks/.peers/node
NOTES_BEGIN, NOTES_END = "<!-- notes:begin -->", "<!-- notes:end -->"
DEFAULT_NOTES = "_Nothing noted yet: explain each missed target here (why, and what would close the gap)._"
SLOW_SECONDS = 45.0  # a command whose warm-up run takes longer is measured once more, not --runs times
ONE_COMPOSE = "compose/example-voting-app/docker-compose.yml"
ONE_DEPLOYMENT = "k8s/podinfo/deploy__bases__frontend__deployment.yaml"
SCALES = (1, 4, 16, 64)
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


RUST_FLOOR = """\
import sys
from pathlib import Path
import yaml_rs
files = []
for arg in sys.argv[1:]:
    p = Path(arg)
    files += sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
errors = 0
for f in files:
    try:
        yaml_rs.loads(f.read_text(encoding="utf-8"))
    except Exception:
        errors += 1
print(f"{len(files)} files, {errors} unparsable", file=sys.stderr)
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


def rust_floor_command(*paths: Path) -> list[str]:
    """The second floor: yaml-rs (a Rust YAML parser, in the peers' environment) on the same files."""
    return [str(peer_bin("python")), "-c", RUST_FLOOR, *map(str, paths)]


def peer_bin(name: str) -> Path:
    return PEERS_DIR / "bin" / name


def node_bin(name: str) -> Path:
    return PEERS_DIR / "node" / "node_modules" / ".bin" / name


def ensure_peers(bench: Bench) -> str | None:
    """Create or reuse benchmarks/.peers (Python peers with pip, dclint with npm); None when ready,
    else why not. ``.peers/installed.txt`` lists what a finished install put there."""
    stamp = PEERS_DIR / "installed.txt"
    wanted = "\n".join((*PEER_PACKAGES, *NODE_PEERS))
    if stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
        bench.log(f"peers: reusing {PEERS_DIR}")
        return None
    bench.log(f"peers: installing {', '.join((*PEER_PACKAGES, *NODE_PEERS))} into {PEERS_DIR}")
    start = time.perf_counter()
    try:
        if not peer_bin("python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(PEERS_DIR)], check=True, capture_output=True)
        subprocess.run([str(peer_bin("python")), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True,
                       capture_output=True, env=child_env())
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(PEERS_DIR / "node"), *NODE_PEERS],
                       check=True, capture_output=True, env=child_env())
    except (subprocess.CalledProcessError, OSError) as e:
        tail = (getattr(e, "stderr", b"") or str(e).encode()).decode(errors="replace").strip().splitlines()[-1:]
        return f"installing the peers failed: {(tail or ['(no output)'])[0]}"
    stamp.write_text(wanted, encoding="utf-8")
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



def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def fmt_x(ratio: float) -> str:
    return f"{ratio:.2f}x" if ratio < 10 else f"{ratio:.1f}x"

