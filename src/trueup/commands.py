"""The run commands: ``validate``, ``check``, ``drift``, ``preview`` and ``render``. Each takes the
run's Options and the two output streams and returns an exit code; it wires the stages (imported
inside it, so a command loads only what it needs) and streams their findings to a reporter
(``wiring.report``). The commands that look after what runs leave are in ``maintenance``.
"""
from __future__ import annotations

from contextlib import ExitStack
from itertools import chain
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable, Sequence

from .errors import TrueupError, UsageError
from .options import Options
from .wiring import (
    cache_dir, checker_for, environments_for, find_config, rendered_findings, report, say, threshold,
)

if TYPE_CHECKING:
    from .shards import Shard


def _with_patches(options: Options, findings: Iterable[Any], changes: list, stderr: IO[str],
                  creations: list | None = None, written: list[Path] | None = None) -> Iterable[Any]:
    """Pass findings through; once they are all out, write the patches (``--patches DIR``), unless
    part of the input could not be read (a file that did not parse would look missing). ``written``
    receives the patch files written (for the audit record)."""
    from .model import UNREAD_RULES

    unread = None
    for finding in findings:
        if unread is None and finding.rule in UNREAD_RULES:
            unread = finding
        yield finding
    if options.patches and unread is not None:
        say(f"trueup: no patches written: {unread.file or unread.target} could not be read", stderr)
    elif options.patches:
        from .patch import write_patches
        from .patch.changes import changes_of

        result = write_patches(changes_of(changes), Path(options.patches), prune=options.prune,
                               creations=creations or [], direction=options.direction)
        if written is not None:
            written.extend(result.files)
        if not options.quiet:
            say(f"trueup: wrote {len(result.files)} patch files to {options.patches}", stderr)
            for note in result.not_in_file_diffs:
                hint = "" if options.direction == "adopt" else " (Kubernetes objects also get a JSON Patch and the full object)"
                say(f"trueup: no file diff for {note}{hint}", stderr)


def validate(options: Options, stdout: IO[str], stderr: IO[str]) -> int:
    from .model import Summary
    from .pipeline import configured_crds
    from .plainfiles import check_files

    paths = list(options.paths) or ([Path(".")] if options.changed_since else [])
    config = find_config(options.config, required=not paths)
    if options.schema:
        from .config import SchemaMapping

        config.schemas = [*config.schemas, SchemaMapping(("**",), str(Path(options.schema).absolute()))]
    summary = Summary(fail_on=threshold(options.fail_on, config))
    checker = checker_for(config, options.checks)
    summary.rules, summary.validating = checker.rule_count, True
    crd_findings = configured_crds(config, checker)
    if paths:
        cache = None
        directory = cache_dir(options.cache)
        if directory is not None:
            from .cache import ResultCache, fingerprint

            cache = ResultCache(directory, fingerprint(config, checker))
        changed = None
        if options.changed_since:
            from .changed import changed_files

            changed = changed_files(Path.cwd(), options.changed_since)
        context = None
        if not all(p.is_dir() for p in paths):
            from .walk import repository_top

            # Named files (the pre-commit form) are one part of a repository: their references
            # resolve against the rest of it, read for the cross-file rules alone.
            context = repository_top(paths)
        findings = check_files(paths, config, checker, summary, jobs=options.jobs, cache=cache, changed=changed,
                               excludes=(*config.exclude, *options.exclude), skip_excluded=options.skip_excluded,
                               context=context)
        return report(options, config, chain(crd_findings, findings), summary, [], stdout, stderr)
    envs = environments_for(config, options.env)
    findings = rendered_findings(config, envs, checker, summary)
    return report(options, config, chain(crd_findings, findings), summary, envs, stdout, stderr)


