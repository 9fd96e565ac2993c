"""How ``trueup drift --patches`` grows with the number of changes in one object.

One Deployment whose container holds ``625 * scale`` env values, every one changed live (1x, 4x,
16x: 625, 2,500 and 10,000 changes), is drifted with and without ``--patches``. Writing the
patches (a file diff, an RFC 6902 JSON Patch and the manifest) must cost time linear in the
number of changes: an attacker's live export, or a real ConfigMap, can hold thousands.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable

import yaml

CHANGES = 625  # at 1x
SCALES = (1, 4, 16)


def deployment(changes: int, value: str) -> dict[str, Any]:
    env = [{"name": f"SETTING_{i}", "value": f"{value}-{i}"} for i in range(changes)]
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx:1.27.1", "env": env}]}}}}


def build(root: Path, changes: int) -> tuple[Path, Path]:
    desired, live = root / "desired", root / "live"
    for side, value in ((desired, "wanted"), (live, "found")):
        side.mkdir(parents=True)
        (side / "web.yaml").write_text(yaml.safe_dump(deployment(changes, value), sort_keys=False), encoding="utf-8")
    return desired, live


def measure(bench: Any, trueup: list[str], runs: int, base: int = CHANGES) -> list[dict[str, Any]]:
    """Per scale: the drift alone and with ``--patches`` (``bench`` is run.py's Bench); ``base``:
    changes at 1x."""
    rows = []
    for scale in SCALES:
        changes = base * scale
        root = bench.work / f"patches-{scale}x"
        desired, live = build(root, changes)
        drift = [*trueup, "drift", "--desired", str(desired), "--live", str(live)]
        plain = bench.measure(f"--patches {scale}x: drift alone", drift, cwd=root, runs=runs, warmup=False)
        out = root / "patches"
        patched = bench.measure(f"--patches {scale}x: drift --patches", [*drift, "--patches", str(out)], cwd=root,
                                runs=runs, warmup=False)
        written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
        rows.append({"scale": scale, "changes": changes, "drift": plain, "patches": patched, "written": written})
        shutil.rmtree(root)
    return rows


def growth(rows: list[dict[str, Any]]) -> float | None:
    """Seconds per change that writing the patches adds, at 16x over at 4x (1.0: linear)."""
    by = {r["scale"]: r for r in rows}
    if 4 not in by or 16 not in by:
        return None
    added = [(by[s]["patches"].cpu - by[s]["drift"].cpu) / by[s]["changes"] for s in (4, 16)]
    return added[1] / added[0] if added[0] > 0 else None


def table(rows: list[dict[str, Any]], fmt_s: Callable[[float], str]) -> list[str]:
    lines = ["", "## Remediation patches", "",
             "`trueup drift --patches DIR` on one Deployment whose env values all drifted "
             "(`benchmarks/patches.py`), next to the same drift without `--patches`. *Added* is what writing "
             "the patches costs in CPU per 1,000 changes; linear growth keeps it flat.", "",
             "| size | changes | drift wall | drift CPU | --patches wall | --patches CPU | added CPU s / 1,000 changes "
             "| --patches peak memory | files written |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        d, p, n = r["drift"], r["patches"], r["changes"]
        lines.append(f"| {r['scale']}x | {n:,} | {fmt_s(d.wall)} | {fmt_s(d.cpu)} | {fmt_s(p.wall)} | {fmt_s(p.cpu)} | "
                     f"{1000 * (p.cpu - d.cpu) / n:.3f} | {p.peak:.0f} MiB | {len(r['written'])} |")
    return lines
