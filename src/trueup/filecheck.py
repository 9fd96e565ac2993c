"""One file of ``trueup validate PATHS`` checked: its bytes read, its cached result taken or it
parsed (the CRD files read ahead reused), its checks run, and what of it the cross-file rules read
kept. ``plainfiles`` decides which files and in what order, and runs this over them, in worker
processes when there are many.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from .checker import Checker
from .config import Config
from .errors import ParseError
from .load import Loaded, file_source, load_bytes, read_bytes
from .model import Finding, Severity, Summary
from .objects import CLUSTER_SCOPED_KINDS
from .pipeline import check_loaded, error_finding

if TYPE_CHECKING:
    from .cache import ResultCache

# A file that does not parse and holds these is a template (Jinja2, Go templates, Helm), not broken data.
TEMPLATE_MARKERS = (b"{{", b"{%")
# Marks a document that may be a CustomResourceDefinition: only files holding it are read ahead.
CRD_MARK = b"CustomResourceDefinition"
# A strategic-merge patch's directive (k8s.io/apimachinery strategicpatch).
PATCH_DIRECTIVE = b"$patch:"


@dataclass(frozen=True)
class PlainFile:
    """A file to check: where it is, its name in findings, its format, the chart values schema that
    applies to it, and whether it was named on the command line (not met in a walk)."""

    path: Path
    name: str
    fmt: str
    schema: Path | None
    named: bool
    patch: bool | None = None  # a kustomize patch (a partial object), a resource (False), or not listed
    namespace: str | None = None  # the namespace a kustomization sets on the objects it holds
    dotenv: str | None = None  # the ``.env`` beside it: a compose file's project variables
    context: bool = False  # read for the cross-file rules alone (the rest of the repository)


def _unreadable(path: Path) -> bool:
    """A named path trueup cannot open as a file at all (missing, a directory, no permission)."""
    return not path.is_file() or not os.access(path, os.R_OK)


def parse_failure(exc: ParseError, item: PlainFile, data: bytes | None) -> Finding:
    """What a file that cannot be checked is: unreadable (named: exit 2), a template, or malformed."""
    if item.named and data is None and _unreadable(item.path):
        return error_finding(exc, "input.unreadable", item.name)
    if data is not None and any(marker in data for marker in TEMPLATE_MARKERS):
        marker = next(m for m in TEMPLATE_MARKERS if m in data).decode()
        return replace(
            error_finding(exc, "input.template", item.name, severity=Severity.INFO),
            message=f"a template, not {item.fmt.upper()} data: it holds {marker} and does not parse "
                    f"({exc.cause}); not checked",
        )
    return error_finding(exc, "input.parse", item.name, severity=Severity.HIGH)


def read_crds(files: Sequence[PlainFile], checker: Checker, config: Config,
               read: dict[Path, Loaded]) -> list[Finding]:
    """Learn the CRDs among the files before any is checked (a custom resource may come first);
    returns findings about unusable CRDs. ``read`` receives the files parsed on the way (not parsed
    again when they are checked): their data, not their text or bytes, which a big estate's CRDs
    would hold in memory until each is checked (the text is read again for a line, if unchanged)."""
    findings: list[Finding] = []
    for item in files:
        try:
            data = read_bytes(item.path, item.name, config.limits)
        except ParseError:
            continue
        if CRD_MARK not in data:
            continue
        try:
            # No node graphs kept for lines: the CRDs stay in the registry for the whole run (and the
            # files wait here until checked), and a CRD file's lines are rarely asked for.
            loaded = load_bytes(data, item.path, file=item.name, name=item.name, fmt=item.fmt, limits=config.limits)
        except ParseError:
            continue  # reported when the file itself is checked
        loaded.source.release_text()
        read[item.path] = loaded
        findings.extend(checker.schemas.add_crds(loaded.documents))
    return findings


def set_namespace(documents: Sequence, namespace: str) -> None:
    """What kustomize's namespace transformer does: every namespaced object gets it (an object's own
    namespace is overridden, as kustomize does by default)."""
    for doc in documents:
        data = doc.data
        kind = data.get("kind") if isinstance(data, dict) else None
        if doc.kind != "kubernetes" or not isinstance(kind, str) or kind in CLUSTER_SCOPED_KINDS:
            continue
        metadata = data.get("metadata")
        if isinstance(metadata, dict):
            metadata["namespace"] = namespace


def schema_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


# A file's findings, the documents kept for cross-file rules, its document count with the kinds
# of its documents no schema validates, and the cache entry to store (the main process stores them:
# one transaction, not one per file).
Result = tuple[list[Finding], list, tuple[int, list], "tuple[str, bytes] | None"]


@dataclass
class FileCheck:
    """What checking any one file of a run needs: the run's config, checker and cache, the CRD files
    read ahead (``read_crds``), which files are reported (``checked``; the rest are read for the
    cross-file rules alone) and whether the files are part of a repository (``partial``)."""

    config: Config
    checker: Checker
    cache: ResultCache | None
    checked: set[str]
    partial: bool
    preloaded: dict[Path, Loaded] = field(default_factory=dict)

    def kept(self, docs: list) -> list:
        """Only what the cross-file rules read stays in memory while the files stream past (and
        crosses from a worker process): their data, not the files' text, read again for a line."""
        out = [k for k in (self.checker.kept(d, self.partial) for d in docs) if k is not None]
        for doc in out:
            doc.source.forget_positions()
            doc.source.release_text()
        return out

    def __call__(self, item: PlainFile) -> Result:
        """One file checked (in a worker process where there are several)."""
        config, checker, cache = self.config, self.checker, self.cache
        context_only = item.name not in self.checked
        data: bytes | None = None
        nothing: tuple[int, list] = (0, [])
        try:
            data = read_bytes(item.path, item.name, config.limits)
            # A chart's values file is checked against the chart's schema too: its bytes are part of the key.
            keyed = data if item.schema is None else data + b"\0" + schema_bytes(item.schema)
            if item.dotenv is not None:  # a compose file's values are judged as its .env resolves them
                keyed += b"\0.env\0" + item.dotenv.encode()
            role = f"{item.name}\0{item.patch}\0{item.namespace}"  # how a kustomization has the file read
            key = cache.key(role, item.fmt, item.path, keyed) if cache is not None else ""
            if cache is not None:
                hit = cache.get(key, lambda: file_source(data, item.path, file=item.name, name=item.name, fmt=item.fmt))
                if hit is not None:
                    return ([], self.kept(hit[1]), nothing, None) if context_only else (hit[0], self.kept(hit[1]), hit[2], None)
            early = self.preloaded.pop(item.path, None)
            if early is not None and early.source.digest == hashlib.sha256(data).hexdigest():
                loaded = early
            else:
                loaded = load_bytes(data, item.path, file=item.name, name=item.name, fmt=item.fmt,
                                limits=config.limits, positions=True)
        except ParseError as exc:
            return ([], [], nothing, None) if context_only else ([parse_failure(exc, item, data)], [], nothing, None)
        if item.namespace is not None:
            set_namespace(loaded.documents, item.namespace)
        if item.dotenv is not None:
            from .load.compose_interpolate import give_variables

            give_variables(loaded.documents, item.dotenv)
        # A strategic-merge directive marks a patch even where no kustomization in the run lists it.
        patch = item.patch if item.patch is not None else PATCH_DIRECTIVE in data
        # A patch is part of an object, not one: the cross-file rules do not see it.
        shared = [] if patch else loaded.documents
        if context_only:
            return [], self.kept(shared), nothing, None
        counted = Summary()
        findings = list(check_loaded(loaded, checker, counted, item.schema, patch=patch))
        count = (counted.documents, list(counted.unvalidated_documents))
        entry = cache.entry(findings, loaded.documents, count) if cache is not None else None
        return findings, self.kept(shared), count, (key, entry) if entry is not None else None
