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
from typing import IO, Callable, Sequence

from . import __version__, commands, maintenance, progress
from .errors import TrueupError
from .options import Options, options_from
from .report import FORMATS


def _common(parser: argparse.ArgumentParser, *, report: bool = True) -> None:
    parser.add_argument("--config", metavar="FILE", help="trueup.yaml to use (default: found from the working directory upwards)")
    if not report:
        return
    baseline = parser.add_mutually_exclusive_group()
    baseline.add_argument(
        "--baseline", nargs="?", const="", metavar="FILE",
        help="waive findings accepted in FILE (default: baselines.file in trueup.yaml, baselines/accepted.yaml, "
             "which applies on its own wherever it exists); fail on expired entries",
    )
    baseline.add_argument("--no-baseline", action="store_true", help="show every finding, the accepted ones too")
    parser.add_argument("--format", "-f", choices=FORMATS, default="text", help="report format (default: text)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    parser.add_argument(
        "--fail-on", metavar="SEVERITY",
        help="lowest severity that fails the run: critical, high (default), medium, low, info, or never",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary line")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def _schema_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-policy", action="store_true", help="schema validation only, no check packs")
    parser.add_argument("--profile", choices=("minimal", "standard", "strict"),
                        help="which rules run (default: policy.profile, else standard)")
    parser.add_argument("--rule", metavar="ID", action="append", default=[],
                        help="report only this rule (repeatable; globs such as 'K8S-RBAC-*'), whatever the profile; "
                             "files that cannot be read are still reported")
    parser.add_argument("--skip-rule", metavar="ID", action="append", default=[],
                        help="do not run this rule (repeatable; globs), as policy.disable does")
    parser.add_argument("--kubernetes-version", metavar="X.Y", help="Kubernetes schema version (default: config, else newest)")
    strict = parser.add_mutually_exclusive_group()
    strict.add_argument("--strict", dest="strict", action="store_true", default=None, help="unknown Kubernetes fields are errors")
    strict.add_argument("--no-strict", dest="strict", action="store_false")


def _patch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-blame", action="store_true",
                        help="do not name the commit that last changed each drifted desired value (git blame)")
    parser.add_argument("--patches", metavar="DIR", help="write remediation patches for the drift into DIR")
    parser.add_argument("--prune", action="store_true", help="patches also remove what exists only live")
    parser.add_argument("--direction", choices=("remediate", "adopt"), default="remediate",
                        help="remediate: patches make live match git (default); adopt: patches make plain desired "
                             "files in git match live, for drift you keep")


