"""Markdown for pull-request comments and GitHub job summaries.

A verdict and the counts first, then the problems in files as a table, then the
drift of each object as a ``diff`` block (``-`` live, ``+`` desired), folded into a
``<details>`` when it is long. Counts are known only at the end, so the body is kept
as lines until then; values are the report's (secrets already masked).

Names, messages and values come from pull requests: nothing in them may change the
comment's structure. Code spans are fenced by a backtick run longer than any inside,
plain text has Markdown punctuation escaped, ``<``, ``>`` and ``&`` as entities and
``@`` followed by a zero-width joiner (no mention), table cells have no unescaped ``|``
and no line ends, and the ``<summary>`` of a folded diff (raw HTML) is HTML-escaped.
"""
from __future__ import annotations

import difflib
import html
import json
import re
from collections import Counter
from typing import IO, Any

from ..errors import TrueupError
from ._safe import readable
from ..model import Finding, Severity, Summary
from ..runmeta import RunMeta
from .present import RunInfo, drift_entry, is_difference, not_compared_target
from .since import Since, this_run

FOLD_AFTER = 15  # diff lines; a longer object diff is collapsed
SINCE_LISTED = 50  # new and resolved findings listed each; the rest are counted
TREND_ROWS = 14  # runs in the trend table, this one included


_LINE_END = re.compile(r"\r\n?|\n")
_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")
_MENTION = "@\u200d"  # GitHub links @name and @org/team; not with a zero-width joiner after the @
_PIPE = re.compile(r"(\\*)\|")


def _one_line(text: object) -> str:
    return readable(_LINE_END.sub(" ", str(text)))


def _text(text: object) -> str:
    """Plain Markdown text, inert: no HTML, links, emphasis, mentions, cell breaks or line ends."""
    escaped = html.escape(_one_line(text), quote=False)
    return _PUNCTUATION.sub(r"\\\1", escaped).replace("@", _MENTION)


def _code(text: object) -> str:
    """A code span holding ``text`` exactly (CommonMark): fenced by a backtick run longer than any
    inside, padded with a space where it starts or ends with a backtick (or starts and ends with a
    space, which would be stripped). ``|`` is escaped with an odd run of backslashes, as a table cell
    needs (GFM splits rows before code spans are read); line ends become spaces."""
    body = _PIPE.sub(lambda m: m.group(1) * 2 + "\\|", _one_line(text))
    if not body:
        return ""
    fence = "`" * (max(map(len, re.findall("`+", body)), default=0) + 1)
    pad = " " if body[0] == "`" or body[-1] == "`" or (body[0] == body[-1] == " " and body.strip(" ")) else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def _cell(text: object) -> str:
    return _text(text)


def _html(text: object) -> str:
    """Text inside raw HTML (a ``<summary>``): escaped, one line, no mention."""
    return html.escape(_one_line(text), quote=True).replace("@", "&#64;\u200d")


def _html_code(text: object) -> str:
    return f"<code>{html.escape(_one_line(text), quote=True)}</code>"


def _value_lines(value: object) -> list[str]:
    """A value's lines in a diff block, each one line and every control and bidi character visible."""
    if isinstance(value, str) and "\n" in value.strip("\n"):
        return [_one_line(line) for line in value.splitlines()]
    return [_one_line(json.dumps(value, ensure_ascii=False, default=str))]


def _fence(lines: list[str]) -> str:
    """Longer than any backtick run in the block: a closing fence may be indented, so any run counts."""
    longest = max((len(run) for line in lines for run in re.findall("`+", line)), default=0)
    return "`" * max(3, longest + 1)


