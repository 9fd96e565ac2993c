"""Shards on real files: `trueup drift --shard i/n` over the shared corpus's third-party manifests.

    python benchmarks/shards_real.py [--corpus ../shared/corpus] [--out docs/shards-real-files.md]

The desired side is every Kubernetes and compose file of the shared corpus as its project
publishes it (kube-prometheus, the Kubernetes examples, Istio's samples, awesome-compose and
the rest: see the corpus's SOURCES.md). The live side is what a cluster and a compose host
would hand back for them: each Kubernetes object with what the API server writes (uid,
resourceVersion, creationTimestamp, managedFields, status), dealt into ``kubectl get -o yaml``
Lists of 50 in a seeded random order; each compose file as written. About one object or file
in ten carries a real change (a label; an image tag). A file that PyYAML cannot read
stays as it is on both sides.

Then it runs the unsharded drift and every shard of 2, 4 and 8 as separate processes (wall
time, CPU time and peak memory from ``os.wait4``), merges each split with ``trueup report
merge`` and compares the findings and the summary with the unsharded run's; and it counts the
files a shard's event scan reads by spans against those it reads whole (load/yaml_units.py).
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
SPLITS = (2, 4, 8)
LIST_SIZE = 50
IMAGE = re.compile(r"^(\s*image:\s*)([^\s#'\"]+)", re.MULTILINE)  # a compose service's image, as written
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """kubectl writes no anchors: a value met twice is written twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


DUMPER = _Dumper


