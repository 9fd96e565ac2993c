"""What a change to the desired state does to each environment's rendered output.

Both revisions are rendered and loaded as ``trueup check`` would; the head is then
compared with the base by the drift engine (the same normalization and identity
pairing), its differences renamed for what they are here: ``change.added``,
``change.removed``, ``change.changed`` (values: ``desired`` is the head's, ``live`` the
base's). Problems are compared by fingerprint: one the head has and the base had not
is reported as it is (the change introduces it); one only the base had is
``change.fixed``; one both have is not the change's doing and is left out. What else
each change touches follows it as ``change.impact`` (``impact``).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Iterator, Sequence

from ..config import Config
from ..drift import Context, Side, drift
from ..errors import TrueupError
from ..wiring import say
from ..model import Finding, Severity, Summary
from ..tree import real_path
from .impact import impacts
from .values import values_reach

RULES = {"drift.missing": "change.added", "drift.extra": "change.removed", "drift.changed": "change.changed"}


@dataclass
class Rendered:
    """One revision's environment: its rendered files, loaded, and the problems found in them."""

    outputs: list[tuple[str, list]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    namespace: str = "default"
    values: Any = None  # desired.Values: merged data, and each values file's document
    reads: dict[str, frozenset[str]] = field(default_factory=dict)  # template file -> values pointers it reads


def scrub(text: str, revision: str | None, root: Path) -> str:
    """``text`` with the temporary copy's paths named as git names them (``HEAD~1:templates``)."""
    if revision is None:
        return text
    for form in dict.fromkeys((str(real_path(root)), str(root))):
        text = text.replace(form + "/", f"{revision}:").replace(form, f"{revision}:.")
    return text


def at_revision(exc: TrueupError, revision: str | None, root: Path, *, name_file: bool = True) -> TrueupError:
    """``exc`` with its file named as git names a file at a revision (``HEAD~1:values/prod.yaml``;
    without ``name_file``, as the working tree does), never by the temporary copy's path."""
    named = copy.copy(exc)
    file = exc.file
    if file and Path(file).is_absolute():
        try:
            file = real_path(Path(file)).relative_to(real_path(root)).as_posix()
        except ValueError:
            pass
    if revision is not None and name_file:
        file = f"{revision}:{file or 'trueup.yaml'}"
    named.file, named.cause = file, scrub(exc.cause, revision, root)
    named.args = (named.cause,)
    return named


def config_at(root: Path, head: Any, stderr: IO[str], revision: str, *, tolerant: bool) -> Any:
    """The revision's trueup.yaml, where the working tree's is; None if it has none (all is new).

    One that cannot be read stops the run, naming the revision (``HEAD~1:trueup.yaml``); with
    ``tolerant`` (the base) it is compared as if it had none, and stderr says so."""
    from ..config import load_config

    path = root / head.path.relative_to(head.root)
    if not path.is_file():
        return None
    try:
        config = load_config(path)
    except TrueupError as exc:
        if not tolerant:
            raise at_revision(exc, revision, root) from None
        say(f"trueup: {revision}: {head.display} cannot be read ({exc.cause}); compared as if it had none", stderr)
        return None
    return config


def render_revision(config: Config | None, checker: Any, summary: Summary, *,
                    revision: str | None = None, tolerant: bool = False,
                    only: Sequence[str] = ()) -> dict[str, Rendered]:
    """Every environment of ``config`` (None: the revision has no trueup.yaml), rendered and checked.

    An environment that cannot be rendered at all (a values file that does not parse) stops the
    run, naming the revision; with ``tolerant`` (the base) it is a finding of that revision instead,
    so that a change that mends it reads as ``change.fixed``. ``only``: these environments (default: all)."""
    from ..pipeline import check_rendered, render_environment, error_finding

    states: dict[str, Rendered] = {}
    if config is None:
        return states
    for env in config.environments:
        if only and env not in only:
            continue
        state = Rendered(namespace=config.environment(env).namespace or "default")
        states[env] = state
        root = config.templates.strip("/")
        try:
            rendered = render_environment(config, env, track=True)
            found = check_rendered(rendered, checker, config, summary, root, outputs=state.outputs)
            state.findings = [replace(f, message=scrub(f.message, revision, config.root)) for f in found]
        except TrueupError as exc:
            named = at_revision(exc, revision, config.root, name_file=not tolerant)
            if not tolerant:
                raise named from None
            state.outputs = []
            state.findings = [error_finding(named, "input.parse", named.file or "trueup.yaml", env)]
            continue
        state.values = rendered.values
        state.reads = {f"{root}/{r.template}" if root else r.template: r.reads for r in rendered.outputs}
    return states


def _message(finding: Finding, rule: str) -> str:
    """``replicas changes``, ``object added``: the drift message's subject, and what happened to it."""
    subject = finding.message.split(" ", 1)[0]
    return f"{subject} {dict(zip(RULES.values(), ('added', 'removed', 'changes')))[rule]}"


def changes(base: dict[str, Rendered], head: dict[str, Rendered]) -> Iterator[Finding]:
    for env in sorted(set(base) | set(head)):
        before, after = base.get(env, Rendered()), head.get(env, Rendered())
        sides = [Side(path, docs) for path, docs in after.outputs], [Side(path, docs) for path, docs in before.outputs]
        found = [replace(f, rule=RULES[f.rule], severity=Severity.INFO, message=_message(f, RULES[f.rule]))
                 for f in drift(*sides, Context(namespace=after.namespace, environment=env))]
        yield from found
        yield from impacts([doc for _, docs in after.outputs for doc in docs], found, env, after.namespace)
        yield from values_reach(before, after, env)
        old = {f.fingerprint for f in before.findings}
        new = {f.fingerprint for f in after.findings}
        yield from (f for f in after.findings if f.fingerprint not in old)
        for gone in before.findings:
            if gone.fingerprint not in new:
                yield replace(gone, rule="change.fixed", severity=Severity.INFO,
                              message=f"fixes {gone.rule}: {gone.message}", desired=None, live=None)
