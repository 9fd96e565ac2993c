"""Baselines: accepted findings, each with a reason, an owner and an expiry date.

A finding's fingerprint is its rule, environment, target and JSON Pointer: no line
number, so it survives line moves and unrelated edits. ``check --baseline`` waives
findings whose fingerprint is accepted and still valid, and fails on expired
entries (naming them), so nothing is accepted forever by accident; entries may not
reach further than the configured maximum lifetime.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import ConfigError, ParseError
from ..load import load_path
from ..model import Finding, Severity

DEFAULT_FILE = "baselines/accepted.yaml"
DEFAULT_MAX_DAYS = 90
REQUIRED = ("fingerprint", "rule", "target", "path", "reason", "owner", "expires")


@dataclass
class Entry:
    fingerprint: str
    rule: str
    target: str
    path: str
    reason: str
    owner: str
    expires: dt.date
    environment: str | None = None
    ticket: str | None = None
    line: int | None = None

    def to_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"fingerprint": self.fingerprint, "rule": self.rule, "target": self.target,
                               "path": self.path}
        if self.environment:
            out["environment"] = self.environment
        out.update(reason=self.reason, owner=self.owner)
        if self.ticket:
            out["ticket"] = self.ticket
        out["expires"] = self.expires.isoformat()
        return out


@dataclass
class Baseline:
    file: str
    entries: dict[str, Entry] = field(default_factory=dict)
    max_days: int = DEFAULT_MAX_DAYS

    def apply(self, findings: Iterable[Finding], today: dt.date | None = None) -> Iterator[Finding]:
        """Waive accepted findings; then one ``baseline.expired`` finding per entry past its date or lifetime."""
        today = today or dt.date.today()
        for finding in findings:
            entry = self.entries.get(finding.fingerprint)
            if entry is not None and not finding.waived and self._valid(entry, today):
                finding.waived = True
                ticket = f", {entry.ticket}" if entry.ticket else ""
                finding.message += f" (baselined: {entry.reason}; {entry.owner}{ticket}; until {entry.expires})"
            yield finding
        for entry in self.entries.values():
            if not self._valid(entry, today):
                too_long = entry.expires > today + dt.timedelta(days=self.max_days)
                why = (f"expires {entry.expires}, beyond the {self.max_days}-day limit" if too_long
                       else f"expired on {entry.expires}")
                yield Finding("baseline.expired", Severity.HIGH,
                              f"baseline entry for {entry.rule} at {entry.path or '(whole)'} {why} "
                              f"(owner {entry.owner}): fix the finding or renew the entry",
                              entry.target, entry.path, self.file, entry.line, None, environment=entry.environment)

    def _valid(self, entry: Entry, today: dt.date) -> bool:
        return today <= entry.expires <= today + dt.timedelta(days=self.max_days)


def _date(value: Any, file: str, line: int | None) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"baseline: expires must be a date (YYYY-MM-DD), not {value!r}", file, line) from None


def load_baseline(path: Path, display: str, max_days: int = DEFAULT_MAX_DAYS) -> Baseline:
    baseline = Baseline(display, max_days=max_days)
    if not path.exists():
        return baseline
    try:
        loaded = load_path(path, file=display, name=display, fmt="yaml", kind="config")
    except ParseError as exc:
        raise ConfigError(f"baseline: {exc.cause}", exc.file, exc.line, exc.column) from None
    doc = loaded.documents[0] if loaded.documents else None
    entries = doc.data.get("entries") if doc is not None and isinstance(doc.data, dict) else None
    if doc is not None and not isinstance(entries, list):
        raise ConfigError("baseline: expected a mapping with an `entries` list", display, 1, 1)
    for index, raw in enumerate(entries or []):
        line = (doc.locate(f"/entries/{index}") or (None, None))[0] if doc else None
        missing = [k for k in REQUIRED if not isinstance(raw, dict) or not raw.get(k)]
        if missing:
            raise ConfigError(f"baseline: entry {index + 1} needs {', '.join(missing)}", display, line)
        baseline.entries[str(raw["fingerprint"])] = Entry(
            fingerprint=str(raw["fingerprint"]), rule=str(raw["rule"]), target=str(raw["target"]),
            path=str(raw["path"]), reason=str(raw["reason"]), owner=str(raw["owner"]),
            expires=_date(raw["expires"], display, line), environment=raw.get("environment"),
            ticket=raw.get("ticket"), line=line,
        )
    return baseline


@dataclass
class Update:
    kept: int = 0
    added: int = 0
    removed: int = 0


def update_baseline(
    previous: Baseline, findings: Iterable[Finding], *, reason: str, owner: str, ticket: str | None,
    expires: dt.date,
) -> tuple[list[Entry], Update]:
    """Current unwaived findings as entries: known ones keep their reason, owner and date."""
    counts = Update()
    entries: dict[str, Entry] = {}
    for finding in findings:
        if finding.rule.startswith(("input.", "baseline.")) or finding.rule == "drift.not-compared" or finding.waived:
            continue
        fp = finding.fingerprint
        if fp in entries:
            continue
        if fp in previous.entries:
            entries[fp] = previous.entries[fp]
            counts.kept += 1
        else:
            entries[fp] = Entry(fp, finding.rule, finding.target, finding.path, reason, owner, expires,
                                finding.environment, ticket)
            counts.added += 1
    counts.removed = len(set(previous.entries) - set(entries))
    return sorted(entries.values(), key=lambda e: (e.environment or "", e.target, e.rule, e.path)), counts


def baseline_text(entries: list[Entry]) -> str:
    """The baseline file holding ``entries``."""
    import yaml

    header = (
        "# trueup baseline: findings accepted for now. Each entry says why, who owns it and until when;\n"
        "# `trueup baseline update` rewrites this file, keeping reasons, owners and dates of known entries.\n"
    )
    body = yaml.safe_dump({"version": 1, "entries": [e.to_data() for e in entries]}, sort_keys=False,
                          allow_unicode=True, width=120)
    return header + body
