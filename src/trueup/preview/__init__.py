"""``trueup preview --base REF [--head REF]``: what a change to the desired state does to every
environment's rendered output, before it merges (the question a reviewer asks of a GitOps
pull request). The head defaults to the working tree; any revision is read from git's
object database into a temporary directory (``gitrefs``), never checked out."""
from __future__ import annotations

import argparse
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from ..errors import TrueupError


def _config_at(root: Path, head: Any, stderr: IO[str], revision: str, *, tolerant: bool) -> Any:
    """The revision's trueup.yaml, where the working tree's is; None if it has none (all is new).

    One that cannot be read stops the run, naming the revision (``HEAD~1:trueup.yaml``); with
    ``tolerant`` (the base) it is compared as if it had none, and stderr says so."""
    from ..config import load_config
    from .changes import at_revision

    path = root / head.path.relative_to(head.root)
    if not path.is_file():
        return None
    try:
        config = load_config(path)
    except TrueupError as exc:
        if not tolerant:
            raise at_revision(exc, revision, root) from None
        print(f"trueup: {revision}: {head.display} cannot be read ({exc.cause}); compared as if it had none",
              file=stderr)
        return None
    return config


def command(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from ..commands import _checker, _find_config, _threshold, report
    from ..model import Summary
    from .changes import changes, render_revision
    from .gitrefs import tree_at

    config = _find_config(args, required=True)
    summary = Summary(fail_on=_threshold(args, config))
    with ExitStack() as stack:
        base_config = _config_at(stack.enter_context(tree_at(config.root, args.base)), config, stderr, args.base,
                                 tolerant=True)
        head_config = config if args.head is None else _config_at(
            stack.enter_context(tree_at(config.root, args.head)), config, stderr, args.head, tolerant=False)
        known = {env for revision in (base_config, head_config) if revision is not None
                 for env in revision.environments}
        unknown = sorted(set(args.env) - known)
        if unknown:
            from ..errors import UsageError

            raise UsageError(f"no environment {unknown[0]!r} at either revision")
        states = []
        for revision, counted, name, tolerant in ((base_config, Summary(), args.base, True),
                                                  (head_config, summary, args.head, False)):
            checker = _checker(args, revision) if revision is not None else None
            states.append(render_revision(revision, checker, counted, revision=name, tolerant=tolerant,
                                          only=args.env))
        findings = list(changes(*states))
    return report(args, config, findings, summary, sorted(set(states[0]) | set(states[1])), stdout, stderr)
