"""Plain files, the pre-commit form: ``trueup validate PATHS``.

Named files are read as they are; named directories as a repository walk reads them
(``walk.py``). Before any file is checked, the CRDs among them are learned (a custom
resource may come first) and the kustomizations among them (and beside named files) say
which files are patches and which namespace their objects are built in. A file that does
not parse is a template (``input.template``, a note) when it holds template markers, else
malformed (``input.parse``, high; the rest is still checked); a named path that cannot be
opened makes the run incomplete (``input.unreadable``, exit 2).
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

from . import progress
from .checker import Checker
from .config import Config
from .errors import ParseError
from .load import WALKED_FORMATS, WALKED_SUFFIXES, Loaded, detect_format, file_source, load_bytes, read_bytes
from .model import Finding, Severity, Summary
from .pipeline import check_loaded, error_finding
from .tree import real_path
from .walk import Chart, Walked, chart_of_template, chart_values_schema, left_out, walk

if TYPE_CHECKING:
    from .cache import ResultCache

# A file that does not parse and holds these is a template (Jinja2, Go templates, Helm), not broken data.
TEMPLATE_MARKERS = (b"{{", b"{%")
# Marks a document that may be a CustomResourceDefinition: only files holding it are read ahead.
_CRD_MARK = b"CustomResourceDefinition"
# A strategic-merge patch's directive (k8s.io/apimachinery strategicpatch).
_PATCH_DIRECTIVE = b"$patch:"


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


def _walked_format(name: str) -> bool:
    return detect_format(name) in WALKED_FORMATS or name.lower().endswith(WALKED_SUFFIXES)


def plain_files(paths: Sequence[Path], excludes: Sequence[str] = (), skip_excluded: bool = False,
                ) -> tuple[list[tuple[Path, str, Path | None, bool]], Walked]:
    """Files named on the command line, and what a walk of each named directory reads (``walk``);
    ``skip_excluded``: named files a walk would leave out are left out too."""
    walked = Walked()
    files: list[tuple[Path, str, Path | None, bool]] = []
    for path in paths:
        if path.is_dir():
            start = len(walked.files)
            walk(path, path.as_posix(), _walked_format, excludes, walked)
            files.extend((full, shown, schema, False) for full, shown, schema in walked.files[start:])
            continue
        if skip_excluded and left_out(_relative(path, Path.cwd()) or path.as_posix(), excludes):
            continue
        chart = chart_of_template(path)
        if chart is not None:
            shown_chart = _relative(chart, Path.cwd()) or chart.as_posix()
            walked.charts.setdefault(shown_chart, Chart(shown_chart)).templates.append(path.as_posix())
            continue
        files.append((path, path.as_posix(), chart_values_schema(path), True))
    return files, walked


def _unreadable(path: Path) -> bool:
    """A named path trueup cannot open as a file at all (missing, a directory, no permission)."""
    return not path.is_file() or not os.access(path, os.R_OK)


def _parse_failure(exc: ParseError, item: PlainFile, data: bytes | None) -> Finding:
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


def _read_crds(files: Sequence[PlainFile], checker: Checker, config: Config,
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
        if _CRD_MARK not in data:
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


def check_files(
    paths: Sequence[Path], config: Config, checker: Checker, summary: Summary, jobs: int = 1,
    cache: ResultCache | None = None, changed: set[Path] | None = None, excludes: Sequence[str] = (),
    skip_excluded: bool = False, context: Path | None = None,
) -> Iterator[Finding]:
    """Validate plain files (the pre-commit form): each file's name is relative to the config root.

    Cross-file rules run once over every document of the files given together; when files
    (not only directories) are named, the set is partial and the rules that need a whole
    environment do not run. Files under the configured templates directory are skipped:
    they are templates, checked when they are rendered (``trueup validate`` with no paths).
    ``jobs``: worker processes for the per-file work (0: automatic, by the number of files);
    ``cache``: results of files checked before with the same bytes and settings. ``changed``: only
    these files (resolved paths) are checked and reported; the rest are read for the cross-file
    rules alone, whose findings are reported where they land in a changed file. ``excludes``:
    globs a walk leaves out (``--exclude`` and trueup.yaml's ``exclude``); ``skip_excluded``: also
    from the files named (the pre-commit hook).
    """
    from .parallel import ordered_map, workers

    files: list[PlainFile] = []
    templates = real_path(config.root / config.templates) if config.path is not None else None
    found, walked = plain_files(paths, excludes, skip_excluded)
    summary.templates = {chart.directory: list(chart.templates) for chart in walked.charts.values()}
    for shown, kind in walked.special:
        name = _relative(Path(shown), config.root) or shown
        yield Finding("input.not-regular", Severity.INFO, f"a {kind}, not a regular file: skipped", name, "", name,
                      None, None)
    for path, shown, schema, named in found:
        if templates is not None and templates in real_path(path).parents:
            continue
        fmt = detect_format(path.as_posix())
        if fmt is None and not path.exists():
            fmt = "yaml"
        if fmt is None:
            continue
        files.append(PlainFile(path, _relative(path, config.root) or shown, fmt, schema, named))
    if context is not None:
        given = {real_path(item.path) for item in files}
        changed = given if changed is None else changed & given
        files.extend(_context_files(context, config, excludes, given, templates))
    files, generated = _kustomized(files, config)
    files = _with_dotenv(files)

    preloaded: dict[Path, Loaded] = {}
    yield from _read_crds(files, checker, config, preloaded)
    if cache is not None:  # a custom resource's result depends on the CRDs beside it
        cache.fingerprint = hashlib.sha256(f"{cache.fingerprint}\0{checker.schemas.crd_digest}".encode()).hexdigest()
    checked = {item.name for item in files
               if not item.context and (changed is None or real_path(item.path) in changed)}
    partial = context is None and not all(p.is_dir() for p in paths)

    def kept(docs: list) -> list:
        """Only what the cross-file rules read stays in memory while the files stream past (and
        crosses from a worker process): their data, not the files' text, read again for a line."""
        out = [k for k in (checker.kept(d, partial) for d in docs) if k is not None]
        for doc in out:
            doc.source.forget_positions()
            doc.source.release_text()
        return out

    def one(item: PlainFile) -> tuple[list[Finding], list, tuple[int, list], tuple[str, bytes] | None]:
        """A file's findings, the documents kept for cross-file rules, its document count and the
        kinds of its documents no schema validates, and the cache entry to store (the main process
        stores them: one transaction, not one per file)."""
        context_only = item.name not in checked
        data: bytes | None = None
        nothing: tuple[int, list] = (0, [])
        try:
            data = read_bytes(item.path, item.name, config.limits)
            # A chart's values file is checked against the chart's schema too: its bytes are part of the key.
            keyed = data if item.schema is None else data + b"\0" + _schema_bytes(item.schema)
            if item.dotenv is not None:  # a compose file's values are judged as its .env resolves them
                keyed += b"\0.env\0" + item.dotenv.encode()
            role = f"{item.name}\0{item.patch}\0{item.namespace}"  # how a kustomization has the file read
            key = cache.key(role, item.fmt, item.path, keyed) if cache is not None else ""
            if cache is not None:
                hit = cache.get(key, lambda: file_source(data, item.path, file=item.name, name=item.name, fmt=item.fmt))
                if hit is not None:
                    return ([], kept(hit[1]), nothing, None) if context_only else (hit[0], kept(hit[1]), hit[2], None)
            early = preloaded.pop(item.path, None)
            if early is not None and early.source.digest == hashlib.sha256(data).hexdigest():
                loaded = early
            else:
                loaded = load_bytes(data, item.path, file=item.name, name=item.name, fmt=item.fmt,
                                limits=config.limits, positions=True)
        except ParseError as exc:
            return ([], [], nothing, None) if context_only else ([_parse_failure(exc, item, data)], [], nothing, None)
        if item.namespace is not None:
            _set_namespace(loaded.documents, item.namespace)
        if item.dotenv is not None:
            from .load.compose_interpolate import give_variables

            give_variables(loaded.documents, item.dotenv)
        # A strategic-merge directive marks a patch even where no kustomization in the run lists it.
        patch = item.patch if item.patch is not None else _PATCH_DIRECTIVE in data
        # A patch is part of an object, not one: the cross-file rules do not see it.
        shared = [] if patch else loaded.documents
        if context_only:
            return [], kept(shared), nothing, None
        counted = Summary()
        findings = list(check_loaded(loaded, checker, counted, item.schema, patch=patch))
        count = (counted.documents, list(counted.unvalidated_documents))
        entry = cache.entry(findings, loaded.documents, count) if cache is not None else None
        return findings, kept(shared), count, (key, entry) if entry is not None else None

    documents: list = list(generated)
    entries: list[tuple[str, bytes]] = []
    for number, (item, (findings, docs, (count, unvalidated), entry)) in enumerate(
            zip(files, ordered_map(one, files, workers(jobs, len(files)))), 1):
        progress.step("validate", number, len(files))
        summary.files += item.name in checked
        summary.documents += count
        for kind, where in unvalidated:
            summary.skip(kind, where)
        documents.extend(docs)
        if entry is not None:
            entries.append(entry)
            if len(entries) >= 500:
                cache.store(entries)  # type: ignore[union-attr]
                entries.clear()
        yield from findings
    if cache is not None:
        cache.store(entries)
    for finding in checker.cross(documents, partial=partial):
        if changed is None or finding.file in checked:
            yield finding


def _context_files(directory: Path, config: Config, excludes: Sequence[str], given: set[Path],
                   templates: Path | None) -> Iterator[PlainFile]:
    """The files a walk of ``directory`` reads, but those in ``given`` and the templates directory."""
    found, _ = plain_files([directory], excludes)
    names = {p.name for p in given}
    for path, shown, schema, _named in found:
        if path.name in names and real_path(path) in given:
            continue
        if templates is not None and templates in path.absolute().parents:
            continue
        fmt = detect_format(path.as_posix())
        if fmt is not None:
            yield PlainFile(path, _relative(path, config.root) or shown, fmt, schema, False, context=True)


def _with_dotenv(files: list[PlainFile]) -> list[PlainFile]:
    """Each YAML file with the ``.env`` beside it, which compose reads as the project's variables
    (compose-spec ``12-interpolation.md``): read once per directory, never through a symlink that
    leaves the directory."""
    from .load.compose_interpolate import Refused, read_project_file

    texts: dict[Path, str | None] = {}
    out = []
    for item in files:
        if item.fmt != "yaml":
            out.append(item)
            continue
        directory = item.path.absolute().parent
        if directory not in texts:
            try:
                texts[directory] = read_project_file(directory, directory, ".env")
            except Refused:
                texts[directory] = None
        text = texts[directory]
        out.append(item if text is None else replace(item, dotenv=text))
    return out


def _kustomized(files: list[PlainFile], config: Config) -> tuple[list[PlainFile], list]:
    """The files as the kustomizations among them (and beside named files) have them read: patches
    as partial objects, resources in the namespace a kustomization sets; and the ConfigMaps and
    Secrets their generators make, for the cross-file rules."""
    from . import kustomize

    paths = [item.path for item in files]
    named = [item.path for item in files if item.named]
    if not any(kustomize.is_kustomization(p) for p in paths) and not named:
        return files, []
    read = kustomize.read([*paths, *kustomize.near(named)], config.limits)
    if not read.patches and not read.resources:
        return files, read.generated
    out = [replace(item, patch=read.is_patch(item.path), namespace=read.namespace_of(item.path)) for item in files]
    return out, read.generated


def _set_namespace(documents: Sequence, namespace: str) -> None:
    """What kustomize's namespace transformer does: every namespaced object gets it (an object's own
    namespace is overridden, as kustomize does by default)."""
    from .model import CLUSTER_SCOPED_KINDS

    for doc in documents:
        data = doc.data
        if doc.kind != "kubernetes" or data.get("kind") in CLUSTER_SCOPED_KINDS:
            continue
        metadata = data.get("metadata")
        if isinstance(metadata, dict):
            metadata["namespace"] = namespace


def _schema_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _relative(path: Path, root: Path) -> str | None:
    try:
        return path.absolute().relative_to(root).as_posix()
    except (ValueError, OSError):
        return None
