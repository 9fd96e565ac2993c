"""Markdown for pull-request comments and GitHub job summaries.

A verdict and the counts first, then the problems in files as a table, then the
drift of each object as a ``diff`` block (``-`` live, ``+`` desired), folded into a
``<details>`` when it is long. Counts are known only at the end, so the body is kept
as lines until then; values are the report's (secrets already masked).
"""
from __future__ import annotations

import difflib
import json
from typing import IO

from ..errors import TrueupError
from ..model import Finding, Severity, Summary
from . import RunInfo, blame_text, is_difference, sides

FOLD_AFTER = 15  # diff lines; a longer object diff is collapsed


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _code(value: object) -> list[str]:
    if isinstance(value, str) and "\n" in value.strip("\n"):
        return value.splitlines()
    return [json.dumps(value, ensure_ascii=False, default=str)]


def _fence(lines: list[str]) -> str:
    longest = max((len(line) - len(line.lstrip("`")) for line in lines), default=0)
    return "`" * max(3, longest + 1)


class MarkdownReporter:
    def __init__(self, stream: IO[str], info: RunInfo) -> None:
        self.stream = stream
        self.info = info
        self.problems: list[str] = []
        self.objects: dict[tuple[str | None, str], list[str]] = {}
        self.sources: dict[tuple[str | None, str], str] = {}
        self.changed_in: dict[str, int] = {}  # preview: changes per environment

    def write(self, finding: Finding) -> None:
        if finding.waived and not self.info.verbose:
            return
        if is_difference(finding.rule):
            if finding.rule.startswith("change.") and finding.environment:
                self.changed_in[finding.environment] = self.changed_in.get(finding.environment, 0) + 1
            self._drift(finding)
            return
        where = finding.file or finding.target
        if finding.line is not None:
            where += f":{finding.line}"
        at = f" at `{finding.path}`" if finding.path else ""
        waived = " (waived)" if finding.waived else ""
        self.problems.append(f"| {finding.severity} | `{_cell(where)}` | {_cell(finding.message)}{at}{waived} "
                             f"| `{finding.rule}` |")

    def _drift(self, finding: Finding) -> None:
        key = (finding.environment, finding.target)
        rows = self.objects.setdefault(key, [])
        old, _ = sides(finding.rule)
        kind = finding.rule.split(".", 1)[1]
        only_old = kind in ("extra", "removed")
        if key not in self.sources:
            desired = finding.file if not only_old else None
            other = finding.live_file if finding.live_file != desired else None
            self.sources[key] = " vs ".join(f"`{f}`" for f in (desired, other) if f)
        place = f"line {finding.line}" if finding.line is not None and not only_old else ""
        if finding.live_line is not None:
            place += (", " if place else "") + f"{old} line {finding.live_line}"
        if blame_text(finding):
            place += (", " if place else "") + blame_text(finding)
        rows.append(f"@@ {kind} {finding.path or finding.message}{f' ({place})' if place else ''} @@")
        if kind == "changed" and any(isinstance(v, str) and "\n" in v for v in (finding.live, finding.desired)):
            diff = difflib.unified_diff(_code(finding.live), _code(finding.desired), lineterm="", n=1)
            rows.extend(list(diff)[2:])
        else:
            if kind in ("changed", "extra", "removed") and finding.path:
                rows.extend(f"- {line}" for line in _code(finding.live))
            if kind in ("changed", "missing", "added") and finding.path:
                rows.extend(f"+ {line}" for line in _code(finding.desired))

    def finish(self, summary: Summary, error: TrueupError | None = None) -> None:
        out = self.stream
        if error is not None:
            out.write(f"## trueup {self.info.command}: error\n\n`{_cell(error)}`\n")
            return
        active = sum(summary.active_by_severity.values())
        if summary.incomplete:
            inputs = "input" if summary.incomplete == 1 else "inputs"
            verdict = f"❌ incomplete: {summary.incomplete} {inputs} could not be read or rendered (exit 2)"
        elif summary.exit_code:
            verdict = f"❌ {summary.failing} failing"
        elif active:
            verdict = f"⚠️ {active} below the failing severity"
        else:
            verdict = "✅ no findings" + (f" ({summary.waived} waived)" if summary.waived else "")
        if self.info.command == "preview" and not summary.exit_code:
            changed = sum(n for rule, n in summary.by_rule.items() if rule.startswith("change.") and is_difference(rule))
            verdict = f"📝 {changed} {'change' if changed == 1 else 'changes'}, no new problems" if changed else "✅ no changes"
        envs = f" ({', '.join(self.info.environments)})" if self.info.environments else ""
        out.write(f"## trueup {self.info.command}{envs}: {verdict}\n\n")
        out.write(f"{summary.documents} documents in {summary.files} files; fail on: {summary.fail_label}.\n\n")
        prod = sorted(env for env in self.changed_in if env.lower().startswith("prod"))
        if prod:
            counts = ", ".join(f"{self.changed_in[env]} in {env}" for env in prod)
            out.write(f"> **⚠️ This change reaches production:** {counts}.\n\n")
        if summary.total:
            out.write("| severity | findings |\n| --- | ---: |\n")
            # Waived findings are counted once, on their own row, as the text report does.
            for severity in sorted(Severity, reverse=True):
                if summary.active_by_severity.get(str(severity)):
                    out.write(f"| {severity} | {summary.active_by_severity[str(severity)]} |\n")
            if summary.waived:
                out.write(f"| waived | {summary.waived} |\n")
            out.write("\n")
        if self.problems:
            out.write("### Problems\n\n| severity | where | what | rule |\n| --- | --- | --- | --- |\n")
            out.write("\n".join(self.problems) + "\n\n")
        if self.objects:
            title = "Changes" if self.info.command == "preview" else "Drift"
            noun = "object" if len(self.objects) == 1 else "objects"
            out.write(f"### {title} ({len(self.objects)} {noun}; `-` {'base, `+` head' if title == 'Changes' else 'live, `+` desired'})\n\n")
        for (env, target), rows in self.objects.items():
            title = f"`{target}`" + (f" ({env})" if env else "") + (f": {self.sources[(env, target)]}" if self.sources[(env, target)] else "")
            fence = _fence(rows)
            block = f"{fence}diff\n" + "\n".join(rows) + f"\n{fence}\n"
            if len(rows) > FOLD_AFTER:
                count = sum(1 for r in rows if r.startswith("@@"))
                out.write(f"<details><summary>{title}: {count} differences</summary>\n\n{block}\n</details>\n\n")
            else:
                out.write(f"{title}\n\n{block}\n")


def make(stream: IO[str], info: RunInfo) -> MarkdownReporter:
    return MarkdownReporter(stream, info)