def server_view(rnd: random.Random, obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` as the API server hands it back: the fields it writes on every object."""
    live = copy.deepcopy(obj)
    meta = live.setdefault("metadata", {}) if isinstance(live.get("metadata", {}), dict) else {}
    meta.update(uid=f"{rnd.getrandbits(64):016x}-0000-4000-8000-{rnd.getrandbits(48):012x}",
                resourceVersion=str(rnd.randint(10**6, 10**8)), creationTimestamp="2026-10-01T12:00:00Z",
                managedFields=[{"apiVersion": str(live.get("apiVersion")), "fieldsType": "FieldsV1",
                                "manager": "kubectl-client-side-apply", "operation": "Update",
                                "time": "2026-10-01T12:00:00Z", "fieldsV1": {"f:metadata": {}}}])
    if live.get("kind") in ("Deployment", "StatefulSet", "DaemonSet"):
        live["status"] = {"observedGeneration": 1}
    return live


def build(corpus: Path, out: Path, seed: int = 1, drift: float = 0.1) -> dict[str, int]:
    """Write ``out/desired`` and ``out/live`` from the corpus; return what went in."""
    rnd = random.Random(seed)
    desired, live = out / "desired", out / "live"
    counts = {"kubernetes files": 0, "objects": 0, "compose files": 0, "unreadable": 0, "changed": 0}
    objects: list[dict[str, Any]] = []
    for path in sorted((corpus / "k8s").rglob("*")):
        if not path.is_file() or path.suffix not in (".yaml", ".yml"):
            continue
        rel = path.relative_to(corpus)
        (desired / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, desired / rel)
        counts["kubernetes files"] += 1
        try:
            docs = [d for d in yaml.load_all(path.read_text(encoding="utf-8"), Loader=LOADER) if d is not None]
        except (yaml.YAMLError, UnicodeDecodeError, ValueError):
            (live / rel).parent.mkdir(parents=True, exist_ok=True)  # unreadable on both sides
            shutil.copyfile(path, live / rel)
            counts["unreadable"] += 1
            continue
        for doc in docs:
            items = doc.get("items") if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List") else [doc]
            for obj in items if isinstance(items, list) else []:
                if isinstance(obj, dict) and isinstance(obj.get("apiVersion"), str) and isinstance(obj.get("kind"), str):
                    seen = server_view(rnd, obj)
                    if rnd.random() < drift and isinstance(seen["metadata"], dict):
                        seen["metadata"]["labels"] = {**(seen["metadata"].get("labels") or {}), "edited": "by-hand"}
                        counts["changed"] += 1
                    objects.append(seen)
    rnd.shuffle(objects)
    counts["objects"] = len(objects)
    (live / "exports").mkdir(parents=True, exist_ok=True)
    for n in range(0, len(objects), LIST_SIZE):
        export = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
                  "items": objects[n:n + LIST_SIZE]}
        (live / "exports" / f"export-{n // LIST_SIZE:03d}.yaml").write_text(
            yaml.dump(export, Dumper=DUMPER, sort_keys=True, allow_unicode=True), encoding="utf-8")
    for path in sorted((corpus / "compose").rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(corpus)
        for side in (desired, live):
            (side / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, desired / rel)
        text = path.read_text(encoding="utf-8", errors="replace")
        edited = IMAGE.sub(r"\1\2-hotfix", text, count=1) if rnd.random() < drift else text
        counts["changed"] += edited != text
        text = edited
        (live / rel).write_text(text, encoding="utf-8")
        counts["compose files"] += 1
    return counts


def run(command: list[str], cwd: Path) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak MiB, exit code) of one whole process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.stderr:
        process.stderr.close()
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    return wall, usage.ru_utime + usage.ru_stime, peak, process.returncode


def trueup(*args: str) -> list[str]:
    return [sys.executable, "-m", "trueup", *args]


def scan_counts(root: Path) -> tuple[int, int]:
    """(files the event scan reads by spans, files it reads whole) among the YAML files under root."""
    from trueup.load import Limits
    from trueup.load.yaml_units import scan

    spans = whole = 0
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in (".yaml", ".yml"):
            text = path.read_text(encoding="utf-8", errors="replace")
            if scan(text, Limits().max_depth) is None:
                whole += 1
            else:
                spans += 1
    return spans, whole


def findings(report: Path) -> tuple[list[str], dict[str, Any]]:
    data = json.loads(report.read_text(encoding="utf-8"))
    summary = {k: data["summary"][k] for k in ("total", "files", "documents", "by_rule")}
    return sorted(json.dumps(f, sort_keys=True) for f in data["findings"]), summary


def measure(work: Path, splits: tuple[int, ...] = SPLITS) -> dict[str, Any]:
    drift = ["drift", "--desired", "desired", "--live", "live", "--format", "json"]
    single = run(trueup(*drift, "--output", "single.json"), work)
    expected = findings(work / "single.json")
    rows = []
    for n in splits:
        shards = [run(trueup(*drift, "--shard", f"{i}/{n}", "--output", f"shard-{i}-of-{n}.json"), work)
                  for i in range(1, n + 1)]
        merged = work / f"merged-{n}.json"
        subprocess.run(trueup("report", "merge", *(f"shard-{i}-of-{n}.json" for i in range(1, n + 1)),
                              "--format", "json", "--output", str(merged)), cwd=work, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rows.append({"n": n, "wall": max(s[0] for s in shards), "cpu": max(s[1] for s in shards),
                     "peak": max(s[2] for s in shards), "equal": findings(merged) == expected})
    return {"single": single, "rows": rows, "findings": len(expected[0]), "summary": expected[1]}


def page(counts: dict[str, int], result: dict[str, Any], scans: dict[str, tuple[int, int]]) -> str:
    wall, cpu, peak, code = result["single"]
    lines = [
        "# Drift shards on real files", "",
        "Made by `python benchmarks/shards_real.py` (see its docstring for how the estate is built from the",
        "shared corpus's third-party manifests and compose files). Each figure is one whole process.", "",
        "| input | count |", "| --- | ---: |",
        *(f"| {k} | {v:,} |" for k, v in counts.items()), "",
        f"The unsharded drift: {wall:.2f} s wall, {cpu:.2f} s CPU, {peak:.0f} MiB peak, exit {code}, "
        f"{result['findings']:,} findings ({', '.join(f'{k} {v}' for k, v in sorted(result['summary']['by_rule'].items()))}).", "",
        "| shards | max shard wall | max shard CPU | max shard peak | merged == unsharded |",
        "| ---: | ---: | ---: | ---: | --- |",
        *(f"| {r['n']} | {r['wall']:.2f} s | {r['cpu']:.2f} s | {r['peak']:.0f} MiB | {'yes' if r['equal'] else '**no**'} |"
          for r in result["rows"]), "",
        "What the shards' event scan made of the files: read by spans (a shard builds only its own",
        "objects) or read whole (the scan was unsure: an anchor, alias, tag, merge key or the like",
        "somewhere in the file, or a syntax error):", "",
        "| side | YAML files read by spans | read whole |", "| --- | ---: | ---: |",
        *(f"| {side} | {spans:,} | {whole:,} |" for side, (spans, whole) in scans.items()), "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "shards-real-files.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="trueup-shards-") as tmp:
        work = Path(tmp)
        counts = build(args.corpus, work)
        scans = {"desired": scan_counts(work / "desired"), "live": scan_counts(work / "live")}
        result = measure(work)
    text = page(counts, result, scans)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0 if all(r["equal"] for r in result["rows"]) else 1


if __name__ == "__main__":
    sys.exit(main())
