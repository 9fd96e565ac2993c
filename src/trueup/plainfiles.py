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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

from . import progress
from .checker import Checker
from .config import Config
from .filecheck import FileCheck, PlainFile, read_crds
from .load import WALKED_FORMATS, WALKED_SUFFIXES, detect_format
from .model import Finding, Severity, Summary
from .tree import real_path
from .walk import Chart, Walked, chart_of_template, chart_values_schema, left_out, walk

if TYPE_CHECKING:
    from .cache import ResultCache

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

    listed = _listed(paths, config, excludes, skip_excluded, context, changed, summary)
    yield from listed.notes
    files = listed.files
    check = FileCheck(config, checker, cache, listed.checked, partial=context is None and not all(p.is_dir() for p in paths))
    yield from read_crds(files, checker, config, check.preloaded)
    if cache is not None:  # a custom resource's result depends on the CRDs beside it
        cache.fingerprint = hashlib.sha256(f"{cache.fingerprint}\0{checker.schemas.crd_digest}".encode()).hexdigest()
    documents: list = list(listed.generated)
    entries: list[tuple[str, bytes]] = []
    for number, (item, (findings, docs, (count, unvalidated), entry)) in enumerate(
            zip(files, ordered_map(check, files, workers(jobs, len(files)))), 1):
        progress.step("validate", number, len(files))
        summary.files += item.name in listed.checked
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
    for finding in checker.cross(documents, partial=check.partial):
        if listed.changed is None or finding.file in listed.checked:
            yield finding


@dataclass
class _Listed:
    """The files a run checks, in order, and what was found deciding them."""

    files: list[PlainFile]
    generated: list  # the ConfigMaps and Secrets kustomizations generate (for the cross-file rules)
    notes: list[Finding]  # special files met in a walk, skipped
    checked: set[str]  # names of the files reported (the others are context for the cross-file rules)
    changed: set[Path] | None


def _listed(paths: Sequence[Path], config: Config, excludes: Sequence[str], skip_excluded: bool,
            context: Path | None, changed: set[Path] | None, summary: Summary) -> _Listed:
    """The named files and walked directories as PlainFiles (templates left out), the rest of the
    repository as context where files were named, then as kustomizations and ``.env`` files have
    them read."""
    files: list[PlainFile] = []
    templates = real_path(config.root / config.templates) if config.path is not None else None
    found, walked = plain_files(paths, excludes, skip_excluded)
    summary.templates = {chart.directory: list(chart.templates) for chart in walked.charts.values()}
    notes = []
    for shown, kind in walked.special:
        name = _relative(Path(shown), config.root) or shown
        notes.append(Finding("input.not-regular", Severity.INFO, f"a {kind}, not a regular file: skipped", name, "",
                             name, None, None))
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
    checked = {item.name for item in files if not item.context and (changed is None or real_path(item.path) in changed)}
    return _Listed(files, generated, notes, checked, changed)


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


def _relative(path: Path, root: Path) -> str | None:
    try:
        return path.absolute().relative_to(root).as_posix()
    except (ValueError, OSError):
        return None