def check(options: Options, stdout: IO[str], stderr: IO[str]) -> int:
    from .model import Summary
    from .pipeline import configured_crds, not_compared, targets_not_compared

    config = find_config(options.config, required=True)
    envs = environments_for(config, options.env)
    summary = Summary(fail_on=threshold(options.fail_on, config))
    checker = checker_for(config, options.checks)
    summary.rules, summary.validating = checker.rule_count, True
    crd_findings = configured_crds(config, checker)
    changes: list = []
    creations: list = []
    layers: dict = {}
    notes = [*not_compared(config, config.targets, envs), *targets_not_compared(config, config.targets, envs)]
    findings = _blamed(options, config, rendered_findings(config, envs, checker, summary, drift=True,
                                                          verbose=options.verbose, changes=changes,
                                                          creations=creations, layers=layers, notes=notes), layers)
    written: list[Path] = []
    findings = _with_patches(options, chain(crd_findings, findings), changes, stderr, creations, written)
    return report(options, config, findings, summary, envs, stdout, stderr, patches=written)


def drift(options: Options, stdout: IO[str], stderr: IO[str]) -> int:
    from .model import Summary
    from .pipeline import not_compared, targets_not_compared
    from .shards import Shard

    part = Shard(*options.shard) if options.shard else None
    changes: list = []
    creations: list = []
    written: list[Path] = []
    if options.desired is not None or options.live is not None:
        if options.desired is None or options.live is None:
            raise UsageError("give both --desired DIR and --live DIR (or --env ENV with a trueup.yaml)")
        config = find_config(options.config, required=False)
        summary = Summary(fail_on=threshold(options.fail_on, config))
        findings = _blamed(options, config, _tree_drift(options.desired, options.live, options.namespace, config,
                                                        summary, changes, creations, verbose=options.verbose,
                                                        shard=part), {}, root=Path.cwd(), search=Path(options.desired))
        findings = _with_patches(options, findings, changes, stderr, creations, written)
        return report(options, config, findings, summary, [], stdout, stderr, patches=written)
    config = find_config(options.config, required=True)
    envs = environments_for(config, options.env)
    uncovered = not_compared(config, config.targets, envs)
    if len(uncovered) == len(envs):
        raise UsageError(f"nothing to compare: no target of {config.display} with a live side covers "
                         f"{', '.join(envs)}", config.display)
    uncovered += targets_not_compared(config, config.targets, envs)
    if part is not None and part.index != 1:
        uncovered = []  # notes about the whole run: reported once, by the first shard
    summary = Summary(fail_on=threshold(options.fail_on, config))
    layers: dict = {}
    findings = _blamed(options, config, rendered_findings(config, envs, None, summary, drift=True,
                                                          verbose=options.verbose, changes=changes,
                                                          creations=creations, layers=layers, notes=uncovered,
                                                          shard=part), layers)
    findings = _with_patches(options, findings, changes, stderr, creations, written)
    return report(options, config, findings, summary, envs, stdout, stderr, patches=written)


def preview(options: Options, stdout: IO[str], stderr: IO[str]) -> int:
    """What a change to the desired state does to every environment (``preview/``), before it merges."""
    from .model import Summary
    from .preview.changes import changes, config_at, render_revision
    from .preview.gitrefs import tree_at

    config = find_config(options.config, required=True)
    summary = Summary(fail_on=threshold(options.fail_on, config))
    with ExitStack() as stack:
        base_config = config_at(stack.enter_context(tree_at(config.root, options.base)), config, stderr,
                                options.base, tolerant=True)
        head_config = config if options.head is None else config_at(
            stack.enter_context(tree_at(config.root, options.head)), config, stderr, options.head, tolerant=False)
        known = {env for revision in (base_config, head_config) if revision is not None
                 for env in revision.environments}
        unknown = sorted(set(options.env) - known)
        if unknown:
            raise UsageError(f"no environment {unknown[0]!r} at either revision")
        states = []
        for revision, counted, name, tolerant in ((base_config, Summary(), options.base, True),
                                                  (head_config, summary, options.head, False)):
            checker = checker_for(revision, options.checks) if revision is not None else None
            states.append(render_revision(revision, checker, counted, revision=name, tolerant=tolerant,
                                          only=options.env))
        findings = list(changes(*states))
    return report(options, config, findings, summary, sorted(set(states[0]) | set(states[1])), stdout, stderr)