class MarkdownReporter:
    def __init__(self, stream: IO[str], info: RunInfo) -> None:
        self.stream = stream
        self.info = info
        self.problems: list[str] = []
        self.objects: dict[tuple[str | None, str], list[str]] = {}
        self.sources: dict[tuple[str | None, str], str] = {}
        self.changed_in: dict[str, int] = {}  # preview: changes per environment
        self.not_compared: list[str] = []  # what was not compared, and why
        self.envs_not_compared: set[str] = set()  # environments nothing was compared for
        self.since = Since(info.previous) if info.previous is not None else None
        self.unwaived: Counter = Counter()  # by rule, for this run's point of the trend
        self.annotations: Any = None  # in a job summary: the annotations written beside it (GithubReporter)

    def write(self, finding: Finding) -> None:
        if self.since is not None:
            self.since.see(finding)
        if not finding.waived:
            self.unwaived[finding.rule] += 1
        if finding.waived and not self.info.verbose:
            return
        target = not_compared_target(finding)
        if target is not None:
            if not target:
                self.envs_not_compared.add(finding.environment or "")
            env = f" ({_text(finding.environment)})" if finding.environment and target else ""
            self.not_compared.append(f"- {_text(finding.message)}{env}")
            return
        if is_difference(finding.rule):
            if finding.rule.startswith("change.") and finding.environment:
                self.changed_in[finding.environment] = self.changed_in.get(finding.environment, 0) + 1
            self._drift(finding)
            return
        where = finding.file or finding.target
        if finding.line is not None:
            where += f":{finding.line}"
        link = self.info.run.file_link(finding.file, finding.line) if self.info.run is not None else None
        shown = f"[{_code(where)}]({link})" if link else _code(where)
        at = f" at {_code(finding.path)}" if finding.path else ""
        waived = " (waived)" if finding.waived else ""
        self.problems.append(f"| {finding.severity} | {shown} | {_cell(finding.message)}{at}{waived} "
                             f"| {_code(finding.rule)} |")

    def _drift(self, finding: Finding) -> None:
        key = (finding.environment, finding.target)
        rows = self.objects.setdefault(key, [])
        entry = drift_entry(finding)
        kind, place = entry.kind, ", ".join(entry.place)
        if key not in self.sources:
            self.sources[key] = list(entry.files)
        rows.append(_one_line(f"@@ {kind} {finding.path or finding.message}{f' ({place})' if place else ''} @@"))
        if kind == "changed" and any(isinstance(v, str) and "\n" in v for v in (finding.live, finding.desired)):
            diff = difflib.unified_diff(_value_lines(finding.live), _value_lines(finding.desired), lineterm="", n=1)
            rows.extend(list(diff)[2:])
        else:
            if kind in ("changed", "extra", "removed") and finding.path:
                rows.extend(f"- {line}" for line in _value_lines(finding.live))
            if kind in ("changed", "missing", "added") and finding.path:
                rows.extend(f"+ {line}" for line in _value_lines(finding.desired))

    def finish(self, summary: Summary, error: TrueupError | None = None) -> None:
        out = self.stream
        if error is not None:
            out.write(f"## trueup {_text(self.info.command)}: error\n\n{_code(error)}\n")
            return
        active = sum(summary.active_by_severity.values())
        if summary.incomplete:
            inputs = "input" if summary.incomplete == 1 else "inputs"
            verdict = f"❌ incomplete: {summary.incomplete} {inputs} could not be read or rendered (exit 2)"
        elif summary.exit_code:
            verdict = f"❌ {summary.failing} failing"
        elif active == len(self.not_compared) and self.info.environments \
                and self.envs_not_compared >= set(self.info.environments):
            verdict = "⚪ not compared: nothing here was compared with live state"
        elif active:
            verdict = f"⚠️ {active} below the failing severity"
        else:
            verdict = "✅ no findings" + (f" ({summary.waived} waived)" if summary.waived else "")
        if self.info.command == "preview" and not summary.exit_code:
            changed = sum(n for rule, n in summary.by_rule.items() if rule.startswith("change.") and is_difference(rule))
            verdict = f"📝 {changed} {'change' if changed == 1 else 'changes'}, no new problems" if changed else "✅ no changes"
        envs = f" ({_text(', '.join(self.info.environments))})" if self.info.environments else ""
        out.write(f"## trueup {_text(self.info.command)}{envs}: {verdict}\n\n")
        if self.info.run is not None:
            out.write(_run_line(self.info.run) + "\n\n")
        out.write(f"{summary.documents} documents in {summary.files} files; fail on: {summary.fail_label}.\n\n")
        hidden = self.annotations.hidden() if self.annotations is not None else {}
        if hidden:
            counts = ", ".join(f"{n} {level}{'s' if n > 1 else ''}" for level, n in sorted(hidden.items()))
            out.write(f"> GitHub shows at most 10 annotations of each kind per step: {counts} were not shown on the "
                      "changed lines (the most severe were). Every finding is listed below.\n\n")
        prod = sorted(env for env in self.changed_in if env.lower().startswith("prod"))
        if prod:
            counts = ", ".join(f"{self.changed_in[env]} in {_text(env)}" for env in prod)
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
        if self.since is not None:
            out.write(self._since())
        if self.info.history:
            out.write(self._trend(summary))
        if self.not_compared:
            out.write("### Not compared\n\n" + "\n".join(self.not_compared) + "\n\n")
        if self.problems:
            out.write("### Problems\n\n| severity | where | what | rule |\n| --- | --- | --- | --- |\n")
            out.write("\n".join(self.problems) + "\n\n")
        if self.objects:
            title = "Changes" if self.info.command == "preview" else "Drift"
            noun = "object" if len(self.objects) == 1 else "objects"
            out.write(f"### {title} ({len(self.objects)} {noun}; `-` {'base, `+` head' if title == 'Changes' else 'live, `+` desired'})\n\n")
        for (env, target), rows in self.objects.items():
            sources = self.sources[(env, target)]
            fence = _fence(rows)
            block = f"{fence}diff\n" + "\n".join(rows) + f"\n{fence}\n"
            if len(rows) > FOLD_AFTER:
                # Raw HTML: Markdown is not read inside it, so the title is HTML, escaped.
                title = _html_code(target) + (f" ({_html(env)})" if env else "")
                title += (": " + " vs ".join(_html_code(f) for f in sources)) if sources else ""
                count = sum(1 for r in rows if r.startswith("@@"))
                out.write(f"<details><summary>{title}: {count} differences</summary>\n\n{block}\n</details>\n\n")
            else:
                title = _code(target) + (f" ({_text(env)})" if env else "")
                title += (": " + " vs ".join(_code(f) for f in sources)) if sources else ""
                out.write(f"{title}\n\n{block}\n")


    def _since(self) -> str:
        """What is new since the previous report and what it had that is gone: the tracking
        issue's first question each morning."""
        assert self.since is not None
        new, resolved = self.since.new(), self.since.resolved()
        out = [f"### Since the previous report: {len(new)} new, {len(resolved)} resolved\n"]
        for title, entries in (("New", new), ("Resolved", resolved)):
            if not entries:
                continue
            out.append(f"**{title}**\n")
            for _, (rule, env, target, path) in entries[:SINCE_LISTED]:
                where = f" ({_text(env)})" if env else ""
                out.append(f"- {_code(rule)} {_code(target)}{where}" + (f" at {_code(path)}" if path else ""))
            if len(entries) > SINCE_LISTED:
                out.append(f"- … and {len(entries) - SINCE_LISTED} more")
            out.append("")
        return "\n".join(out) + "\n"

    def _trend(self, summary: Summary) -> str:
        """The last runs' drift and violations, this one last."""
        points = [*self.info.history[-(TREND_ROWS - 1):], ("this run", *this_run(self.unwaived))]
        rows = "".join(f"| {_text(label)} | {drift} | {violations} |\n" for label, drift, violations in points)
        return f"### Trend (last {len(points)} runs)\n\n| run | drift | violations |\n| --- | ---: | ---: |\n{rows}\n"


def _run_line(run: RunMeta) -> str:
    """``Ran 2026-12-06 12:00 UTC with trueup 0.1.0 on `a1b2c3d` (`main`) · CI run``, linked where known."""
    parts = [f"Ran {run.when} with trueup {_text(run.version)}"]
    if run.commit:
        commit = _code(run.commit[:12])
        link = run.commit_link()
        parts[0] += " on " + (f"[{commit}]({link})" if link else commit) + (f" ({_code(run.branch)})" if run.branch else "")
    if run.ci_run:
        parts.append(f"[CI run]({run.ci_run})")
    return "<sub>" + " · ".join(parts) + "</sub>"


def make(stream: IO[str], info: RunInfo) -> MarkdownReporter:
    return MarkdownReporter(stream, info)
