"""What every reporter says the same way: the run's facts (RunInfo), which findings are notes or
differences, the sides of a difference, who changed a line, and the one interface every format
implements (write each finding, finish with the summary)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from ..errors import TrueupError
from ..model import Finding, Summary
from ..runmeta import RunMeta


@dataclass(frozen=True)
class RunInfo:
    command: str
    environments: tuple[str, ...] = ()
    color: bool = False
    quiet: bool = False
    verbose: bool = False
    # A previous report's findings, (fingerprint, rule, environment, target, path) each; None: not given.
    previous: tuple | None = None
    # Earlier runs, oldest first, (label, drift, violations) each; the current run comes after them.
    history: tuple = ()
    env_history: tuple = ()  # beside each point of history: its drift per environment ({} when not known)
    run: RunMeta | None = None  # when, which commit, which CI run (formats that keep a record)


# Notes about the run, not problems: an environment nothing was compared for, a template left alone.
NOTE_RULES = frozenset({"drift.not-compared", "input.template", "input.not-regular"})


def not_compared_target(finding: Finding) -> str | None:
    """For a ``drift.not-compared`` note: the target nothing was compared for, or ``""`` when it is
    the whole environment (whose note names the config as its target); None for any other finding."""
    if finding.rule != "drift.not-compared":
        return None
    return "" if finding.target == finding.file else finding.target


_BY_HAND = re.compile(r"\((changed by hand: [^)]*)\)")


def by_hand(finding: Finding) -> str:
    """``changed by hand: kubectl-edit at ...`` where the live object's managedFields say a person's
    kubectl command wrote the drifted field (drift puts it in the message), else ``""``."""
    found = _BY_HAND.search(finding.message)
    return found.group(1) if found else ""


def is_difference(rule: str) -> bool:
    """Drift (live against desired) and preview's changes (base against head) read as diffs."""
    return (rule.startswith("drift.") and rule != "drift.not-compared") or rule in ("change.added", "change.removed", "change.changed")


def sides(rule: str) -> tuple[str, str]:
    """What a difference's two values are called: (``live``, ``desired``) or (``base``, ``head``)."""
    return ("base", "head") if rule.startswith("change.") else ("live", "desired")


def blame_text(finding: Finding) -> str:
    """``set in a1b2c3d by Ana on 2026-11-20 at values/prod.yaml:3``, or "" without blame."""
    blame = finding.blame
    if not blame:
        return ""
    where = f" at {blame['file']}:{blame['line']}" if blame["file"] != finding.file else ""
    return f"set in {blame['commit']} by {blame['author']} on {blame['date']}{where}"


@dataclass(frozen=True)
class DriftEntry:
    """How every report shows a difference: its kind (``changed``, ``missing``, ``extra``, ``added``,
    ``removed``...), what the other side is called (``live``, or ``base`` in a preview), the files it
    is between, and where in them (``line 12``, ``live line 14``, who set the line)."""

    kind: str
    old: str
    desired_file: str | None  # None where only the other side has the value
    other_file: str | None  # the other side's file, where it is another file
    place: tuple[str, ...]

    @property
    def only_old(self) -> bool:
        """Only the other side has it (live-only drift, a preview's removal)."""
        return self.kind in ("extra", "removed")

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(f for f in (self.desired_file, self.other_file) if f)


def drift_entry(finding: Finding) -> DriftEntry:
    old, _ = sides(finding.rule)
    kind = finding.rule.split(".", 1)[1]
    only_old = kind in ("extra", "removed")
    desired = finding.file if not only_old else None
    other = finding.live_file if finding.live_file != desired else None
    place = [f"line {finding.line}"] if finding.line is not None and not only_old else []
    place += [f"{old} line {finding.live_line}"] if finding.live_line is not None else []
    place += [blame_text(finding)] if finding.blame else []
    return DriftEntry(kind, old, desired, other, tuple(place))


def context(finding: Finding) -> list[str]:
    """Where a finding is, beyond its file: ``at /pointer``, ``in target``, ``(environment)``."""
    parts = []
    if finding.path:
        parts.append(f"at {finding.path}")
    if finding.target != finding.file:
        parts.append(f"in {finding.target}")
    if finding.environment:
        parts.append(f"({finding.environment})")
    return parts


class Reporter(Protocol):
    def write(self, finding: Finding) -> None: ...

    def finish(self, summary: Summary, error: TrueupError | None = None) -> None: ...
