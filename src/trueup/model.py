"""The data every stage passes on: Source files, Documents, Findings and the run Summary.

Positions are looked up lazily: parsing keeps plain Python data (as fast as a bare
``yaml.load``), and only a value that ends up in a finding asks its Source for a
line, which re-reads the text once per file through the format's locator.
"""
from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol

from .objects import CLUSTER_SCOPED_KINDS, kubernetes_target


class Severity(enum.IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, name: str) -> "Severity":
        key = name.strip().lower()
        key = SEVERITY_ALIASES.get(key, key)
        try:
            return cls[key.upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {name!r} (one of: {names})") from None


SEVERITY_ALIASES = {"error": "high", "warning": "medium", "warn": "medium", "note": "low"}
NEVER = 99  # a --fail-on threshold above every severity


class Locator(Protocol):
    def position(self, doc_index: int, pointer: str) -> tuple[int, int] | None:
        """1-based (line, column) of the value at ``pointer`` in document ``doc_index``."""


@dataclass(eq=False)
class Source:
    """One input file (or one rendered template) and how to find lines in it.

    ``file`` is the path a person edits (the template for rendered output), relative
    to the repository where possible; ``name`` is the path relative to its own root
    (the rendered path for templates), which names non-Kubernetes targets.
    ``line_map`` maps a rendered line to the template line that produced it.
    """

    file: str
    name: str
    text: str
    format: str
    locator_factory: Callable[[str], Locator] | None = None
    line_map: list[int] | None = None
    _locator: Locator | None = field(default=None, repr=False)
    _spans: dict[Any, Locator] | None = field(default=None, repr=False)  # a node read alone: its locator
    # For files read from disk: where they are and the sha256 of their bytes when read (so an edit
    # can refuse a file that changed since); for live files also the root they must stay in.
    path: Any = None
    root: Any = None
    digest: str | None = None
    bom: bool = False

    def forget_positions(self) -> None:
        """Drop the node graph a lookup built (it is rebuilt on demand): keeps memory and the
        documents a worker process sends back small."""
        self._locator = None
        self._spans = None

    def release_text(self) -> None:
        """Drop the text of a file read from disk: a position lookup reads it again, and finds
        nothing if the file has changed since (its sha256 no longer matches)."""
        if self.path is not None and self.digest is not None:
            self.text = None  # type: ignore[assignment]

    def _reread(self) -> str | None:
        import hashlib

        try:
            data = Path(self.path).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != self.digest:
            return None
        return data.decode("utf-8-sig", errors="replace")

    def _located(self, span: Any) -> Locator | None:
        """The locator of the whole text, or of ``span`` alone, built on first use (None: no locator,
        or the text is gone: released, and changed on disk since)."""
        found = self._locator if span is None else (self._spans or {}).get(span)
        if found is None and self.locator_factory is not None:
            text = self.text if self.text is not None else self._reread()
            if text is None:
                return None
            found = self.locator_factory(text if span is None else span.text(text))
            if span is None:
                self._locator = found
            else:
                self._spans = {**(self._spans or {}), span: found}
        return found

    def position(self, doc_index: int, pointer: str, span: Any = None) -> tuple[int, int] | None:
        """The line and column of ``pointer`` in document ``doc_index``, or in the text ``span``
        (a ``Span`` of :mod:`trueup.load.yaml_units`) holds when given: a node read alone, whose
        lines are found by composing that node alone."""
        locator = self._located(span)
        if locator is None:
            return None
        pos = locator.position(doc_index if span is None else 0, pointer)
        if pos is None or self.line_map is None:
            return pos
        line, column = pos
        if 1 <= line <= len(self.line_map):
            return self.line_map[line - 1], column
        return pos


@dataclass(eq=False)
class Document:
    """One parsed document: plain data (dict/list/str/int/float/bool/None) and where it came from.

    ``base`` is the JSON Pointer of this document inside the parsed one: items of a
    Kubernetes ``kind: List`` become Documents of their own with base ``/items/N``.
    """

    data: Any
    source: Source
    index: int = 0
    base: str = ""
    kind: str = "config"
    # The namespace a Kubernetes object is applied in when it names none: its target's or
    # environment's ``namespace:`` (what ``kubectl apply -n`` and Argo CD's destination do).
    namespace: str | None = None
    # A compose file's project variables (its ``.env``): rules with ``fold: interpolate`` judge
    # values as compose runs them (``nginx:${TAG}`` with ``TAG=latest`` is ``nginx:latest``).
    variables: dict[str, str] | None = None
    # Read alone (a drift shard's object, load.kept): the span of its file it was built from, and
    # its own pointer in that span; its lines are found in the span alone.
    span: tuple[Any, str] | None = None

    def locate(self, pointer: str) -> tuple[int, int] | None:
        if self.span is not None:
            return self.source.position(0, self.span[1] + pointer, self.span[0])
        return self.source.position(self.index, self.base + pointer)

    @property
    def target(self) -> str:
        """``Kind/namespace/name`` for a Kubernetes object, else the file's name under its root."""
        if self.kind == "kubernetes" and isinstance(self.data, dict):
            return kubernetes_target(self.data)
        return self.source.name


def as_applied(doc: Document) -> Document:
    """The object as the cluster would hold it: a namespaced object that names no namespace gets
    the one it is applied in (``doc.namespace``), so rules judge where it lands, not the file."""
    data = doc.data
    if doc.namespace is None or doc.kind != "kubernetes" or not isinstance(data, dict) \
            or data.get("kind") in CLUSTER_SCOPED_KINDS:
        return doc
    meta = data.get("metadata")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict) or meta.get("namespace") is not None:
        return doc
    return replace(doc, data={**data, "metadata": {**meta, "namespace": doc.namespace}}, namespace=None)


