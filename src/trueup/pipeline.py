"""The stages of rendered runs, as generators of findings: results stream, memory stays small.

A template that fails to render, or renders text that does not parse (``input.render``),
makes the run incomplete (exit 2); the rest of the run is still reported. Plain files (the
pre-commit form) are checked in ``plainfiles.py``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from .checker import Checker
from .config import Config
from .errors import ParseError, RenderError, TrueupError
from . import progress
from .load import Loaded
from .model import Document, Finding, Severity, Summary
from .validate import SchemaValidator

if TYPE_CHECKING:
    from .render import Rendered
    from .shards import Shard


@dataclass
class RenderedEnvironment:
    name: str | None
    outputs: list[Rendered]
    failures: list[Finding]
    value_findings: list[Finding]
    values: Any = None  # the merged Values (data, and each file's document)


def error_finding(exc: TrueupError, rule: str, target: str, environment: str | None = None,
                  severity: Severity = Severity.CRITICAL) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
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
        schema_locations=k8s.schema_locations,
    )


def configured_crds(config: Config, checker: Checker) -> list[Finding]:
    """Learn the CRDs in the files and folders ``kubernetes.crds`` names; a path that is not
    there cannot be done without (exit 2)."""
    from .errors import InputError
    from .load import known_files, load_path

    findings: list[Finding] = []
    for entry in config.kubernetes.crds:
        path = config.root / entry
        if not path.exists():
            raise InputError("kubernetes.crds: no such file or directory", entry)
        files = [(path, entry)] if path.is_file() else [(p, f"{entry.rstrip('/')}/{rel}") for p, rel in known_files(path, entry)]
        for file, shown in files:
            try:
                loaded = load_path(file, file=shown, name=shown, limits=config.limits)
            except ParseError as exc:
                findings.append(error_finding(exc, "input.parse", shown, severity=Severity.HIGH))
                continue
            findings.extend(checker.schemas.add_crds(loaded.documents))
    return findings


def render_templates(
    templates_root: Path,
    display_root: str,
    values_files: Sequence[Path],
    *,
    root: Path,
    environment: str | None,
    globs: Sequence[str] = ("**",),
    config: Config,
    track: bool = False,
) -> RenderedEnvironment:
    """Every template under ``templates_root`` rendered with ``values_files`` (later files win),
    keeping going past a failing template: ``trueup render --templates DIR --values FILE``, and each
    configured environment through :func:`render_environment`."""
    from .desired import load_values, template_names
    from .render import make_environment, render_template, track_reads

    values = load_values(values_files, root, config.limits)
    jinja = make_environment(templates_root, display_root, config.limits)
    if track:
        track_reads(jinja, values.data)
    context = dict(values.data)
    context.setdefault("environment", environment or "")
    outputs: list[Rendered] = []
    failures: list[Finding] = []
    for name in template_names(templates_root, globs):
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


def render_environment(
    config: Config, env: str, track: bool = False
) -> RenderedEnvironment:
    """Environment ``env`` of trueup.yaml rendered: its values files and template globs. ``track``:
    record which values each template reads (``Rendered.reads``)."""
    settings = config.environment(env)
    templates_root = config.root / config.templates
    return render_templates(
        templates_root,
        config.templates.strip("/"),
        [config.root / v for v in settings.values],
        root=config.root,
        environment=env,
        globs=settings.templates,
        config=config,
        track=track,
    )


def check_rendered(
    rendered: RenderedEnvironment,
    checker: Checker | None,
    config: Config,
    summary: Summary,
    display_root: str,
    *,
    drift: bool = False,
    verbose: bool = False,
    changes: list | None = None,
    creations: list | None = None,
    outputs: list[tuple[str, list]] | None = None,
    shard: Shard | None = None,
) -> Iterator[Finding]:
    """Load each rendered file once; validate it (unless ``checker`` is None), then drift the targets.

    ``outputs``: when given, receives each rendered path with its loaded documents. A rendered
    file that does not parse is the template's error (``input.render``: the run is incomplete).
    ``shard``: a drift shard's work units only (every file is rendered; each is counted by one shard)."""
    from .desired import load_rendered, load_rendered_kept

    env = rendered.name
    settings = config.environments.get(env or "")
    yield from rendered.value_findings
    yield from rendered.failures
    outputs = [] if outputs is None else outputs
    loaded_outputs: list[tuple[str, Loaded]] = []
    read: dict[str, int] = {}  # documents of each rendered file, before a shard keeps its own
    dropped: dict[str, list[Any]] = {}  # secret values of the documents a shard left, by target
    for number, output in enumerate(rendered.outputs, 1):
        progress.step(f"validate {env}" if checker is not None else f"load {env}", number, len(rendered.outputs))
        summary.files += shard is None or shard.counts(output.output)
        try:
            target = config.target_for(output.output, env)
            namespace = (target.namespace if target else None) or (settings.namespace if settings else None)
            kind = target.kind if target else None
            if shard is not None and checker is None and target is not None and target.live is not None:
                # A drift shard builds and holds only its own objects (another shard compares the
                # rest); their secrets are kept to be masked as the unsharded run masks them.
                kept = load_rendered_kept(output, display_root, _shard_keep(shard, target.name, namespace or "default"),
                                          config.limits, kind)
                loaded, read[output.output] = kept.loaded, kept.total
                dropped.setdefault(target.name, []).extend(kept.left)
            else:
                loaded = load_rendered(output, display_root, config.limits, kind)
                read[output.output] = len(loaded.documents)
        except ParseError as exc:
            yield error_finding(exc, "input.render", output.output, env)
            continue
        for doc in loaded.documents if namespace else ():
            doc.namespace = namespace
        outputs.append((output.output, loaded.documents))
        loaded_outputs.append((output.output, loaded))
    _project_variables(rendered, loaded_outputs)
    if checker is not None:
        # CRDs first: a custom resource may come before the definition that validates it.
        for _, loaded in loaded_outputs:
            yield from (replace(f, environment=env) for f in checker.schemas.add_crds(loaded.documents))
    for name, loaded in loaded_outputs:
        if checker is None:
            summary.documents += read[name] if shard is None or shard.counts(name) else 0
            continue
        yield from (replace(f, environment=env) for f in check_loaded(loaded, checker, summary))
    if checker is not None:
        documents = [doc for _, docs in outputs for doc in docs]
        yield from (replace(f, environment=env) for f in checker.cross(documents))
    if drift:
        yield from drift_targets(config, env, outputs, verbose=verbose, changes=changes, creations=creations,
                                 shard=shard, dropped=dropped)


