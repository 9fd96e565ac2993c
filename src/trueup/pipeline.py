"""The stages wired into runs, as generators of findings: results stream, memory stays small.

An unreadable file or a failing template becomes an ``input.parse`` / ``input.render``
finding (the run is incomplete: exit 2) and the rest of the run is still reported.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from .config import Config
from .errors import ParseError, RenderError, TrueupError
from . import progress
from .load import Loaded, detect_format, file_source, known_files, load_bytes, read_bytes
from .model import Finding, Severity, Summary
from .validate import SchemaValidator

if TYPE_CHECKING:
    from .cache import ResultCache
    from .render import Rendered

@dataclass
class RenderedEnvironment:
    name: str | None
    outputs: list[Rendered]
    failures: list[Finding]
    value_findings: list[Finding]
    values: Any = None  # the merged Values (data, and each file's document)


def error_finding(exc: TrueupError, rule: str, target: str, environment: str | None = None) -> Finding:
    return Finding(
        rule=rule,
        severity=Severity.CRITICAL,
        message=exc.cause,
        target=target,
        file=exc.file,
        line=exc.line,
        column=exc.column,
        environment=environment,
    )


def validator_for(config: Config, *, kubernetes_version: str | None = None, strict: bool | None = None) -> SchemaValidator:
    k8s = config.kubernetes
    return SchemaValidator(
        config.root,
        config.schemas,
        kubernetes_version=kubernetes_version or k8s.version,
        strict=k8s.strict if strict is None else strict,
        missing_schemas=k8s.missing_schemas,
    )


def render_env(
    templates_root: Path,
    display_root: str,
    values_files: Sequence[Path],
    *,
    root: Path,
    environment: str | None,
    globs: Sequence[str] = ("**",),
    config: Config,
    track: bool = False,
    wanted: Callable[[str], bool] | None = None,
) -> RenderedEnvironment:
    """Render every template of one environment (that ``wanted`` takes by its output's name),
    keeping going past a failing template."""
    from .desired import load_values, template_names
    from .render import make_environment, output_name, render_template, track_reads

    values = load_values(values_files, root, config.limits)
    jinja = make_environment(templates_root, display_root, config.limits)
    if track:
        track_reads(jinja, values.data)
    context = dict(values.data)
    context.setdefault("environment", environment or "")
    outputs: list[Rendered] = []
    failures: list[Finding] = []
    for name in template_names(templates_root, globs):
        if wanted is not None and not wanted(output_name(name)):
            continue
        try:
            outputs.append(
                render_template(
                    jinja, name, context, timeout=config.render_timeout, max_bytes=config.limits.max_bytes
                )
            )
        except RenderError as exc:
            failures.append(error_finding(exc, "input.render", name, environment))
    findings = [replace(f, environment=environment) for f in values.findings]
    return RenderedEnvironment(environment, outputs, failures, findings, values)


def environment_render(
    config: Config, env: str, track: bool = False, wanted: Callable[[str], bool] | None = None
) -> RenderedEnvironment:
    """``track``: record which values each template reads (``Rendered.reads``); ``wanted``: render
    only the templates whose output it takes (a drift shard's)."""
    settings = config.environment(env)
    templates_root = config.root / config.templates
    return render_env(
        templates_root,
        config.templates.strip("/"),
        [config.root / v for v in settings.values],
        root=config.root,
        environment=env,
        globs=settings.templates,
        config=config,
        track=track,
        wanted=wanted,
    )


def check_rendered(
    rendered: RenderedEnvironment,
    validator: SchemaValidator | None,
    config: Config,
    summary: Summary,
    display_root: str,
    *,
    drift: bool = False,
    verbose: bool = False,
    changes: list | None = None,
    creations: list | None = None,
    outputs: list[tuple[str, list]] | None = None,
) -> Iterator[Finding]:
    """Load each rendered file once; validate it (unless ``validator`` is None), then drift the targets.

    ``outputs``: when given, receives each rendered path with its loaded documents."""
    from .desired import load_rendered

    env = rendered.name
    yield from rendered.value_findings
    yield from rendered.failures
    outputs = [] if outputs is None else outputs
    for number, output in enumerate(rendered.outputs, 1):
        progress.step(f"validate {env}" if validator is not None else f"load {env}", number, len(rendered.outputs))
        summary.files += 1
        try:
            target = config.target_for(output.output, env)
            loaded = load_rendered(output, display_root, config.limits, target.kind if target else None)
        except ParseError as exc:
            yield error_finding(exc, "input.parse", output.output, env)
            continue
        outputs.append((output.output, loaded.documents))
        if validator is None:
            summary.documents += len(loaded.documents)
            continue
        yield from (replace(f, environment=env) for f in _check_loaded(loaded, validator, summary))
    if validator is not None and validator.policy is not None:
        documents = [doc for _, docs in outputs for doc in docs]
        yield from (replace(f, environment=env) for f in validator.policy.cross(documents))
    if drift:
        yield from drift_targets(config, env, outputs, verbose=verbose, changes=changes, creations=creations)


def drift_targets(
    config: Config, env: str | None, outputs: list[tuple[str, list]], *, verbose: bool = False,
    changes: list | None = None, creations: list | None = None,
) -> Iterator[Finding]:
    """Drift of every target of ``env`` that names a live side."""
    from .drift import Context, drift
    from .targets import ignore_rules, live_root, target_trees

    settings = config.environments.get(env or "")
    for number, target in enumerate(config.targets, 1):
        progress.step(f"drift {env}", number, len(config.targets))
        if target.live is None or not target.applies_to(env):
            continue
        trees = target_trees(config, target, env, outputs)
        yield from trees.findings
        namespace = target.namespace or (settings.namespace if settings else None) or "default"
        root, display = live_root(config, target, env)
        context = Context(namespace=namespace, ignore=ignore_rules(target), environment=env, verbose=verbose,
                          changes=changes, creations=creations, live_root=display if root.is_dir() else None,
                          unreadable=frozenset(trees.unreadable))
        yield from drift(trees.desired, trees.live, context)


def _check_loaded(loaded: Loaded, validator: SchemaValidator, summary: Summary) -> Iterator[Finding]:
    yield from loaded.findings
    for doc in loaded.documents:
        summary.documents += 1
        yield from validator.check(doc)
        if validator.policy is not None:
            yield from validator.policy.check(doc)


def plain_files(paths: Sequence[Path]) -> Iterator[tuple[Path, str]]:
    """Files named on the command line, and the known-format files under named directories."""
    for path in paths:
        if path.is_dir():
            for full, rel in known_files(path, path.as_posix()):
                yield full, (path / rel).as_posix()
        else:
            yield path, path.as_posix()


def check_files(
    paths: Sequence[Path], config: Config, validator: SchemaValidator, summary: Summary, jobs: int = 1,
    cache: ResultCache | None = None, changed: set[Path] | None = None,
) -> Iterator[Finding]:
    """Validate plain files (the pre-commit form): each file's name is relative to the config root.

    Cross-file rules run once over every document of the files given together; when files
    (not only directories) are named, the set is partial and the rules that need a whole
    environment do not run. Files under the configured templates directory are skipped:
    they are templates, checked when they are rendered (``trueup validate`` with no paths).
    ``jobs``: worker processes for the per-file work (0: automatic, by the number of files);
    ``cache``: results of files checked before with the same bytes and settings. ``changed``: only
    these files (resolved paths) are checked and reported; the rest are read for the cross-file
    rules alone, whose findings are reported where they land in a changed file.
    """
    from .parallel import ordered_map, workers

    files: list[tuple[Path, str, str]] = []
    templates = (config.root / config.templates).resolve() if config.path is not None else None
    for path, shown in plain_files(paths):
        if templates is not None and templates in path.resolve().parents:
            continue
        fmt = detect_format(path.name)
        if fmt is None and not path.exists():
            fmt = "yaml"
        if fmt is None:
            continue
        files.append((path, _relative(path, config.root) or shown, fmt))

    checked = {name for path, name, _ in files if changed is None or path.resolve() in changed}
    partial = not all(p.is_dir() for p in paths)
    policy = validator.policy

    def kept(docs: list) -> list:
        """Only what the cross-file rules read stays in memory while the files stream past (and
        crosses from a worker process): their data, not the files' text, read again for a line."""
        out = [] if policy is None else [k for k in (policy.kept(d, partial) for d in docs) if k is not None]
        for doc in out:
            doc.source.forget_positions()
            doc.source.release_text()
        return out

    def one(item: tuple[Path, str, str]) -> tuple[list[Finding], list, int, tuple[str, bytes] | None]:
        """A file's findings, the documents kept for cross-file rules, its document count, and the
        cache entry to store (the main process stores them: one transaction, not one per file)."""
        path, name, fmt = item
        context_only = name not in checked
        try:
            data = read_bytes(path, name, config.limits)
            key = cache.key(name, fmt, path, data) if cache is not None else ""
            if cache is not None:
                hit = cache.get(key, lambda: file_source(data, path, file=name, name=name, fmt=fmt))
                if hit is not None:
                    return ([], kept(hit[1]), 0, None) if context_only else (hit[0], kept(hit[1]), hit[2], None)
            loaded = load_bytes(data, path, file=name, name=name, fmt=fmt, limits=config.limits)
        except ParseError as exc:
            return ([], [], 0, None) if context_only else ([error_finding(exc, "input.parse", name)], [], 0, None)
        if context_only:
            return [], kept(loaded.documents), 0, None
        counted = Summary()
        findings = list(_check_loaded(loaded, validator, counted))
        entry = cache.entry(findings, loaded.documents, counted.documents) if cache is not None else None
        return findings, kept(loaded.documents), counted.documents, (key, entry) if entry is not None else None

    documents: list = []
    entries: list[tuple[str, bytes]] = []
    for number, (item, (findings, docs, count, entry)) in enumerate(
            zip(files, ordered_map(one, files, workers(jobs, len(files)))), 1):
        progress.step("validate", number, len(files))
        summary.files += item[1] in checked
        summary.documents += count
        documents.extend(docs)
        if entry is not None:
            entries.append(entry)
            if len(entries) >= 500:
                cache.store(entries)  # type: ignore[union-attr]
                entries.clear()
        yield from findings
    if cache is not None:
        cache.store(entries)
    if policy is not None:
        for finding in policy.cross(documents, partial=partial):
            if changed is None or finding.file in checked:
                yield finding


def _relative(path: Path, root: Path) -> str | None:
    try:
        return path.absolute().relative_to(root).as_posix()
    except (ValueError, OSError):
        return None
