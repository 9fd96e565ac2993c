"""Drift benchmark: trueup against the floor of just parsing the same files, in one run.

    python benchmarks/drift_benchmark.py [--objects 5000] [--runs 5] [--write docs/performance.md]

Generates a seeded estate (benchmarks/generate.py), then times whole processes:
the floor (PyYAML's C loader reading every desired and live file) and
``trueup drift --desired --live``, each the median of ``--runs`` runs, with peak
memory from the operating system's accounting of each child (``os.wait4``).
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

FLOOR = """
import sys, yaml
from pathlib import Path
for root in sys.argv[1:]:
    for p in sorted(Path(root).rglob("*.yaml")):
        for _ in yaml.load_all(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader):
            pass
"""
BEGIN, END = "<!-- drift-benchmark:begin -->", "<!-- drift-benchmark:end -->"


def measure(command: list[str], runs: int) -> tuple[float, float, int]:
    """(median wall seconds, median peak MiB, exit code) over ``runs`` whole-process runs after a warm-up."""
    walls, peaks, code = [], [], 0
    for i in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if i:
            walls.append(wall)
            peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(walls), statistics.median(peaks), code


def trueup_command() -> list[str]:
    return [sys.executable, "-m", "trueup"]


def run(objects: int, runs: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        estate = Path(tmp)
        drifted = generate(estate, objects, 0.1, seed=1)
        desired, live = str(estate / "desired"), str(estate / "live")
        floor = measure([sys.executable, "-c", FLOOR, desired, live], runs)
        drift = measure([*trueup_command(), "drift", "--desired", desired, "--live", live,
                         "--format", "json", "--output", str(estate / "report.json")], runs)
        found = len(re.findall(r'"rule": "drift\.', (estate / "report.json").read_text()))
    rate = objects / drift[0]
    lines = [
        BEGIN,
        f"Drift of {objects:,} desired/live Kubernetes object pairs ({drifted} with real drift, "
        f"live side as `kubectl get -o yaml` Lists full of server noise), generated with seed 1 by "
        f"`benchmarks/generate.py`; median of {runs} whole-process runs after a warm-up, "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores.",
        "",
        "| run | median wall | peak memory | ratio to floor |",
        "| --- | ---: | ---: | ---: |",
        f"| floor: PyYAML C loader parses every desired and live file | {floor[0]:.2f} s | {floor[1]:.0f} MiB | 1.00x |",
        f"| `trueup drift --desired --live --format json` | {drift[0]:.2f} s | {drift[1]:.0f} MiB | {drift[0] / floor[0]:.2f}x |",
        "",
        f"trueup compared {rate:,.0f} object pairs a second and reported {found} findings for the "
        f"{drifted} drifted objects (exit code {drift[2]}).",
        END,
    ]
    return "\n".join(lines)


def write(doc: Path, section: str) -> None:
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n"
    if BEGIN in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Drift\n\n" + section + "\n"
    doc.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", type=Path, help="update this Markdown file's drift section")
    args = parser.parse_args()
    section = run(args.objects, args.runs)
    print(section)
    if args.write:
        write(args.write, section)


if __name__ == "__main__":
    main()
