"""``trueup report merge``: JSON reports (the shards of a nightly run, or one report to
convert) read back as one run, for any reporter.

Shards of one environment each render the files of their own targets (the first shard
also those no target takes), and each reads the environment's values files, so a
finding that is not about one target (a values file) appears in every shard: an
identical finding counts as often as the shard that has it most, which is what one
unsharded run reports. File and document counts add up over the reports.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..errors import InputError
from ..model import Finding, Severity
from ..tree import real_path


@dataclass
class Merged:
    findings: list[Finding] = field(default_factory=list)
    command: str = "report merge"
    environments: tuple[str, ...] = ()
    files: int = 0
    documents: int = 0
    skipped: Counter = field(default_factory=Counter)  # documents no schema validated, by kind
    # The --fail-on the reports were made with, when they all agree ("never" included); else None.
    fail_on: str | None = None


def read_report(path: Path) -> dict[str, Any]:
    """A trueup JSON report; one clear error naming the file for anything else."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the report: {exc.strerror}", str(path)) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"not a JSON report: {exc}", str(path)) from None
    if not isinstance(data, dict) or data.get("tool") != "trueup" or not isinstance(data.get("findings"), list):
        raise InputError("not a trueup JSON report (run with --format json)", str(path))
    if data.get("error"):
        error = data["error"]
        raise InputError(f"that run failed: {error.get('message') if isinstance(error, dict) else error}", str(path))
    if not isinstance(data.get("summary", {}), dict):
        raise InputError("not a trueup JSON report: summary is not an object", str(path))
    environments = data.get("environments", [])
    if not isinstance(environments, list) or not all(isinstance(e, str) for e in environments):
        raise InputError("not a trueup JSON report: environments is not a list of names", str(path))
    for key in ("files", "documents"):
        count = data.get("summary", {}).get(key, 0)
        if not isinstance(count, int) or isinstance(count, bool):
            raise InputError(f"not a trueup JSON report: summary.{key} is not a whole number", str(path))
    for number, finding in enumerate(data["findings"], 1):
        problem = _problem(finding)
        if problem:
            raise InputError(f"not a trueup JSON report: finding {number}{problem}", str(path))
    problem = _against_schema(data)
    if problem:
        raise InputError(f"not a trueup JSON report: {problem}", str(path))
    return data


def _against_schema(data: Any) -> str:
    """The first place a report breaks the shipped report schema (every field's type: a report is
    untrusted input, a CI artifact anyone with write access can replace), or ""."""
    from importlib import resources

    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    from ..pointer import join_pointer

    schema = json.loads(resources.files("trueup").joinpath("schemas/report.schema.json").read_text("utf-8"))
    # Every field present is type-checked; fields a report (an earlier version's, a history point's)
    # leaves out of the top level or the summary are not required here: the checks above need only
    # ``tool`` and ``findings``. Inside a finding (its blame included) the schema's required fields hold.
    errors = (e for e in Draft202012Validator(schema).iter_errors(data)
              if not (e.validator == "required" and list(e.absolute_path) in ([], ["summary"])))
    error = best_match(errors)
    if error is None:
        return ""
    where = join_pointer(error.absolute_path) or "(top level)"
    return f"{where}: does not match the report schema ({error.validator} {error.validator_value!r:.60})"


_TEXT = ("rule", "severity", "message", "target")
_OPTIONAL = {"path": str, "file": str, "environment": str, "live_file": str, "blame": dict,
             "line": int, "column": int, "live_line": int}


def _problem(finding: Any) -> str:
    """What keeps a report's finding from being read back (``" is not an object"``), or ""."""
    if not isinstance(finding, dict):
        return " is not an object"
    for key in _TEXT:
        if not isinstance(finding.get(key), str):
            return f" has no {key}" if key not in finding else f": {key} is not a string"
    try:
        Severity.parse(finding["severity"])
    except ValueError as exc:
        return f": {exc}"
    for key, kind in _OPTIONAL.items():
        value = finding.get(key)
        if value is not None and (not isinstance(value, kind) or kind is int and isinstance(value, bool)):
            return f": {key} is not {'a whole number' if kind is int else 'a string' if kind is str else 'an object'}"
    return ""


