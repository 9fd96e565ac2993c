"""Command line: parse arguments, wire stages, pick a reporter, map errors to exit codes.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 the
run could not be done (bad config, unreadable input, template error). Stages are
imported inside the commands that use them, so ``trueup --version`` and a
one-file ``trueup validate`` load only what they need.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Sequence

from . import __version__
from .errors import TrueupError, UsageError


def _common(parser: argparse.ArgumentParser, *, report: bool = True) -> None:
    parser.add_argument("--config", metavar="FILE", help="trueup.yaml to use (default: found from the working directory upwards)")
    if not report:
        return
    parser.add_argument(
        "--baseline", nargs="?", const="", metavar="FILE",
        help="waive findings accepted in the baseline (default file: baselines.file in trueup.yaml); fail on expired entries",
    )
    parser.add_argument("--format", "-f", choices=("text", "json"), default="text", help="report format (default: text)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    parser.add_argument(
        "--fail-on", metavar="SEVERITY",
        help="lowest severity that fails the run: critical, high (default), medium, low, info, or never",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary line")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def _schema_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-policy", action="store_true", help="schema validation only, no check packs")
    parser.add_argument("--kubernetes-version", metavar="X.Y", help="Kubernetes schema version (default: config, else newest)")
    strict = parser.add_mutually_exclusive_group()
    strict.add_argument("--strict", dest="strict", action="store_true", default=None, help="unknown Kubernetes fields are errors")
    strict.add_argument("--no-strict", dest="strict", action="store_false")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trueup",
        description="Render desired state from git, validate it, and keep live systems true to it.",
    )
    parser.add_argument("--version", action="version", version=f"trueup {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    render = commands.add_parser("render", help="render an environment's templates")
    _common(render, report=False)
    render.add_argument("--env", metavar="ENV", help="environment from trueup.yaml (or a name for --templates)")
    render.add_argument("--templates", metavar="DIR", help="templates root, without a config")
    render.add_argument("--values", metavar="FILE", action="append", default=[], help="values file (repeatable; later files win)")
    render.add_argument("--out", metavar="DIR", help="write rendered files under DIR instead of printing a stream")
    render.set_defaults(handler=_render)

    validate = commands.add_parser("validate", help="validate files, or every rendered environment")
    _common(validate)
    _schema_options(validate)
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or directories (default: rendered environments)")
    validate.add_argument("--env", metavar="ENV", action="append", default=[], help="environment to render and validate (repeatable)")
    validate.add_argument("--schema", metavar="FILE", help="also validate every PATH against this JSON Schema")
    validate.add_argument("--verbose", "-v", action="store_true", help="also list waived (suppressed) findings")
    validate.set_defaults(handler=_validate)

    check = commands.add_parser("check", help="render, validate and drift environments: one report, one exit code")
    _common(check)
    _schema_options(check)
    check.add_argument("--env", metavar="ENV", action="append", default=[], help="environment (repeatable; default: all)")
    check.add_argument("--verbose", "-v", action="store_true", help="also list differences ignored by the config")
    check.set_defaults(handler=_check)

    rules = commands.add_parser("rules", help="document the check packs' rules")
    _common(rules, report=False)
    rules_do = rules.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    rules_do.add_parser("list", help="one line per rule: id, severity, pack, title")
    show = rules_do.add_parser("show", help="everything about one rule")
    show.add_argument("rule_id", metavar="ID")
    docs = rules_do.add_parser("docs", help="a Markdown page of every rule")
    docs.add_argument("--output", "-o", metavar="FILE", help="write it to FILE (default: standard output)")
    rules.set_defaults(handler=_rules)

    baseline = commands.add_parser("baseline", help="accept today's findings, each with a reason, an owner and an expiry")
    _common(baseline, report=False)
    baseline_do = baseline.add_subparsers(dest="baseline_command", metavar="ACTION", required=True)
    update = baseline_do.add_parser("update", help="write the current findings of every environment into the baseline")
    update.add_argument("--env", metavar="ENV", action="append", default=[], help="environment (repeatable; default: all)")
    update.add_argument("--reason", default="accepted when the baseline was made", help="reason recorded for new entries")
    update.add_argument("--owner", help="owner recorded for new entries (default: git user.email)")
    update.add_argument("--ticket", help="ticket recorded for new entries")
    update.add_argument("--expires", metavar="YYYY-MM-DD", help="expiry of new entries (default and limit: baselines.max_days from today)")
    baseline.set_defaults(handler=_baseline)

    drift = commands.add_parser("drift", help="compare desired state with live files; exit 1 when they differ")
    _common(drift)
    drift.add_argument("--env", metavar="ENV", action="append", default=[], help="environment (repeatable; default: all)")
    drift.add_argument("--desired", metavar="DIR", type=Path, help="desired files, without a config (with --live)")
    drift.add_argument("--live", metavar="DIR", type=Path, help="live files, without a config (with --desired)")
    drift.add_argument("--namespace", metavar="NS", default="default", help="namespace of objects that name none (config-free form)")
    drift.add_argument("--verbose", "-v", action="store_true", help="also list differences ignored by the config")
    drift.set_defaults(handler=_drift)
    return parser


def _find_config(args: argparse.Namespace, required: bool) -> Any:
    from .config import config_free, find_config, load_config

    if args.config:
        path = Path(args.config)
        if not path.is_file():
            raise UsageError("config file not found", args.config)
        return _configured(load_config(path))
    found = find_config(Path.cwd())
    if found is not None:
        return _configured(load_config(found))
    if required:
        raise UsageError("no trueup.yaml here or in any parent directory (give --config, or see `trueup --help`)")
    return _configured(config_free(Path.cwd()))


def _configured(config: Any) -> Any:
    """Settings that apply to the whole run."""
    from .mask import set_secret_keys

    set_secret_keys(list(config.secret_keys))
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


def _open_output(args: argparse.Namespace, stdout: IO[str]) -> IO[str]:
    if not args.output:
        return stdout
    try:
        return open(args.output, "w", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the report: {exc.strerror}", args.output) from None


def _report(
    args: argparse.Namespace, config: Any, findings: Iterable[Any], summary: Any,
    environments: Sequence[str], stdout: IO[str], stderr: IO[str],
) -> int:
    from .report import RunInfo, make_reporter

    stream = _open_output(args, stdout)
    color = args.color == "always" or (
        args.color == "auto" and stream is stdout and stream.isatty() and "NO_COLOR" not in os.environ
    )
    info = RunInfo(args.command, tuple(environments), color=color, quiet=args.quiet, verbose=getattr(args, "verbose", False))
    reporter = make_reporter(args.format, stream, info)
    args.reported = True
    from .policy.suppress import Suppressions

    findings = Suppressions(config.root).apply(findings)
    if getattr(args, "baseline", None) is not None:
        findings = _load_baseline(config, args.baseline).apply(findings)
    error: TrueupError | None = None
    try:
        for finding in findings:
            summary.add(finding)
            reporter.write(finding)
    except TrueupError as exc:
        error = exc
    reporter.finish(summary, error)
    if stream is not stdout:
        stream.close()
    if error is not None:
        print(f"trueup: {error}", file=stderr)
        return 2
    return summary.exit_code


def _validator(args: argparse.Namespace, config: Any) -> Any:
    from .pipeline import validator_for
    from .policy.packs import load_policy, settings_from_config

    validator = validator_for(config, kubernetes_version=args.kubernetes_version, strict=args.strict)
    if not getattr(args, "no_policy", False):
        validator.policy = load_policy(settings_from_config(config.raw.get("policy")), config.root)
    return validator


def _environments(args: argparse.Namespace, config: Any) -> list[str]:
    names = list(args.env) or list(config.environments)
    for name in names:
        config.environment(name)
    if not names:
        raise UsageError("trueup.yaml defines no environments to render", config.display)
    return names


def _rendered_findings(
    config: Any, envs: Sequence[str], validator: Any, summary: Any, *, drift: bool = False, verbose: bool = False
) -> Iterable[Any]:
    from .pipeline import check_rendered, environment_render

    for env in envs:
        rendered = environment_render(config, env)
        yield from check_rendered(
            rendered, validator, config, summary, config.templates.strip("/"), drift=drift, verbose=verbose
        )


def _validate(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .model import Summary
    from .pipeline import check_files

    config = _find_config(args, required=not args.paths)
    if args.schema:
        from .config import SchemaMapping

        config.schemas = [*config.schemas, SchemaMapping(("**",), str(Path(args.schema).absolute()))]
    summary = Summary(fail_on=_threshold(args, config))
    validator = _validator(args, config)
    if args.paths:
        return _report(args, config, check_files(args.paths, config, validator, summary), summary, [], stdout, stderr)
    envs = _environments(args, config)
    return _report(args, config, _rendered_findings(config, envs, validator, summary), summary, envs, stdout, stderr)


def _check(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .model import Summary

    config = _find_config(args, required=True)
    envs = _environments(args, config)
    summary = Summary(fail_on=_threshold(args, config))
    validator = _validator(args, config)
    findings = _rendered_findings(config, envs, validator, summary, drift=True, verbose=args.verbose)
    return _report(args, config, findings, summary, envs, stdout, stderr)


def _drift(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .model import Summary

    if args.desired is not None or args.live is not None:
        if args.desired is None or args.live is None:
            raise UsageError("give both --desired DIR and --live DIR (or --env ENV with a trueup.yaml)")
        config = _find_config(args, required=False)
        summary = Summary(fail_on=_threshold(args, config))
        findings = _tree_drift(args.desired, args.live, args.namespace, config, summary)
        return _report(args, config, findings, summary, [], stdout, stderr)
    config = _find_config(args, required=True)
    envs = _environments(args, config)
    summary = Summary(fail_on=_threshold(args, config))
    findings = _rendered_findings(config, envs, None, summary, drift=True, verbose=args.verbose)
    return _report(args, config, findings, summary, envs, stdout, stderr)


def _tree_drift(desired: Path, live: Path, namespace: str, config: Any, summary: Any) -> Iterable[Any]:
    from .drift import Context, drift
    from .targets import load_tree

    trees = {}
    for name, root in (("desired", desired), ("live", live)):
        if not root.is_dir():
            raise UsageError(f"--{name} must be a directory", str(root))
        trees[name] = load_tree(root, root.as_posix().rstrip("/"), config)
        yield from trees[name].findings
    summary.files = len(trees["desired"].live) + len(trees["live"].live)
    summary.documents = sum(len(s.documents) for t in trees.values() for s in t.live)
    yield from drift(trees["desired"].live, trees["live"].live, Context(namespace=namespace))


def _baseline_settings(config: Any) -> tuple[str, int]:
    from .policy.baseline import DEFAULT_FILE, DEFAULT_MAX_DAYS

    raw = config.raw.get("baselines") or {}
    return raw.get("file", DEFAULT_FILE), raw.get("max_days", DEFAULT_MAX_DAYS)


def _load_baseline(config: Any, given: str) -> Any:
    from .policy.baseline import load_baseline

    default, max_days = _baseline_settings(config)
    name = given or default
    return load_baseline(config.root / name, name, max_days)


def _git_email(root: Path) -> str | None:
    try:
        import git

        return git.Repo(root, search_parent_directories=True).config_reader().get_value("user", "email", None)
    except Exception:  # not a repository, no git, no email set: the caller asks for --owner
        return None


def _baseline(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    import datetime as dt

    from .model import Summary
    from .policy.baseline import update_baseline, write_baseline
    from .policy.suppress import Suppressions

    config = _find_config(args, required=True)
    name, max_days = _baseline_settings(config)
    previous = _load_baseline(config, name)
    today = dt.date.today()
    limit = today + dt.timedelta(days=max_days)
    expires = limit
    if args.expires:
        try:
            expires = dt.date.fromisoformat(args.expires)
        except ValueError:
            raise UsageError(f"--expires must be a date (YYYY-MM-DD), not {args.expires!r}") from None
        if not today < expires <= limit:
            raise UsageError(f"--expires must be after today and at most {max_days} days away ({limit})")
    owner = args.owner or _git_email(config.root)
    if not owner:
        raise UsageError("give --owner (no git user.email to default to)")
    args.verbose, args.kubernetes_version, args.strict = False, None, None
    envs = _environments(args, config)
    summary = Summary()
    findings = Suppressions(config.root).apply(
        _rendered_findings(config, envs, _validator(args, config), summary, drift=True)
    )
    entries, counts = update_baseline(previous, findings, reason=args.reason, owner=owner, ticket=args.ticket,
                                      expires=expires)
    write_baseline(config.root / name, entries)
    print(f"baseline {name}: {len(entries)} entries ({counts.added} new, {counts.kept} kept, {counts.removed} resolved)",
          file=stdout)
    return 0


def _rules(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .policy import docs
    from .policy.packs import load_policy, settings_from_config

    config = _find_config(args, required=False)
    policy = load_policy(settings_from_config(config.raw.get("policy")), config.root)
    rules = [*policy.rules, *policy.cross_file]
    if args.rules_command == "list":
        stdout.write(docs.listing(rules))
    elif args.rules_command == "show":
        found = {r.id: r for r in rules}.get(args.rule_id.upper())
        if found is None:
            raise UsageError(f"no rule {args.rule_id!r} (see `trueup rules list`)")
        stdout.write(docs.show(found))
    else:
        page = docs.markdown(rules)
        if args.output:
            Path(args.output).write_text(page, encoding="utf-8")
        else:
            stdout.write(page)
    return 0


def _render(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
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
    root = out.resolve()
    for output in outputs:
        target = (root / output.output).resolve()
        if root not in target.parents:
            raise UsageError("rendered path leaves the output directory", output.output)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(output.text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write rendered output: {exc.strerror or exc}", str(target)) from None


def _error_report(args: argparse.Namespace, stdout: IO[str], error: TrueupError) -> None:
    """A run that failed before reporting still gives ``--format json`` readers a report."""
    from .model import Summary
    from .report import RunInfo, make_reporter

    try:
        stream = _open_output(args, stdout)
    except TrueupError:
        return
    make_reporter("json", stream, RunInfo(args.command, tuple(getattr(args, "env", ()) or ()))).finish(Summary(), error)
    if stream is not stdout:
        stream.close()


def main(argv: Sequence[str] | None = None, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not getattr(args, "handler", None):
        parser.print_help(stdout)
        return 2
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 4000))
    # Loaded documents are acyclic trees, millions of objects in a large run: full collections
    # would rescan them again and again for nothing (measured: drift of 5,000 pairs 17 s -> 10 s).
    gc.set_threshold(100_000, 50, 1000)
    handler: Callable[[argparse.Namespace, IO[str], IO[str]], int] = args.handler
    try:
        return handler(args, stdout, stderr)
    except TrueupError as exc:
        print(f"trueup: {exc}", file=stderr)
        if getattr(args, "format", "text") == "json" and not getattr(args, "reported", False):
            _error_report(args, stdout, exc)
        return 2
    except KeyboardInterrupt:
        print("trueup: interrupted", file=stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`trueup render | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except (RecursionError, MemoryError) as exc:
        print(f"trueup: input too large or too deeply nested ({type(exc).__name__})", file=stderr)
        return 2


def run() -> None:
    sys.exit(main())
