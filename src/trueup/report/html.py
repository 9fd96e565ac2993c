"""One self-contained HTML page, the nightly drift report: opened anywhere, offline.

No network: inline CSS, a few lines of inline JS, the chart as inline SVG. The verdict
and figures, a status row per environment and target, what is new and what was
resolved since a previous report and drift and violations over earlier runs (both from
``trueup report merge --previous/--history``), the problems in files, and each drifted
object as a side-by-side diff (live | desired) in a ``<details>``. ``write`` keeps
escaped rows and counts only. Values are the report's (secrets masked), all escaped.
"""
from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections import Counter
from html import escape
from importlib import resources
from typing import IO, Sequence

from ..errors import TrueupError
from ._safe import readable
from ..model import Finding, Severity, Summary
from .present import NOTE_RULES, RunInfo, drift_entry, is_difference, not_compared_target
from .since import Since

ABSENT = '<span class="absent">absent</span>'
FOLD_AFTER = 15  # differences; a longer object starts folded


def _e(value: object) -> str:
    return escape(readable(str(value)), quote=True)


def _value(value: object) -> str:
    return f"<code>{_e(json.dumps(value, ensure_ascii=False, default=str))}</code>"


def _anchor(environment: str, target: str) -> str:
    return "obj-" + hashlib.sha256(json.dumps([environment, target]).encode()).hexdigest()[:12]


def _table(cls: str, heads: str, rows: list[str]) -> str:
    """``heads``: names separated by ``|``, a trailing ``#`` right-aligns a (number) column."""
    cells = "".join(f'<th class="num">{h[:-1]}</th>' if h.endswith("#") else f"<th>{h}</th>" for h in heads.split("|"))
    return f'<table class="{cls}"><thead><tr>{cells}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _line_diff(live: str, desired: str) -> str:
    """Side by side, changed lines marked, long unchanged runs folded."""
    a, b = live.splitlines(), desired.splitlines()
    rows, skip, end = [], '<tr class="ld-skip"><td colspan="4">⋯</td></tr>', 0
    for n, group in enumerate(difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(2)):
        rows += [skip] if n or group[0][1] or group[0][3] else []
        end = group[-1][2]
        for tag, i1, i2, j1, j2 in group:
            for k in range(max(i2 - i1, j2 - j1)):
                i, j = (i1 + k if i1 + k < i2 else None), (j1 + k if j1 + k < j2 else None)
                cls = "eq" if tag == "equal" else "add" if i is None else "del" if j is None else "chg"
                rows.append(f'<tr class="ld-row {cls}"><td class="ln">{"" if i is None else i + 1}</td>'
                            f'<td class="ld-live">{"" if i is None else _e(a[i])}</td>'
                            f'<td class="ln">{"" if j is None else j + 1}</td>'
                            f'<td class="ld-desired">{"" if j is None else _e(b[j])}</td></tr>')
    return '<table class="linediff">' + "".join(rows + [skip] * (end < len(a))) + "</table>"


