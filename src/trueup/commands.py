"""What each command does: load the config, wire the stages, stream findings to a reporter.

Handlers take the parsed arguments and the two output streams and return an exit
code; stages are imported inside them, so a command loads only what it needs.
"""
from __future__ import annotations

import argparse
import hashlib
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable, Sequence

from . import progress
from .errors import TrueupError, UsageError
from .tree import not_found

if TYPE_CHECKING:
    from .shards import Shard


def _find_config(args: argparse.Namespace, required: bool) -> Any:
    from .config import config_free, find_config, load_config

    if args.config:
        path = Path(args.config)
        if not path.is_file():
            raise UsageError(not_found(path, "config file not found"), args.config)
        return _configured(load_config(path))
    found = find_config(Path.cwd())
    if found is not None:
        return _configured(load_config(found))
    if required:
        raise UsageError("no trueup.yaml here or in any parent directory (give --config, or see `trueup --help`)")
    return _configured(config_free(Path.cwd()))


def _configured(config: Any) -> Any:
    """Settings that apply to the whole run."""
    from .mask import forget_known_secrets, set_secret_keys

    set_secret_keys(list(config.secret_keys))
    forget_known_secrets()
    return config


def _threshold(args: argparse.Namespace, config: Any) -> int:
    from .model import NEVER, Severity

    name = args.fail_on or config.fail_on or "high"
    if name == "never":
        return NEVER
    try:
        return Severity.parse(name)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def open_output(args: argparse.Namespace, stdout: IO[str]) -> IO[str]:
    if not args.output:
        return stdout
    from . import safefs

    try:
        return os.fdopen(safefs.open_named(Path(args.output)), "w", encoding="utf-8")
    except safefs.Unsafe as exc:
        raise UsageError(f"cannot write the report: {exc.reason}", exc.path) from None
    except OSError as exc:
        raise UsageError(f"cannot write the report: {exc.strerror or exc}", args.output) from None


def report(
    args: argparse.Namespace, config: Any, findings: Iterable[Any], summary: Any,
    environments: Sequence[str], stdout: IO[str], stderr: IO[str], *, merged_from: str | None = None,
    history: dict[str, Any] | None = None,
) -> int:
    """Stream findings through suppressions and the baseline to the reporter; ``merged_from``: the
    command whose reports are being merged (already suppressed and baselined, and not a run to audit);
    ``history``: RunInfo's ``previous`` and ``history``, for the HTML report."""
    from .report import RECORD_FORMATS, RunInfo, in_github_actions, make_reporter

    stream = open_output(args, stdout)
    color = args.color == "always" or (
        args.color == "auto" and stream is stdout and stream.isatty() and "NO_COLOR" not in os.environ
    )
    run = None
    if args.format in RECORD_FORMATS or os.environ.get("GITHUB_STEP_SUMMARY"):
        from .runmeta import collect

        run = collect(config.root if config is not None else Path.cwd())
        if getattr(args, "shard", None):
            from dataclasses import replace as with_field

            run = with_field(run, shard="{}/{}".format(*args.shard))
    info = RunInfo(merged_from or args.command, tuple(environments), color=color, quiet=args.quiet,
                   verbose=getattr(args, "verbose", False), run=run, **(history or {}))
    reporter, summary_file = in_github_actions(args.format, info, stream, stream is stdout,
                                               make_reporter(args.format, stream, info))
    args.reported = True
    from .policy.suppress import Suppressions

    if merged_from is None:
        findings = Suppressions(config.root).apply(findings)
    only, skip = tuple(getattr(args, "rule", ()) or ()), tuple(getattr(args, "skip_rule", ()) or ())
    if only or skip:  # the checks trueup makes itself (schemas, removed APIs, drift) too, as Checkov's --check
        findings = (f for f in findings if _rule_wanted(f.rule, only, skip))
    baseline = _baseline_for(config, getattr(args, "baseline", None), getattr(args, "no_baseline", False))
    if baseline is not None and (merged_from is None or getattr(args, "baseline", None) is not None):
        findings = baseline.apply(findings)  # merged reports were baselined when they were made
    from . import audit

    # Findings stream to the reporter; only an audit record needs them kept (as small entries).
    auditing = merged_from is None and audit.enabled(config.raw.get("audit") or {})
    error: TrueupError | None = None
    seen: list = []
    try:
        for finding in findings:
            summary.add(finding)
            progress.clear()
            reporter.write(finding)
            if auditing:
                seen.append(audit.entry(finding))
    except TrueupError as exc:
        error = exc
    progress.clear()
    reporter.finish(summary, error)
    if stream is not stdout:
        stream.close()
    if summary_file is not None:
        summary_file.close()
    code = 2 if error is not None else summary.exit_code
    if merged_from is None:
        audit_run(args, config, environments, summary, seen, code)
    if error is not None:
        print(f"trueup: {error}", file=stderr)
    return code