def _digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit()`` is true for ``"²"``, which ``int`` refuses."""
    return text.isascii() and text.isdigit()


def _shard(text: str) -> tuple[int, int]:
    index, sep, total = text.partition("/")
    if not (sep and _digits(index) and _digits(total) and 1 <= int(index) <= int(total)):
        raise argparse.ArgumentTypeError(f"{text!r}: expected I/N with 1 <= I <= N, e.g. 2/4")
    return int(index), int(total)


def _jobs(text: str) -> int:
    if not _digits(text):
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number of processes (0: automatic)")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trueup",
        description="Render desired state from git, validate it, and keep live systems true to it.",
    )
    parser.add_argument("--version", action="version", version=f"trueup {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    render = sub.add_parser("render", help="render an environment's templates")
    _common(render, report=False)
    render.add_argument("--env", metavar="ENV", dest="environment",
                        help="environment from trueup.yaml (or a name for --templates)")
    render.add_argument("--templates", metavar="DIR", help="templates root, without a config")
    render.add_argument("--values", metavar="FILE", action="append", default=[], help="values file (repeatable; later files win)")
    render.add_argument("--out", metavar="DIR", help="write rendered files under DIR instead of printing a stream")
    render.set_defaults(handler=commands.render)

    validate = sub.add_parser("validate", help="validate files, or every rendered environment")
    _common(validate)
    _schema_options(validate)
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or directories (default: rendered environments)")
    validate.add_argument("--env", metavar="ENV", action="append", default=[], help="environment to render and validate (repeatable)")
    validate.add_argument("--schema", metavar="FILE", help="also validate every PATH against this JSON Schema")
    validate.add_argument("--verbose", "-v", action="store_true",
                          help="also list waived (suppressed) findings, skipped chart templates and documents no "
                               "schema validated")
    validate.add_argument("--exclude", metavar="GLOB", action="append", default=[],
                          help="leave out of directory walks (repeatable; a glob without / matches a name anywhere); "
                               "files named on the command line are always read, unless --skip-excluded")
    validate.add_argument("--skip-excluded", action="store_true",
                          help="also leave out named files a walk would leave out (exclusions, node_modules/, "
                               "vendor/...): for hooks, which name every tracked file")
    validate.add_argument("--jobs", "-j", metavar="N", type=_jobs, default=0,
                          help="worker processes for PATHs (default: one per core from 200 files on, else 1)")
    validate.add_argument("--changed-since", metavar="REF",
                          help="check only files changed since git REF's merge base (and new or edited ones); "
                               "cross-file rules still read every file under PATHs (default PATH: .)")
    validate.add_argument("--cache", action=argparse.BooleanOptionalAction, default=None,
                          help="reuse (and keep) the results of unchanged files, in $TRUEUP_CACHE_DIR, else "
                               "$XDG_CACHE_HOME/trueup or ~/.cache/trueup (default: on, but off where CI is set: "
                               "a fresh runner has nothing to reuse)")
    validate.set_defaults(handler=commands.validate)

    check = sub.add_parser("check", help="render, validate and drift environments: one report, one exit code")
    _common(check)
    _schema_options(check)
    check.add_argument("--env", metavar="ENV", action="append", default=[], help="environment (repeatable; default: all)")
    check.add_argument("--verbose", "-v", action="store_true", help="also list differences ignored by the config")
    _patch_options(check)
    check.set_defaults(handler=commands.check)

    rules = sub.add_parser("rules", help="document the check packs' rules")
    _common(rules, report=False)
    rules_do = rules.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    rules_do.add_parser("list", help="one line per rule: id, severity, pack, title")
    show = rules_do.add_parser("show", help="everything about one rule")
    show.add_argument("rule_id", metavar="ID")
    docs = rules_do.add_parser("docs", help="a Markdown page of every rule")
    docs.add_argument("--output", "-o", metavar="FILE", help="write it to FILE (default: standard output)")
    rules.set_defaults(handler=maintenance.rules)

    baseline = sub.add_parser("baseline", help="accept today's findings, each with a reason, an owner and an expiry")
    _common(baseline, report=False)
    baseline_do = baseline.add_subparsers(dest="baseline_command", metavar="ACTION", required=True)
    update = baseline_do.add_parser("update", help="write the current findings of every environment into the baseline")
    update.add_argument("--env", metavar="ENV", action="append", default=[], help="environment (repeatable; default: all)")
    update.add_argument("--reason", default="accepted when the baseline was made", help="reason recorded for new entries")
    update.add_argument("--owner", help="owner recorded for new entries (default: git user.email)")
    update.add_argument("--ticket", help="ticket recorded for new entries")
    update.add_argument("--expires", metavar="YYYY-MM-DD", help="expiry of new entries (default and limit: baselines.max_days from today)")
    baseline.set_defaults(handler=maintenance.baseline)

    init = sub.add_parser("init", help="scaffold a working GitOps repository (config, templates, values, policy, hooks, workflows)")
    init.add_argument("directory", nargs="?", default=".", metavar="DIR", help="where (default: here); nothing is overwritten")
    init.add_argument("--repo", metavar="URL", help="the git repository the hooks and workflows get trueup from "
                      "(default: where the installed trueup came from)")
    init.add_argument("--rev", metavar="REV", help="the tag or commit in it (default: the installed trueup's commit, "
                      "or its release tag)")
    init.set_defaults(handler=maintenance.init)

    report = sub.add_parser("report", help="work with JSON reports of earlier runs")
    report_do = report.add_subparsers(dest="report_command", metavar="ACTION", required=True)
    merge = report_do.add_parser("merge", help="combine JSON reports (shards of one run) into one, in any format")
    _common(merge)
    merge.add_argument("reports", nargs="+", metavar="REPORT.json", help="reports written with --format json")
    merge.add_argument("--allow-mixed", action="store_true",
                       help="merge reports of different commits or CI runs, and a report or shard given twice")
    merge.add_argument("--previous", metavar="FILE",
                       help="with --format html, json or markdown: a previous JSON report; the report says what is new and "
                            "what was resolved since")
    merge.add_argument("--history", metavar="FILE", nargs="+", action="extend", default=[],
                       help="with --format html, json or markdown: earlier JSON reports (oldest first) or an audit "
                            "log (.jsonl), a trend with this run as the last point")
    merge.set_defaults(handler=maintenance.report_merge)

    fix = sub.add_parser("fix", help="make live files match the desired state (a dry run unless --apply)")
    _common(fix, report=False)
    fix.add_argument("--env", metavar="ENV", action="append", default=[], help="environment (repeatable; default: all)")
    fix.add_argument("--apply", action="store_true", help="write the changes (atomically, with a backup)")
    fix.add_argument("--prune", action="store_true", help="also remove what exists only live (objects, keys, whole files)")
    fix.set_defaults(handler=maintenance.fix)

    audit = sub.add_parser("audit", help="read and verify the audit log")
    _common(audit, report=False)
    audit.add_argument("--log", metavar="FILE", help="the audit log (default: audit.path in trueup.yaml, or .trueup/audit.jsonl)")
    audit_do = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    audit_do.add_parser("verify", help="check the hash chain; name the first record edited, removed, reordered or inserted")
    show = audit_do.add_parser("show", help="list runs, newest last")
    show.add_argument("--since", metavar="YYYY-MM-DD")
    show.add_argument("--rule", metavar="ID", dest="only_rule", help="only runs with findings of this rule")
    show.add_argument("--target", metavar="TARGET", help="only runs with findings on this target")
    audit.set_defaults(handler=maintenance.audit_command)

    preview = sub.add_parser("preview", help="what a change to the desired state does to each environment, before it merges")
    _common(preview)
    _schema_options(preview)
    preview.add_argument("--base", metavar="REF", required=True, help="the revision to compare with (e.g. origin/main, HEAD~1)")
    preview.add_argument("--head", metavar="REF", help="the revision that changes it (default: the working tree)")
    preview.add_argument("--env", metavar="ENV", action="append", default=[], help="environment (repeatable; default: all)")
    preview.set_defaults(handler=commands.preview)

    drift = sub.add_parser("drift", help="compare desired state with live files; exit 1 when they differ")
    _common(drift)
    drift.add_argument("--env", metavar="ENV", action="append", default=[], help="environment (repeatable; default: all)")
    drift.add_argument("--shard", metavar="I/N", type=_shard,
                       help="drift only the I-th of N shares of the work: each Kubernetes object and each other file "
                            "belongs to one shard by a stable hash, across and within targets, with or without "
                            "trueup.yaml (merge the shards' JSON reports with `trueup report merge`)")
    drift.add_argument("--desired", metavar="DIR", type=Path, help="desired files, without a config (with --live)")
    drift.add_argument("--live", metavar="DIR", type=Path, help="live files, without a config (with --desired)")
    drift.add_argument("--namespace", metavar="NS", default="default", help="namespace of objects that name none (config-free form)")
    drift.add_argument("--verbose", "-v", action="store_true", help="also list differences ignored by the config")
    _patch_options(drift)
    drift.set_defaults(handler=commands.drift)
    return parser


def _error_report(options: Options, stdout: IO[str], error: TrueupError) -> None:
    """A run that failed before reporting still gives ``--format json`` readers a report."""
    from .model import Summary
    from .report import RunInfo, make_reporter
    from .wiring import open_output

    try:
        stream = open_output(options.output, stdout)
    except TrueupError:
        return
    make_reporter("json", stream, RunInfo(options.command, options.env)).finish(Summary(), error)
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
    options = options_from(args, list(argv) if argv is not None else sys.argv[1:])
    if options.direction == "adopt" and not options.patches:
        print("trueup: --direction adopt writes patches: give --patches DIR", file=stderr)
        return 2
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 4000))
    # Loaded documents are acyclic trees, millions of objects in a large run: full collections
    # would rescan them again and again for nothing (measured: drift of 5,000 pairs 17 s -> 10 s).
    gc.set_threshold(100_000, 50, 1000)
    progress.enable(stderr, options.quiet)
    handler: Callable[[Options, IO[str], IO[str]], int] = args.handler
    try:
        return handler(options, stdout, stderr)
    except TrueupError as exc:
        progress.clear()
        from .wiring import say

        say(f"trueup: {exc}", stderr)  # one line, whatever the input's names hold
        if options.format == "json":  # a run that reported does not get here: report() keeps its errors
            _error_report(options, stdout, exc)
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
    """The console script. A big run ends holding millions of objects, and freeing them one by
    one at interpreter exit took seconds (a third of a 5,000-object drift); by now every report,
    patch, cache entry and audit record is written and closed, so the process ends at once."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = 141
    except OSError:
        code = code or 2
    os._exit(code)
