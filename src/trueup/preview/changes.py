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

from dataclasses import dataclass, field, replace
from typing import Any, Iterator

from ..config import Config
from ..drift import Context, Side, drift
from ..model import Finding, Severity, Summary
from ..policy.baseline import fingerprint
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


def render_revision(config: Config | None, validator: Any, summary: Summary) -> dict[str, Rendered]:
    """Every environment of ``config`` (None: the revision has no trueup.yaml), rendered and checked."""
    from ..pipeline import check_rendered, environment_render

    states: dict[str, Rendered] = {}
    if config is None:
        return states
    for env in config.environments:
        state = Rendered(namespace=config.environment(env).namespace or "default")
        rendered = environment_render(config, env, track=True)
        root = config.templates.strip("/")
        state.findings = list(check_rendered(rendered, validator, config, summary, root, outputs=state.outputs))
        state.values = rendered.values
        state.reads = {f"{root}/{r.template}" if root else r.template: r.reads for r in rendered.outputs}
        states[env] = state
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
        old = {fingerprint(f) for f in before.findings}
        new = {fingerprint(f) for f in after.findings}
        yield from (f for f in after.findings if fingerprint(f) not in old)
        for gone in before.findings:
            if fingerprint(gone) not in new:
                yield replace(gone, rule="change.fixed", severity=Severity.INFO,
                              message=f"fixes {gone.rule}: {gone.message}", desired=None, live=None)