def _shard_keep(shard: Shard, target: str, namespace: str) -> Callable[[Document], bool]:
    """A rendered file's documents a drift shard keeps: its own objects, and every other document
    (those are dealt by file, with the target's files)."""
    return lambda doc: doc.kind != "kubernetes" or not isinstance(doc.data, dict) or shard.keeps(doc, target, "", namespace)


def _project_variables(rendered: RenderedEnvironment, loaded_outputs: list[tuple[str, Loaded]]) -> None:
    """Rendered compose files get the rendered ``.env`` beside them as their project's variables."""
    from pathlib import PurePosixPath

    from .load.compose_interpolate import give_variables

    texts = {PurePosixPath(o.output).parent: o.text for o in rendered.outputs if PurePosixPath(o.output).name == ".env"}
    for output, loaded in loaded_outputs if texts else ():
        text = texts.get(PurePosixPath(output).parent)
        if text is not None:
            give_variables(loaded.documents, text)


def drift_targets(
    config: Config, env: str | None, outputs: list[tuple[str, list]], *, verbose: bool = False,
    changes: list | None = None, creations: list | None = None, shard: Shard | None = None,
    dropped: dict[str, list[Any]] | None = None,
) -> Iterator[Finding]:
    """Drift of every target of ``env`` that names a live side; ``shard``: only its units
    (``dropped``: secret values of rendered documents it already left to other shards, by target)."""
    from .drift import Context, drift
    from .targets import ignore_rules, live_root, target_trees

    settings = config.environments.get(env or "")
    for number, target in enumerate(config.targets, 1):
        progress.step(f"drift {env}", number, len(config.targets))
        if target.live is None or not target.applies_to(env):
            continue
        namespace = target.namespace or (settings.namespace if settings else None) or "default"
        trees = target_trees(config, target, env, outputs,
                             shard.part(target.name, namespace, reported=target.name) if shard else None)
        yield from (f for f in trees.findings if shard is None or shard.counts(f"{target.name}\0{f.file}"))
        if shard is not None:
            from .load.kept import left_secrets

            every = trees.desired
            trees.desired = shard.sides(every, target.name, namespace)
            trees.secrets += left_secrets((d for side in every for d in side.documents),
                                          (d for side in trees.desired for d in side.documents))
            trees.secrets += (dropped or {}).get(target.name, [])
        root, display = live_root(config, target, env)
        context = Context(namespace=namespace, ignore=ignore_rules(target), environment=env, verbose=verbose,
                          changes=changes, creations=creations, live_root=display if root.is_dir() else None,
                          unreadable=frozenset(trees.unreadable), compare_written=target.compare_written,
                          secrets=tuple(trees.secrets),
                          **({"appliers": config.appliers} if config.appliers is not None else {}))
        yield from drift(trees.desired, trees.live, context)



def check_loaded(loaded: Loaded, checker: Checker, summary: Summary, schema: Path | None = None,
                  patch: bool = False) -> Iterator[Finding]:
    """Findings of one loaded file; counts its documents, and those no schema validates, in ``summary``."""
    yield from loaded.findings
    for doc in loaded.documents:
        summary.documents += 1
        yield from checker.check(doc, schema, patch)
        summary.skip(checker.unvalidated(doc, schema), f"{doc.target} ({doc.source.file})")


def not_compared(config: Config, targets: Sequence[Any], envs: Sequence[str]) -> list[Finding]:
    """An info finding (``drift.not-compared``) for each environment no target with a live side
    covers: nothing of it was compared, so it is not known to be in sync."""
    return [
        Finding("drift.not-compared", Severity.INFO,
                f"environment {env!r}: no target of {config.display} compares it with live state; not compared",
                config.display, "", config.display, None, None, environment=env)
        for env in envs if not any(t.live is not None and t.applies_to(env) for t in targets)
    ]


def targets_not_compared(config: Config, targets: Sequence[Any], envs: Sequence[str],
                         every: Sequence[Any] | None = None) -> list[Finding]:
    """An info finding (``drift.not-compared``) for each of ``targets`` with no live side, in each
    environment that another target of ``every`` (all of the config's, a shard's too) does compare; an
    environment nothing compares has its own note instead."""
    every = config.targets if every is None else every
    return [
        Finding("drift.not-compared", Severity.INFO, f"target {t.name!r} has no live side in {config.display}; "
                "not compared", t.name, "", config.display, None, None, environment=env)
        for env in envs if any(o.live is not None and o.applies_to(env) for o in every)
        for t in targets if t.live is None and t.applies_to(env)
    ]