def _baseline_settings(config: Any) -> tuple[str, int]:
    from .policy.baseline import DEFAULT_FILE, DEFAULT_MAX_DAYS

    raw = config.raw.get("baselines") or {}
    return raw.get("file", DEFAULT_FILE), raw.get("max_days", DEFAULT_MAX_DAYS)


def _rule_wanted(rule: str, only: Sequence[str], skip: Sequence[str]) -> bool:
    """Whether ``--rule``/``--skip-rule`` keep a finding; what says a file could not be read is always kept."""
    from .policy.packs import named

    if rule.startswith("input."):
        return True
    return not named(rule, skip) and (not only or named(rule, only))


def _baseline_for(config: Any, given: str | None, off: bool) -> Any:
    """The baseline a run applies: the one named by ``--baseline [FILE]``; else the configured file
    (``baselines/accepted.yaml``) wherever it exists, as the hooks, the action and the workflows
    expect; none with ``--no-baseline``."""
    if off:
        return None
    if given is None:
        default, _ = _baseline_settings(config)
        if config.path is None or not (config.root / default).is_file():
            return None
        given = ""
    return _load_baseline(config, given)


def _load_baseline(config: Any, given: str) -> Any:
    from .policy.baseline import load_baseline

    default, max_days = _baseline_settings(config)
    name = given or default
    return load_baseline(config.root / name, name, max_days)


def relative_name(name: str) -> str:
    from .patch import relative_name as relative

    return relative(name)