@dataclass
class Finding:
    """One problem of any kind: schema error, policy violation, drift, unreadable input."""

    rule: str
    severity: Severity
    message: str
    target: str
    path: str = ""
    file: str | None = None
    line: int | None = None
    column: int | None = None
    desired: Any = None
    live: Any = None
    waived: bool = False
    environment: str | None = None
    live_file: str | None = None
    live_line: int | None = None
    # The commit that last changed the line setting a drifted desired value: commit, author, date, file, line.
    blame: dict[str, Any] | None = None

    @property
    def fingerprint(self) -> str:
        """What names this finding across runs (baselines, new-since reports, SARIF, the audit log):
        its rule, environment, target and path; not its message, line or values, which edits move."""
        import hashlib
        import json

        key = json.dumps([self.rule, self.environment or "", self.target, self.path])
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        out = {
            "rule": self.rule,
            "severity": str(self.severity),
            "message": self.message,
            "target": self.target,
            "path": self.path,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "desired": self.desired,
            "live": self.live,
            "waived": self.waived,
            "environment": self.environment,
        }
        if self.live_file is not None:
            out["live_file"] = self.live_file
            out["live_line"] = self.live_line
        if self.blame is not None:
            out["blame"] = self.blame
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        """A finding as a JSON report holds it (values there are already masked)."""
        return cls(
            rule=data["rule"], severity=Severity.parse(data["severity"]), message=data["message"],
            target=data["target"], path=data.get("path", ""), file=data.get("file"), line=data.get("line"),
            column=data.get("column"), desired=data.get("desired"), live=data.get("live"),
            waived=bool(data.get("waived")), environment=data.get("environment"),
            live_file=data.get("live_file"), live_line=data.get("live_line"), blame=data.get("blame"),
        )


def finding_at(
    doc: Document,
    pointer: str,
    *,
    rule: str,
    severity: Severity,
    message: str,
    desired: Any = None,
    live: Any = None,
) -> Finding:
    """A finding about the value at ``pointer`` in ``doc``, with its file and line."""
    pos = doc.locate(pointer)
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        target=doc.target,
        path=pointer,
        file=doc.source.file,
        line=pos[0] if pos else None,
        column=pos[1] if pos else None,
        desired=desired,
        live=live,
    )