def _chart(points: Sequence[tuple[str, int, int]], by_env: Sequence[dict[str, int]] = ()) -> str:
    """Drift and violations per run: two polylines with a point per run, the last one this run;
    with runs of more than one environment, a thinner line of drift per environment too (over the
    runs that say their environments)."""
    width, height, right, top, bottom = 760, 270, 20, 16, 86
    # Labels are rotated to end at their point: the first one needs room on the left.
    left = max(48, round(len(points[0][0][:28]) * 11 * 0.62 * 0.866) + 8)
    high = max(1, *(max(d, v) for _, d, v in points))
    step = (width - left - right) / max(1, len(points) - 1)

    def x(i: int) -> float:
        return round(left + (i * step if len(points) > 1 else (width - left - right) / 2), 1)

    def y(value: int) -> float:
        return round(top + (height - top - bottom) * (1 - value / high), 1)

    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
           f'aria-label="drift and violations over {len(points)} runs">']
    for tick in sorted({0, high // 2, high}):
        out.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(tick)}" y2="{y(tick)}"/>'
                   f'<text x="{left - 6}" y="{y(tick) + 4}" text-anchor="end">{tick}</text>')
    out.append(f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{height - bottom}"/>'
               f'<line class="axis" x1="{left}" x2="{width - right}" y1="{height - bottom}" y2="{height - bottom}"/>')
    every = max(1, len(points) // 20)
    out += [f'<text class="xlabel" transform="translate({x(i)},{height - bottom + 14}) rotate(-30)" '
            f'text-anchor="end">{_e(p[0][:28])}</text>'
            for i, p in enumerate(points) if i % every == 0 or i == len(points) - 1]
    for index, name in ((1, "drift"), (2, "violations")):
        coords = " ".join(f"{x(i)},{y(p[index])}" for i, p in enumerate(points))
        out.append(f'<polyline class="series series-{name}" points="{coords}"/>')
        out += [f'<circle class="pt pt-{name}" cx="{x(i)}" cy="{y(p[index])}" r="4" data-value="{p[index]}">'
                f'<title>{_e(p[0])}: {p[index]} {name}</title></circle>' for i, p in enumerate(points)]
        out.append(f'<rect class="pt-{name}" x="{index * 110 - 52}" y="{height - 16}" width="12" height="4"/>'
                   f'<text x="{index * 110 - 36}" y="{height - 11}">{name}</text>')
    envs = sorted({env for counts in by_env for env in counts})
    if len(envs) > 1:
        for number, env in enumerate(envs):
            known = [(i, counts.get(env, 0)) for i, counts in enumerate(by_env) if counts]
            coords = " ".join(f"{x(i)},{y(value)}" for i, value in known)
            shade = f"env-{number % 6}"
            out.append(f'<polyline class="series series-env {shade}" data-env="{_e(env)}" points="{coords}">'
                       f'<title>{_e(env)}: drift</title></polyline>')
            out += [f'<circle class="pt pt-env {shade}" data-env="{_e(env)}" cx="{x(i)}" cy="{y(value)}" r="2.5" '
                    f'data-value="{value}"><title>{_e(points[i][0])}: {value} drift in {_e(env)}</title></circle>'
                    for i, value in known]
            if number < 5:  # the legend has room for five
                out.append(f'<rect class="pt-env {shade}" x="{250 + number * 100}" y="{height - 16}" width="12" '
                           f'height="2"/><text x="{266 + number * 100}" y="{height - 11}">{_e(env[:12])}</text>')
    return "".join(out) + "</svg>"


class HtmlReporter:
    def __init__(self, stream: IO[str], info: RunInfo) -> None:
        self.stream, self.info = stream, info
        self.status: dict[tuple[str, str], Counter] = {}
        self.since = Since(info.previous) if info.previous is not None else None
        self.problems: list[str] = []
        self.objects: dict[tuple[str, str], list[str]] = {}
        self.sources: dict[tuple[str, str], str] = {}
        self.columns = ("base", "head") if info.command == "preview" else ("live", "desired")
        self.why: dict[tuple[str, str], str] = {}  # (environment, target or "") -> why it was not compared

    def write(self, finding: Finding) -> None:
        f, key = finding, (finding.environment or "", finding.target)
        if self.since is not None:
            self.since.see(f)
        drift = is_difference(f.rule)
        kind = ("waived" if f.waived else "ignored" if f.rule == "drift.ignored" else "drift" if drift
                else "notes" if f.rule in NOTE_RULES else "violations")
        target = not_compared_target(f)
        if target is not None:  # said in the status tables, not as a problem, with why
            self.why[(f.environment or "", target)] = f.message
            return
        self.status.setdefault(key, Counter())[kind] += 1
        if f.waived and not self.info.verbose:
            return
        if drift:
            return self._drift(key, f)
        where = (f.file or f.target) + (f":{f.line}" if f.line is not None else "")
        waived = '<span class="tag">waived</span>' if f.waived else ""
        link = self.info.run.file_link(f.file, f.line) if self.info.run is not None else None
        shown = f'<a href="{_e(link)}"><code>{_e(where)}</code></a>' if link else f"<code>{_e(where)}</code>"
        self.problems.append(
            f'<tr class="problem"><td class="sev sev-{f.severity}">{f.severity}</td><td>{shown}</td>'
            f'<td>{_e(f.environment or "—")}</td><td>{_e(f.target)}</td><td>{_e(f.message)}{waived}'
            f'<div class="where">{_e(f.path)}</div></td><td><code>{_e(f.rule)}</code></td></tr>')

    def _drift(self, key: tuple[str, str], f: Finding) -> None:
        rows = self.objects.setdefault(key, [])
        entry = drift_entry(f)
        kind, place = entry.kind, entry.place
        if key not in self.sources:
            other = entry.other_file and f"{entry.old} {entry.other_file}"
            self.sources[key] = " vs ".join(x for x in (entry.desired_file, other) if x)
        head = (f'<td class="ptr"><code>{_e(f.path or "(whole object)")}</code><span class="kind {kind}">{kind}</span>'
                f'<div class="msg">{_e(f.message)}</div><div class="where">{_e(", ".join(place))}</div></td>')
        lines = any(isinstance(v, str) and "\n" in v.strip("\n") for v in (f.live, f.desired))
        if kind in ("changed", "ignored") and lines:
            cells = f'<td class="lines" colspan="2">{_line_diff(str(f.live or ""), str(f.desired or ""))}</td>'
        else:
            live = ABSENT if kind in ("missing", "added") else _value(f.live) if f.path else "(exists)"
            desired = ABSENT if entry.only_old else _value(f.desired) if f.path else "(declared)"
            cells = f'<td class="live">{live}</td><td class="desired">{desired}</td>'
        rows.append(f'<tr class="diff-row {kind}{" waived" * f.waived}" data-pointer="{_e(f.path)}">{head}{cells}</tr>')

    def finish(self, summary: Summary, error: TrueupError | None = None) -> None:
        envs = f" ({', '.join(self.info.environments)})" if self.info.environments else ""
        title = f"trueup {self.info.command}{envs}"
        body = [f"<header><h1>{_e(title)}</h1>{self._verdict(summary, error)}{self._run()}</header>"]
        if error is None:
            body += [self._figures(summary), self._history(summary), self._changes(), self._status_table(),
                     self._problems(), self._drift_section()]
        template = resources.files(__package__).joinpath("html_template.html").read_text("utf-8")
        fill = {"TITLE": _e(title), "BODY": "\n".join(part for part in body if part)}
        parts = re.split(r"%%(TITLE|BODY)%%", template)
        self.stream.write("".join(fill[p] if i % 2 else p for i, p in enumerate(parts)))

    def _run(self) -> str:
        """When, with which trueup, on which commit, from which CI run: linked where known."""
        run = self.info.run
        if run is None:
            return ""
        parts = [f'<time datetime="{_e(run.started)}">{_e(run.when)}</time>', f"trueup {_e(run.version)}"]
        if run.commit:
            link = run.commit_link()
            commit = f"<code>{_e(run.commit[:12])}</code>"
            parts.append((f'<a href="{_e(link)}">{commit}</a>' if link else commit)
                         + (f" on <code>{_e(run.branch)}</code>" if run.branch else ""))
        if run.repository:
            parts.append(f'<a href="{_e(run.repository)}">{_e(run.repository.split("://", 1)[-1])}</a>')
        if run.ci_run:
            parts.append(f'<a href="{_e(run.ci_run)}">CI run</a>')
        return f'<p class="run">{" · ".join(parts)}</p>'

    def _verdict(self, summary: Summary, error: TrueupError | None) -> str:
        if error is not None:
            kind, text = "error", f"error: the run could not be done: {error}"
        elif summary.incomplete:
            kind, text = "incomplete", f"incomplete: {summary.incomplete} inputs could not be read or rendered (exit 2)"
        elif summary.exit_code:
            kind, text = "failed", f"failed: {summary.failing} failing at or above {summary.fail_label} (exit 1)"
        elif summary.total == summary.waived:
            kind, text = "ok", "ok: no findings (exit 0)"
        else:
            kind, text = "passed", f"passed: none at or above {summary.fail_label} (exit 0)"
        code = 2 if error else summary.exit_code
        return f'<p class="verdict verdict-{kind}" id="verdict" data-exit="{code}">{_e(text)}</p>'

    def _figures(self, summary: Summary) -> str:
        figures = [(f"sev-{s}", str(s), summary.active_by_severity.get(str(s), 0)) for s in reversed(Severity)] + [
            (k, k, n) for k, n in (("failing", summary.failing), ("waived", summary.waived), ("files", summary.files),
                                   ("documents", summary.documents), ("environments", len(self.info.environments)))]
        cards = "".join(f'<div class="figure {cls}{" zero" * (not n)}" data-key="{key}"><span class="n">{n}</span>'
                        f'<span class="k">{key}</span></div>' for cls, key, n in figures)
        envs = ", ".join(self.info.environments) or "—"
        return (f'<section id="summary"><div class="figures">{cards}</div>'
                f'<p class="sub">Environments: {_e(envs)}. Fails on: {_e(summary.fail_label)}.</p></section>')

    def _history(self, summary: Summary) -> str:
        if not self.info.history:
            return ""
        # What the figures and the status tables count: unwaived findings, ignored differences apart.
        drift = sum(c["drift"] for c in self.status.values())
        points = [*self.info.history, ("this run", drift, sum(c["violations"] for c in self.status.values()))]
        now: Counter = Counter()
        for (env, _), counts in self.status.items():
            if env:
                now[env] += counts["drift"]
        earlier = list(self.info.env_history) or [{}] * len(self.info.history)
        by_env = [*earlier, dict(now)]
        return (f'<section id="history"><h2>Drift and violations over {len(points)} runs</h2>'
                f'{_chart(points, by_env)}</section>')

    def _changes(self) -> str:
        if self.since is None:
            return ""
        lists = {"new": self.since.new(), "resolved": self.since.resolved()}
        out = []
        for which, entries in lists.items():
            items = "".join(f'<li class="fp" data-fingerprint="{fp}"><code>{_e(rule)}</code> {_e(target)}'
                            f'{f" ({_e(env)})" if env else ""} <code>{_e(path)}</code></li>'
                            for fp, (rule, env, target, path) in entries)
            body = f'<ul class="fps">{items}</ul>' if items else f'<p class="none">nothing {which}</p>'
            out.append(f'<div id="{which}"><h3>{which.capitalize()} ({len(entries)})</h3>{body}</div>')
        return f'<section id="changes"><h2>Since the previous report</h2><div class="cols">{"".join(out)}</div>' \
               "</section>"

    def _status_table(self) -> str:
        status = dict(self.status)
        for _, _, env, target, _ in self.info.previous or ():
            status.setdefault((env or "", target), Counter())  # resolved since: ok now
        for env, target in self.why:
            if target:
                status.setdefault((env, target), Counter())
        rows = []
        for (env, target), c in sorted(status.items()):
            word = " + ".join(w for w, n in (("drifted", c["drift"]), ("violations", c["violations"])) if n) or "ok"
            cls = "violations" if c["violations"] else "drifted" if c["drift"] else "ok"
            why = self.why.get((env, target))
            if why is not None and cls == "ok":
                word, cls = f'not compared<div class="where">{_e(why)}</div>', "not-compared"
            name = _e(target)
            if (env, target) in self.objects:
                name = f'<a href="#{_anchor(env, target)}">{name}</a>'
            rows.append(f'<tr class="status-row" data-status="{cls}"><td>{_e(env or "—")}</td><td>{name}</td>'
                        f'<td class="status-{cls}">{word}</td><td class="num">{c["drift"]}</td>'
                        f'<td class="num">{c["violations"]}</td><td class="num">{c["waived"]}</td></tr>')
        table = _table("status", "environment|target|status|drift#|violations#|waived#", rows)
        return (self._environments() + '<section id="status"><h2>Status by target</h2>'
                + (table if rows else '<p class="none">no findings in any target</p>') + "</section>")

    def _environments(self) -> str:
        """A row per environment of the run, the ones without findings too."""
        totals: dict[str, Counter] = {env: Counter() for env in self.info.environments}
        for (env, _), counts in self.status.items():
            total = totals.setdefault(env, Counter())
            total.update(counts)
            total["objects"] += bool(counts["drift"])
        for env, target in self.why:
            totals.setdefault(env, Counter())
        rows = []
        for env, c in totals.items():
            cls = "violations" if c["violations"] else "drifted" if c["drift"] else "ok"
            why = self.why.get((env, ""))
            word = cls
            if why is not None and cls == "ok":
                word, cls = f'not compared<div class="where">{_e(why)}</div>', "not-compared"
            rows.append(f'<tr class="env-row" data-status="{cls}"><td>{_e(env or "—")}</td><td class="status-{cls}">'
                        f'{word}</td>' + "".join(f'<td class="num">{c[k]}</td>' for k in
                                                ("objects", "drift", "violations", "waived")) + "</tr>")
        if not rows:
            return ""
        table = _table("status", "environment|status|drifted targets#|drift#|violations#|waived#", rows)
        return f'<section id="environments"><h2>Status by environment</h2>{table}</section>'

    def _problems(self) -> str:
        if not self.problems:
            return ""
        return (f'<section id="problems"><h2>Problems in files ({len(self.problems)})</h2>'
                + _table("problems", "severity|where|environment|target|what|rule", self.problems) + "</section>")

    def _drift_section(self) -> str:
        if not self.objects:
            return ""
        count = f'{len(self.objects)} {"object" if len(self.objects) == 1 else "objects"}'
        out = [f'<section id="drift"><h2>Drift ({count})</h2><p class="toolbar">'
               '<button type="button" data-toggle="open">Expand all</button>'
               '<button type="button" data-toggle="close">Collapse all</button></p>']
        for (env, target), rows in self.objects.items():
            files = f'<span class="sources">{_e(self.sources[env, target])}</span>' if self.sources[env, target] else ""
            out.append(
                f'<details class="object" id="{_anchor(env, target)}" data-target="{_e(target)}" data-env="{_e(env)}"'
                f'{" open" * (len(rows) <= FOLD_AFTER)}><summary><strong>{_e(target)}</strong>'
                f'{f" ({_e(env)})" if env else ""}: {len(rows)} {"difference" if len(rows) == 1 else "differences"}'
                f'{files}</summary>{_table("diff", "pointer|" + "|".join(self.columns), rows)}</details>')
        return "".join(out) + "</section>"


def make(stream: IO[str], info: RunInfo) -> HtmlReporter:
    return HtmlReporter(stream, info)
