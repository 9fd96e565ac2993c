"""What changed since earlier runs: the findings a previous JSON report had (new and resolved
compare by fingerprint, as SARIF's partialFingerprints do) and the drift and violation counts of
earlier runs (JSON reports or an audit log) for a trend. Shared by the formats that show them:
HTML, JSON and Markdown."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Sequence

from ..model import Finding
from ..tree import real_path
from .present import NOTE_RULES, is_difference


class Since:
    """Follows the findings of a run as they stream past, against a previous report's
    (``previous_findings``): which are new, and at the end which of the previous ones are gone."""

    def __init__(self, previous: tuple) -> None:
        self.before = {entry[0]: entry[1:] for entry in previous}
        self.seen: dict[str, tuple] = {}

    def see(self, finding: Finding) -> bool:
        """Whether ``finding`` is new since the previous report."""
        key = finding.fingerprint
        self.seen.setdefault(key, (finding.rule, finding.environment, finding.target, finding.path))
        return key not in self.before

    def new(self) -> list[tuple[str, tuple]]:
        return [(fp, entry) for fp, entry in self.seen.items() if fp not in self.before]

    def resolved(self) -> list[tuple[str, tuple]]:
        return [(fp, entry) for fp, entry in self.before.items() if fp not in self.seen]


def this_run(by_rule: dict) -> tuple[int, int]:
    """(drift, violations) of a run's unwaived findings by rule, as a history point counts them."""
    counted = {rule: n for rule, n in by_rule.items()
               if isinstance(rule, str) and rule != "drift.ignored" and rule not in NOTE_RULES}
    drift = sum(n for rule, n in counted.items() if is_difference(rule))
    return drift, sum(counted.values()) - drift


def previous_findings(path: Path) -> tuple:
    """A previous JSON report's findings as (fingerprint, rule, environment, target, path)."""
    from .merge import read_report

    found = (Finding.from_json(data) for data in read_report(path)["findings"])
    return tuple(dict.fromkeys((f.fingerprint, f.rule, f.environment, f.target, f.path) for f in found))


def history_points(paths: Sequence[Path], *, skip: Sequence[Path] = (), command: str | None = None) -> tuple:
    """(label, drift, violations) per earlier run, in the order given: a JSON report is one run
    (labelled by its file name), an audit log (``.jsonl``) one per record of ``command``;
    ``skip``: the reports of this run, which is always the last point."""
    return history(paths, skip=skip, command=command)[0]


def history(paths: Sequence[Path], *, skip: Sequence[Path] = (), command: str | None = None) -> tuple[tuple, tuple]:
    """``history_points``, and beside each point the drift per environment of that run (a JSON
    report's findings say their environment; an audit record counts by rule only: ``{}``)."""
    from ..audit import records
    from .merge import read_report

    def point(label: str, run: dict, by_rule: dict) -> tuple[tuple[str, int, int], dict[str, int]]:
        """Unwaived findings, as this run's point counts them; only by rule where a run kept no findings."""
        found = run.get("findings")
        by_env: Counter = Counter()
        if isinstance(found, list):
            kept = [f for f in found if isinstance(f, dict) and not f.get("waived")]
            by_rule = Counter(f.get("rule") for f in kept)
            by_env.update(str(f.get("environment")) for f in kept
                          if isinstance(f.get("rule"), str) and is_difference(f["rule"]) and f.get("environment"))
        return (label, *this_run(by_rule)), dict(by_env)

    current, points = {real_path(p) for p in skip}, []
    for path in paths:
        if real_path(path) in current:
            continue
        if path.suffix == ".jsonl":
            points += [point(str(r.get("time", "?"))[:16].replace("T", " "), r, r["counts"].get("by_rule") or {})
                       for r in records(path) if isinstance(r.get("counts"), dict)
                       and (command is None or r.get("command") == command)]
        else:
            report = read_report(path)
            points.append(point(_label(path), report, (report.get("summary") or {}).get("by_rule") or {}))
    return tuple(p for p, _ in points), tuple(e for _, e in points)


def _label(path: Path) -> str:
    """A report's name on the chart: its file's stem; the nightly workflow's ``2026-11-20T031700Z``
    stamps as ``2026-11-20 03:17``."""
    stamp = re.fullmatch(r"(\d{4}-\d\d-\d\d)T(\d\d)(\d\d)\d\dZ", path.stem)
    return f"{stamp[1]} {stamp[2]}:{stamp[3]}" if stamp else path.stem


