"""What every command does to set up a run and report it: find the config, build the checks, pick
the environments, then stream findings through suppressions and the baseline to a reporter and the
audit log. The command handlers (``commands``, ``maintenance``) share these; stages never see the
options, only the values these functions take from them.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable, Sequence

from . import progress
from .errors import TrueupError, UsageError
from .options import CheckSettings, Options
from .tree import not_found

if TYPE_CHECKING:
    from .shards import Shard


def say(line: str, stream: IO[str]) -> None:
    """Print one line a command says, whatever the input's names hold: control and bidi characters
    escaped (``report._safe.printable``), so no file name can forge a line or move the cursor."""
    from .report._safe import printable

    print(printable(line), file=stream)


def find_config(given: str | None, required: bool) -> Any:
    """The run's Config: ``--config FILE``, else the trueup.yaml found upwards from here, else (where
    none is ``required``) the config-free defaults; applies its settings that hold for the whole run."""
    from .config import config_free, find_config, load_config

    if given:
        path = Path(given)
        if not path.is_file():
            raise UsageError(not_found(path, "config file not found"), given)
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


def threshold(fail_on: str | None, config: Any) -> int:
    """The lowest severity that fails the run: ``--fail-on``, else the config's, else high."""
    from .model import NEVER, Severity

    name = fail_on or config.fail_on or "high"
    if name == "never":
        return NEVER
    try:
        return Severity.parse(name)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def open_output(output: str | None, stdout: IO[str]) -> IO[str]:
    """Where the report goes: ``--output FILE`` (opened through no symlink), else standard output."""
    if not output:
        return stdout
    from . import safefs

    try:
        return os.fdopen(safefs.open_named(Path(output)), "w", encoding="utf-8")
    except safefs.Unsafe as exc:
        raise UsageError(f"cannot write the report: {exc.reason}", exc.path) from None
    except OSError as exc:
        raise UsageError(f"cannot write the report: {exc.strerror or exc}", output) from None


def report(
    options: Options, config: Any, findings: Iterable[Any], summary: Any,
    environments: Sequence[str], stdout: IO[str], stderr: IO[str], *, merged_from: str | None = None,
    history: dict[str, Any] | None = None, patches: Sequence[Path] = (),
) -> int:
    """Stream findings through suppressions and the baseline to the reporter; ``merged_from``: the
    command whose reports are being merged (already suppressed and baselined, and not a run to audit);
    ``history``: RunInfo's ``previous`` and ``history``, for the HTML report; ``patches``: the list the
    run's patch writing fills as the findings stream past (for the audit record)."""
    from .report import RECORD_FORMATS, RunInfo, in_github_actions, make_reporter

    # Whatever can stop the run comes before the reporter is made: from there on, an error is
    # reported by it (the cli writes a report of its own only for a run that made none).
    baseline = _baseline_for(config, options.baseline, options.no_baseline)
    stream = open_output(options.output, stdout)
    color = options.color == "always" or (
        options.color == "auto" and stream is stdout and stream.isatty() and "NO_COLOR" not in os.environ
    )
    run = None
    if options.format in RECORD_FORMATS or os.environ.get("GITHUB_STEP_SUMMARY"):
        from .runmeta import collect

        run = collect(config.root if config is not None else Path.cwd())
        if options.shard:
            from dataclasses import replace as with_field

            run = with_field(run, shard="{}/{}".format(*options.shard))
    info = RunInfo(merged_from or options.command, tuple(environments), color=color, quiet=options.quiet,
                   verbose=options.verbose, run=run, **(history or {}))
    reporter, summary_file = in_github_actions(options.format, info, stream, stream is stdout,
                                               make_reporter(options.format, stream, info))
    from .policy.suppress import Suppressions

    if merged_from is None:
        findings = Suppressions(config.root).apply(findings)
    only, skip = options.checks.rule, options.checks.skip_rule
    if only or skip:  # the checks trueup makes itself (schemas, removed APIs, drift) too, as Checkov's --check
        findings = (f for f in findings if _rule_wanted(f.rule, only, skip))
    if baseline is not None and (merged_from is None or options.baseline is not None):
        findings = baseline.apply(findings)  # merged reports were baselined when they were made
    from . import audit

    # Findings stream to the reporter; only an audit record needs them kept (as small entries).
    auditing = merged_from is None and audit.enabled(config.audit)
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
    code = 2 if error is not None else summary.exit_code
    if merged_from is None:
        try:
            audit_run(options.command, options.argv, config, environments, summary, seen, code, patches=patches)
        except TrueupError as exc:  # the run fails, and its report says so (its exit code and the error)
            error, code = exc, 2
    reporter.finish(summary, error)
    if stream is not stdout:
        stream.close()
    if summary_file is not None:
        summary_file.close()
    if error is not None:
        say(f"trueup: {error}", stderr)
    return code


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
        default = config.baselines.file
        if config.path is None or not (config.root / default).is_file():
            return None
        given = ""
    return configured_baseline(config, given)