@dataclass
class Summary:
    """Counts kept while findings stream past; decides the exit code."""

    fail_on: int = Severity.HIGH
    files: int = 0
    documents: int = 0
    by_rule: Counter = field(default_factory=Counter)
    by_severity: Counter = field(default_factory=Counter)
    failing: int = 0
    incomplete: int = 0
    waived: int = 0
    active_by_severity: Counter = field(default_factory=Counter)
    # Documents no schema validated, by kind (``config`` for config files): JSON ``summary.skipped``.
    unvalidated: Counter = field(default_factory=Counter)
    unvalidated_documents: list = field(default_factory=list)  # (kind, "target (file)") of each, for --verbose
    # Helm charts met in a walk, each with the template files left alone.
    templates: dict = field(default_factory=dict)
    rules: int = 0  # rules run (per-document and cross-file)
    validating: bool = False  # documents went through schemas and rules (validate, check)

    def skip(self, kind: str | None, where: str = "") -> None:
        """Count a document no schema validated (``kind`` None: one was validated); ``where``: which."""
        if kind is not None:
            self.unvalidated[kind] += 1
            self.unvalidated_documents.append((kind, where))

    @property
    def skipped(self) -> int:
        return sum(self.unvalidated.values())

    def checked_text(self) -> str:
        """What was checked, in words: documents validated against a schema and those without one,
        rules run, Helm chart templates left alone ("" where nothing was validated)."""
        if not self.validating:
            return ""
        if not self.documents and not self.templates:
            return ""
        parts = [f"{self.documents - self.skipped} validated against a schema"]
        if self.skipped:
            kinds = ", ".join(k for k, _ in sorted(self.unvalidated.items(), key=lambda kv: (-kv[1], kv[0])))
            parts[0] += f", {_plural(self.skipped, 'document')} had no schema (kinds: {kinds})"
        parts.append(f"{_plural(self.rules, 'rule')} run")
        templates = sum(len(files) for files in self.templates.values())
        if templates:
            charts = sorted(self.templates)
            named = ", ".join(charts[:5]) + (f", and {len(charts) - 5} more" if len(charts) > 5 else "")
            parts.append(f"{_plural(templates, 'Helm template file')} of {_plural(len(charts), 'chart')} "
                         f"({named}) not read as data")
        return "; ".join(parts)

    def add(self, finding: Finding) -> None:
        self.by_rule[finding.rule] += 1
        self.by_severity[str(finding.severity)] += 1
        self.waived += finding.waived
        if not finding.waived:
            self.active_by_severity[str(finding.severity)] += 1
        if finding.rule in INCOMPLETE_RULES:
            self.incomplete += 1
        elif not finding.waived and finding.severity >= self.fail_on:
            self.failing += 1

    @property
    def fail_label(self) -> str:
        return str(Severity(self.fail_on)) if self.fail_on <= Severity.CRITICAL else "never"

    @property
    def total(self) -> int:
        return sum(self.by_rule.values())

    @property
    def exit_code(self) -> int:
        if self.incomplete:
            return 2
        return 1 if self.failing else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "files": self.files,
            "documents": self.documents,
            "by_severity": {str(s): self.by_severity.get(str(s), 0) for s in Severity},
            "by_rule": dict(sorted(self.by_rule.items())),
            "fail_on": self.fail_label,
            "failing": self.failing,
            "waived": self.waived,
            "skipped": self.skipped,
            "skipped_kinds": dict(sorted(self.unvalidated.items())),
            "exit_code": self.exit_code,
        }


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# Findings that mean the run could not be done: a template that does not render, a file named on
# the command line that cannot be opened (exit 2). A malformed file met in a walk (``input.parse``)
# is a finding like any other: the rest is still checked.
INCOMPLETE_RULES = frozenset({"input.render", "input.unreadable"})
# Findings that mean part of the input is unknown: no patches are written, no baseline is updated.
UNREAD_RULES = INCOMPLETE_RULES | {"input.parse"}


def count(summary: Summary, findings: Iterable[Finding]) -> Iterable[Finding]:
    for finding in findings:
        summary.add(finding)
        yield finding


@dataclass(frozen=True)
class Part:
    """A drift shard's part of a tree: the documents it keeps (``keeps(document, rel)``), and the
    files whose own findings it reports (``reports(file)``), which it reads whole."""

    keeps: Callable[[Document, str], bool]
    reports: Callable[[str], bool]