def _key(finding: dict[str, Any]) -> str:
    return json.dumps(finding, sort_keys=True, ensure_ascii=False)


def _same_run(paths: Sequence[Path], reports: Sequence[dict[str, Any]]) -> None:
    """Refuse what would not be one run's shards: a report given twice (by path, by content or by shard)
    would count its files twice; shards of other numbers of shards, commits or CI runs are other runs."""
    seen: dict[Any, Path] = {}
    for path, report in zip(paths, reports):
        run = report.get("run") if isinstance(report.get("run"), dict) else {}
        for key, what in ((("path", str(real_path(path))), "the same file"),
                          (("content", _key(report)), "the same report"),
                          (("shard", run.get("shard")), f"shard {run.get('shard')}")):
            if key[1] is None:
                continue
            if key in seen:
                raise InputError(f"{what} is given twice ({seen[key]} and {path}): its files would count twice; "
                                 "--allow-mixed merges anyway", str(path))
            seen[key] = path
    for field_name, what in (("commit", "commits"), ("ci_run", "CI runs")):
        found: dict[str, Path] = {}
        for path, report in zip(paths, reports):
            run = report.get("run") if isinstance(report.get("run"), dict) else {}
            value = run.get(field_name)
            if isinstance(value, str):
                found.setdefault(_ATTEMPT.sub("", value), path)
        if len(found) > 1:
            shown = ", ".join(f"{value[:12] if field_name == 'commit' else value} ({path})" for value, path in found.items())
            raise InputError(f"the reports are of different {what}: {shown}; --allow-mixed merges anyway",
                             str(next(iter(found.values()))))
    counts = {run.get("shard", "").split("/")[-1] for run in
              (r.get("run") if isinstance(r.get("run"), dict) else {} for r in reports) if run.get("shard")}
    if len(counts) > 1:
        raise InputError(f"the shards split their runs into different numbers of shards ({', '.join(sorted(counts))}); "
                         "--allow-mixed merges anyway", str(paths[0]))


_ATTEMPT = re.compile(r"/attempts/\d+$")  # a re-run attempt of one CI run is the same run


def merge(paths: Sequence[Path], allow_mixed: bool = False) -> Merged:
    reports = [read_report(p) for p in paths]
    if not allow_mixed:
        _same_run(paths, reports)
    counts: Counter = Counter()
    first: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for report in reports:
        here = Counter(_key(f) for f in report["findings"])
        for finding in report["findings"]:
            key = _key(finding)
            if key not in first:
                first[key] = finding
                order.append(key)
        for key, n in here.items():
            counts[key] = max(counts[key], n)
    merged = Merged()
    for key in order:
        merged.findings.extend(Finding.from_json(first[key]) for _ in range(counts[key]))
    groups: dict[tuple[str, ...], tuple[int, int]] = {}
    for report in reports:
        envs = tuple(report.get("environments") or ())
        summary = report.get("summary") or {}
        files, documents = groups.get(envs, (0, 0))
        groups[envs] = (files + summary.get("files", 0), documents + summary.get("documents", 0))
        kinds = summary.get("skipped_kinds")
        if isinstance(kinds, dict):  # shards check disjoint files: their skipped documents add up
            merged.skipped.update({k: n for k, n in kinds.items() if isinstance(k, str) and type(n) is int and n > 0})
    merged.files = sum(f for f, _ in groups.values())
    merged.documents = sum(d for _, d in groups.values())
    merged.environments = tuple(sorted({e for envs in groups for e in envs}))
    thresholds = {str((r.get("summary") or {}).get("fail_on")) for r in reports}
    merged.fail_on = thresholds.pop() if len(thresholds) == 1 and "None" not in thresholds else None
    commands = {r.get("command") for r in reports}
    merged.command = commands.pop() if len(commands) == 1 else "report merge"
    return merged