def configured_baseline(config: Any, given: str) -> Any:
    """The baseline named ``given`` (relative to the config's root), else the configured one."""
    from .policy.baseline import load_baseline

    default, max_days = config.baselines.file, config.baselines.max_days
    name = given or default
    return load_baseline(config.root / name, name, max_days)


def relative_name(name: str) -> str:
    from .patch import relative_name as relative

    return relative(name)


def audit_run(command: str, argv: Sequence[str], config: Any, environments: Sequence[str], summary: Any,
              entries: Sequence[dict], code: int, changes: Sequence[dict] = (), patches: Sequence[Path] = ()) -> None:
    """One audit record for this run, when auditing is on (by default: in CI). ``entries``: audit.entry of
    each finding; ``patches``: the patch files the run wrote."""
    from . import audit

    if not audit.enabled(config.audit):
        return
    record = audit.build_record(command=command, argv=list(argv), root=config.root,
                                environments=environments, summary=summary, entries=entries, exit_code=code)
    record["changes"] = list(changes)
    record["patches"] = [
        {"path": str(p), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
        for p in patches
    ]
    audit.append(config.root / config.audit.path, record, root=config.root)


def cache_dir(cache: bool | None) -> Path | None:
    """Where the run keeps its results: ``--cache``, else nowhere where ``--no-cache`` or ``CI`` is set
    (nothing to reuse on a fresh runner)."""
    if cache or (cache is None and not os.environ.get("CI")):
        from .cache import default_dir

        return default_dir()
    return None


def packs_dir() -> Path:
    """Where the built-in packs' parsed form is kept: like Python's bytecode, derived from trueup's own
    files and keyed by their content, so kept whatever ``--no-cache`` or ``CI`` say (a fresh runner
    writes three small files once; a directory that cannot be written is simply not used)."""
    from .cache import default_dir

    return default_dir()


def checker_for(config: Any, checks: CheckSettings) -> Any:
    """The run's schemas and (unless ``--no-policy``) its rules."""
    from .checker import Checker
    from .pipeline import validator_for
    from .policy.packs import load_policy, settings_from_config

    from dataclasses import replace

    validator = validator_for(config, kubernetes_version=checks.kubernetes_version, strict=checks.strict)
    policy = None
    if not checks.no_policy:
        settings = settings_from_config(config.policy)
        settings = replace(settings, profile=checks.profile or settings.profile, only=checks.rule,
                           skip=checks.skip_rule, cache=packs_dir())
        policy = load_policy(settings, config.root)
    return Checker(validator, policy)


def environments_for(config: Any, asked: Sequence[str]) -> list[str]:
    """The environments a run covers: those asked for (each must exist), else every one the config has."""
    names = list(asked) or list(config.environments)
    for name in names:
        config.environment(name)
    if not names:
        raise UsageError("trueup.yaml defines no environments to render", config.display)
    return names


def rendered_findings(
    config: Any, envs: Sequence[str], checker: Any, summary: Any, *, drift: bool = False, verbose: bool = False,
    changes: list | None = None, creations: list | None = None, layers: dict | None = None,
    notes: Sequence[Any] = (), shard: Shard | None = None,
) -> Iterable[Any]:
    """``layers``: when given, receives each environment's values files (documents), for blame;
    ``notes``: findings about environments (not compared), each reported after its environment's;
    ``shard``: a drift shard's work units only."""
    from .pipeline import check_rendered, render_environment

    for env in envs:
        rendered = render_environment(config, env)
        if layers is not None:
            layers[env] = rendered.values.layers
        yield from check_rendered(
            rendered, checker, config, summary, config.templates.strip("/"), drift=drift, verbose=verbose,
            changes=changes, creations=creations, shard=shard,
        )
        yield from (note for note in notes if note.environment == env)


def parse_date(value: str, flag: str) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{flag} must be a date (YYYY-MM-DD), not {value!r}") from None