def _blamed(options: Options, config: Any, findings: Iterable[Any], layers: dict,
            root: Path | None = None, search: Path | None = None) -> Iterable[Any]:
    """``root``: what file names are relative to (the config's root unless given); ``search``:
    where the repository is looked for (``root`` unless given). Drift on a template line that only
    imports or calls a macro points at the values-file line that sets the value first."""
    from .provenance import where_set

    findings = where_set(findings, root or config.root, layers) if layers is not None else findings
    if options.no_blame:
        return findings
    from .blame import with_blame

    return with_blame(findings, root or config.root, layers, search)


def _tree_drift(desired: Path, live: Path, namespace: str, config: Any, summary: Any, changes: list,
                creations: list, verbose: bool = False, shard: Shard | None = None) -> Iterable[Any]:
    """A config-free drift of two trees; ``shard``: only its work units (objects and files), each
    file counted by one shard."""
    from .drift import Context, drift
    from .targets import load_tree

    trees = {}
    for name, root in (("desired", desired), ("live", live)):
        if not root.is_dir():
            raise UsageError(f"--{name} must be a directory", str(root))
        part = shard.part("", namespace, reported=name) if shard else None
        trees[name] = load_tree(root, root.as_posix().rstrip("/"), config, part=part)
        yield from (f for f in trees[name].findings if shard is None or shard.counts(f"{name}\0{f.file}"))
    counted = [n for name, t in trees.items() for rel, n in t.read.items()
               if shard is None or shard.counts(f"{name}\0{rel}")]
    summary.files = len(counted)
    summary.documents = sum(counted)
    context = Context(namespace=namespace, changes=changes, creations=creations, live_root=live.as_posix().rstrip("/"),
                      verbose=verbose, **({"appliers": config.appliers} if config.appliers is not None else {}),
                      unreadable=frozenset(trees["desired"].unreadable | trees["live"].unreadable),
                      secrets=(*trees["desired"].secrets, *trees["live"].secrets))
    yield from drift(trees["desired"].live, trees["live"].live, context)


def render(options: Options, stdout: IO[str], stderr: IO[str]) -> int:
    from .pipeline import render_environment, render_templates

    if options.templates:
        from .config import config_free

        config = config_free(Path.cwd())
        templates = Path(options.templates)
        rendered = render_templates(
            templates, templates.as_posix().rstrip("/"), [Path(v) for v in options.values],
            root=Path.cwd(), environment=options.environment, config=config,
        )
    else:
        config = find_config(options.config, required=True)
        if not options.environment:
            raise UsageError("give --env ENV (or --templates DIR --values FILE for a run without trueup.yaml)")
        rendered = render_environment(config, options.environment)
    if rendered.failures:
        first = rendered.failures[0]
        raise TrueupError(first.message, first.file, first.line, first.column)
    if options.out:
        _write_tree(Path(options.out), rendered.outputs)
        return 0
    for i, output in enumerate(rendered.outputs):
        separator = "" if i == 0 else "---\n"
        body = output.text if output.text.endswith("\n") or not output.text else output.text + "\n"
        stdout.write(f"{separator}# Source: {output.output}\n{body}")
    return 0


def _write_tree(out: Path, outputs: Sequence[Any]) -> None:
    """Each rendered file under ``out``, through no symlink (:mod:`trueup.safefs`)."""
    from . import safefs

    base, above = safefs.anchor(out)
    for output in outputs:
        parts = Path(output.output).parts
        if not parts or Path(output.output).is_absolute() or ".." in parts:
            raise UsageError("rendered path leaves the output directory", output.output)
        try:
            safefs.write_atomic(base, above + parts, output.text.encode("utf-8"))
        except safefs.Unsafe as exc:
            raise UsageError(f"cannot write rendered output: {exc.reason}", exc.path) from None
        except OSError as exc:
            raise UsageError(f"cannot write rendered output: {exc.strerror or exc}", str(out / output.output)) from None