def audit_run(args: argparse.Namespace, config: Any, environments: Sequence[str], summary: Any,
              entries: Sequence[dict], code: int, changes: Sequence[dict] = ()) -> None:
    """One audit record for this run, when auditing is on (by default: in CI). ``entries``: audit.entry of
    each finding."""
    from . import audit

    settings = config.raw.get("audit") or {}
    if not audit.enabled(settings):
        return
    record = audit.build_record(command=args.command, argv=getattr(args, "argv", []), root=config.root,
                                environments=environments, summary=summary, entries=entries, exit_code=code)
    record["changes"] = list(changes)
    record["patches"] = [
        {"path": str(p), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
        for p in getattr(args, "patches_written", [])
    ]
    audit.append(config.root / settings.get("path", audit.DEFAULT_PATH), record, root=config.root)


def _cache_dir(args: argparse.Namespace) -> Path | None:
    """Where the run keeps its results: ``--cache``, else nowhere where ``--no-cache`` or ``CI`` is set
    (nothing to reuse on a fresh runner)."""
    cache = getattr(args, "cache", None)
    if cache or (cache is None and not os.environ.get("CI")):
        from .cache import default_dir

        return default_dir()
    return None


def _packs_dir() -> Path:
    """Where the built-in packs' parsed form is kept: like Python's bytecode, derived from trueup's own
    files and keyed by their content, so kept whatever ``--no-cache`` or ``CI`` say (a fresh runner
    writes three small files once; a directory that cannot be written is simply not used)."""
    from .cache import default_dir

    return default_dir()


def _checker(args: argparse.Namespace, config: Any) -> Any:
    """The run's schemas and (unless ``--no-policy``) its rules."""
    from .checker import Checker
    from .pipeline import validator_for
    from .policy.packs import load_policy, settings_from_config

    from dataclasses import replace

    validator = validator_for(config, kubernetes_version=args.kubernetes_version, strict=args.strict)
    policy = None
    if not getattr(args, "no_policy", False):
        settings = settings_from_config(config.raw.get("policy"))
        settings = replace(settings, profile=getattr(args, "profile", None) or settings.profile,
                           only=tuple(getattr(args, "rule", ())), skip=tuple(getattr(args, "skip_rule", ())),
                           cache=_packs_dir())
        policy = load_policy(settings, config.root)
    return Checker(validator, policy)


def _environments(args: argparse.Namespace, config: Any) -> list[str]:
    names = list(args.env) or list(config.environments)
    for name in names:
        config.environment(name)
    if not names:
        raise UsageError("trueup.yaml defines no environments to render", config.display)
    return names


def _rendered_findings(
    config: Any, envs: Sequence[str], checker: Any, summary: Any, *, drift: bool = False, verbose: bool = False,
    changes: list | None = None, creations: list | None = None, layers: dict | None = None,
    notes: Sequence[Any] = (), shard: Shard | None = None,
) -> Iterable[Any]:
    """``layers``: when given, receives each environment's values files (documents), for blame;
    ``notes``: findings about environments (not compared), each reported after its environment's;
    ``shard``: a drift shard's work units only."""
    from .pipeline import check_rendered, environment_render

    for env in envs:
        rendered = environment_render(config, env)
        if layers is not None:
            layers[env] = rendered.values.layers
        yield from check_rendered(
            rendered, checker, config, summary, config.templates.strip("/"), drift=drift, verbose=verbose,
            changes=changes, creations=creations, shard=shard,
        )
        yield from (note for note in notes if note.environment == env)


def _with_patches(args: argparse.Namespace, findings: Iterable[Any], changes: list, stderr: IO[str],
                  creations: list | None = None) -> Iterable[Any]:
    """Pass findings through; once they are all out, write the patches (``--patches DIR``), unless
    part of the input could not be read (a file that did not parse would look missing)."""
    from .model import UNREAD_RULES

    unread = None
    for finding in findings:
        if unread is None and finding.rule in UNREAD_RULES:
            unread = finding
        yield finding
    if args.patches and unread is not None:
        print(f"trueup: no patches written: {unread.file or unread.target} could not be read", file=stderr)
    elif args.patches:
        from .patch import write_patches
        from .patch.changes import changes_of

        written = write_patches(changes_of(changes), Path(args.patches), prune=args.prune, creations=creations or [],
                                direction=args.direction)
        args.patches_written = written.files
        if not args.quiet:
            print(f"trueup: wrote {len(written.files)} patch files to {args.patches}", file=stderr)
            for note in written.not_in_file_diffs:
                hint = "" if args.direction == "adopt" else " (Kubernetes objects also get a JSON Patch and the full object)"
                print(f"trueup: no file diff for {note}{hint}", file=stderr)


def validate(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from itertools import chain

    from .model import Summary
    from .pipeline import configured_crds
    from .plainfiles import check_files

    if args.changed_since and not args.paths:
        args.paths = [Path(".")]
    config = _find_config(args, required=not args.paths)
    if args.schema:
        from .config import SchemaMapping

        config.schemas = [*config.schemas, SchemaMapping(("**",), str(Path(args.schema).absolute()))]
    summary = Summary(fail_on=_threshold(args, config))
    checker = _checker(args, config)
    summary.rules, summary.validating = checker.rule_count, True
    crd_findings = configured_crds(config, checker)
    if args.paths:
        cache = None
        directory = _cache_dir(args)
        if directory is not None:
            from .cache import ResultCache, fingerprint

            cache = ResultCache(directory, fingerprint(config, checker))
        changed = None
        if args.changed_since:
            from .changed import changed_files

            changed = changed_files(Path.cwd(), args.changed_since)
        context = None
        if not all(p.is_dir() for p in args.paths):
            from .walk import repository_top

            # Named files (the pre-commit form) are one part of a repository: their references
            # resolve against the rest of it, read for the cross-file rules alone.
            context = repository_top(args.paths)
        findings = check_files(args.paths, config, checker, summary, jobs=args.jobs, cache=cache, changed=changed,
                               excludes=(*config.exclude, *args.exclude), skip_excluded=args.skip_excluded,
                               context=context)
        return report(args, config, chain(crd_findings, findings), summary, [], stdout, stderr)
    envs = _environments(args, config)
    findings = _rendered_findings(config, envs, checker, summary)
    return report(args, config, chain(crd_findings, findings), summary, envs, stdout, stderr)


def check(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .model import Summary

    from itertools import chain

    from .pipeline import configured_crds, not_compared, targets_not_compared

    config = _find_config(args, required=True)
    envs = _environments(args, config)
    summary = Summary(fail_on=_threshold(args, config))
    checker = _checker(args, config)
    summary.rules, summary.validating = checker.rule_count, True
    crd_findings = configured_crds(config, checker)
    changes: list = []
    creations: list = []
    layers: dict = {}
    findings = _blamed(args, config, _rendered_findings(config, envs, checker, summary, drift=True,
                                                        verbose=args.verbose, changes=changes, creations=creations,
                                                        layers=layers, notes=[*not_compared(config, config.targets, envs),
                                                                              *targets_not_compared(config, config.targets, envs)]),
                       layers)
    findings = chain(crd_findings, findings)
    return report(args, config, _with_patches(args, findings, changes, stderr, creations), summary, envs, stdout, stderr)


def drift(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .model import Summary
    from .pipeline import not_compared, targets_not_compared

    if args.desired is not None or args.live is not None:
        if args.desired is None or args.live is None:
            raise UsageError("give both --desired DIR and --live DIR (or --env ENV with a trueup.yaml)")
        config = _find_config(args, required=False)
        summary = Summary(fail_on=_threshold(args, config))
        changes: list = []
        creations: list = []
        from .shards import Shard

        findings = _blamed(args, config, _tree_drift(args.desired, args.live, args.namespace, config, summary, changes,
                                                     creations, verbose=args.verbose,
                                                     shard=Shard(*args.shard) if args.shard else None), {}, root=Path.cwd(),
                           search=Path(args.desired))
        return report(args, config, _with_patches(args, findings, changes, stderr, creations), summary, [], stdout, stderr)
    from .shards import Shard

    config = _find_config(args, required=True)
    part = Shard(*args.shard) if args.shard else None
    envs = _environments(args, config)
    uncovered = not_compared(config, config.targets, envs)
    if len(uncovered) == len(envs):
        raise UsageError(f"nothing to compare: no target of {config.display} with a live side covers "
                         f"{', '.join(envs)}", config.display)
    uncovered += targets_not_compared(config, config.targets, envs)
    if part is not None and part.index != 1:
        uncovered = []  # notes about the whole run: reported once, by the first shard
    summary = Summary(fail_on=_threshold(args, config))
    changes: list = []
    creations: list = []
    layers: dict = {}
    findings = _blamed(args, config, _rendered_findings(config, envs, None, summary, drift=True, verbose=args.verbose,
                                                        changes=changes, creations=creations, layers=layers,
                                                        notes=uncovered, shard=part), layers)
    return report(args, config, _with_patches(args, findings, changes, stderr, creations), summary, envs, stdout, stderr)


def _blamed(args: argparse.Namespace, config: Any, findings: Iterable[Any], layers: dict,
            root: Path | None = None, search: Path | None = None) -> Iterable[Any]:
    """``root``: what file names are relative to (the config's root unless given); ``search``:
    where the repository is looked for (``root`` unless given). Drift on a template line that only
    imports or calls a macro points at the values-file line that sets the value first."""
    from .provenance import where_set

    findings = where_set(findings, root or config.root, layers) if layers is not None else findings
    if getattr(args, "no_blame", False):
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


def render(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .pipeline import environment_render, render_env

    if args.templates:
        from .config import config_free

        config = config_free(Path.cwd())
        templates = Path(args.templates)
        rendered = render_env(
            templates, templates.as_posix().rstrip("/"), [Path(v) for v in args.values],
            root=Path.cwd(), environment=args.env, config=config,
        )
    else:
        config = _find_config(args, required=True)
        if not args.env:
            raise UsageError("give --env ENV (or --templates DIR --values FILE for a run without trueup.yaml)")
        rendered = environment_render(config, args.env)
    if rendered.failures:
        first = rendered.failures[0]
        raise TrueupError(first.message, first.file, first.line, first.column)
    if args.out:
        _write_tree(Path(args.out), rendered.outputs)
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


def parse_date(value: str, flag: str) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{flag} must be a date (YYYY-MM-DD), not {value!r}") from None
