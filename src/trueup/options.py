"""A run's options: the command line parsed once into a frozen, typed value (as check-jsonschema
builds its parse result), which the CLI hands to a command. Commands read it and never write it;
what a run produces (its exit code, the patches it wrote) is returned, not stored on the options.

Every option of every command is a field here, with the default the command line gives it; a
command reads only its own. ``tests/test_options.py`` holds the parser to this list: an option the
parser has and this value lacks fails there, rather than being dropped on the way.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Sequence


@dataclass(frozen=True)
class CheckSettings:
    """What decides a run's checks: its schemas (Kubernetes version, strictness) and its rules."""

    kubernetes_version: str | None = None
    strict: bool | None = None
    no_policy: bool = False
    profile: str | None = None
    rule: tuple[str, ...] = ()
    skip_rule: tuple[str, ...] = ()


@dataclass(frozen=True)
class Options:
    command: str
    argv: tuple[str, ...] = ()
    config: str | None = None
    # reports
    format: str = "text"
    output: str | None = None
    fail_on: str | None = None
    quiet: bool = False
    color: str = "auto"
    baseline: str | None = None
    no_baseline: bool = False
    verbose: bool = False
    # what runs
    env: tuple[str, ...] = ()
    checks: CheckSettings = CheckSettings()
    # validate
    paths: tuple[Path, ...] = ()
    schema: str | None = None
    exclude: tuple[str, ...] = ()
    skip_excluded: bool = False
    jobs: int = 0
    changed_since: str | None = None
    cache: bool | None = None
    # drift and check
    shard: tuple[int, int] | None = None
    desired: Path | None = None
    live: Path | None = None
    namespace: str = "default"
    no_blame: bool = False
    patches: str | None = None
    prune: bool = False
    direction: str = "remediate"
    # render
    environment: str | None = None
    templates: str | None = None
    values: tuple[str, ...] = ()
    out: str | None = None
    # preview
    base: str | None = None
    head: str | None = None
    # rules
    rules_command: str | None = None
    rule_id: str | None = None
    # baseline
    baseline_command: str | None = None
    reason: str = "accepted when the baseline was made"
    owner: str | None = None
    ticket: str | None = None
    expires: str | None = None
    # init
    directory: str = "."
    repo: str | None = None
    rev: str | None = None
    # report merge
    report_command: str | None = None
    reports: tuple[str, ...] = ()
    allow_mixed: bool = False
    previous: str | None = None
    history: tuple[str, ...] = ()
    # fix
    apply: bool = False
    # audit
    log: str | None = None
    audit_command: str | None = None
    since: str | None = None
    only_rule: str | None = None
    target: str | None = None


# Namespace entries that are how argparse dispatches, not options.
NOT_OPTIONS = frozenset({"handler"})


def options_from(namespace: argparse.Namespace, argv: Sequence[str]) -> Options:
    """The parsed command line as Options (lists become tuples; the check settings gathered in
    ``checks``); raises TypeError on an entry that is not a field of either, so a new option cannot
    be lost between the parser and the commands."""
    given: dict[str, Any] = {}
    checks: dict[str, Any] = {}
    names = {field.name for field in fields(Options)} - {"checks"}
    check_names = {field.name for field in fields(CheckSettings)}
    for name, value in vars(namespace).items():
        if name in NOT_OPTIONS:
            continue
        value = tuple(value) if isinstance(value, list) else value
        if name in check_names:
            checks[name] = value
        elif name in names:
            given[name] = value
        else:
            raise TypeError(f"the command line's {name!r} is not a field of Options")
    return Options(**given, argv=tuple(argv), checks=CheckSettings(**checks))
