"""Rule documentation from the rules themselves: ``trueup rules list|show|docs``."""
from __future__ import annotations

import json
from typing import Any, Iterable

from .rules import Rule


def _select(rule: Any) -> str:
    if not isinstance(rule, Rule):
        return "every document of a run together (a cross-file rule)"
    return ", ".join(f"`{s}`" if s else "`\"\"` (the whole document)" for s in rule.selects)


def _match(rule: Any) -> str:
    if not isinstance(rule, Rule):
        return "the files of a run, together"
    parts = [", ".join(rule.kinds) if rule.kinds else "any file"]
    if rule.namespaced:
        parts.append("every namespaced kind")
    elif rule.object_kinds:
        parts.append("kinds " + ", ".join(rule.object_kinds))
    if rule.files:
        parts.append("files " + ", ".join(rule.files))
    if getattr(rule, "not_files", ()):
        parts.append("except files " + ", ".join(rule.not_files))
    if getattr(rule, "not_objects", ()):
        parts.append("except objects " + ", ".join(rule.not_objects))
    return "; ".join(parts)


PEER_NAMES = {"polaris": "Polaris", "kube-linter": "kube-linter", "checkov": "Checkov", "dclint": "dclint"}


def peers(rule: Any) -> str:
    """The equivalent checks of other linters, or "" when none is known."""
    known = getattr(rule, "peers", None) or {}
    return "; ".join(f"{PEER_NAMES.get(tool, tool)} " + ", ".join(f"`{i}`" for i in ids)
                     for tool, ids in known.items() if ids)


def listing(rules: Iterable[Any]) -> str:
    rows = sorted(rules, key=lambda r: (r.pack, r.id))
    width = max((len(r.id) for r in rows), default=10)
    return "\n".join(f"{r.id:<{width}}  {str(r.severity):<8}  {r.pack:<10}  {getattr(r, 'profile', 'standard'):<8}  {r.title}"
                     for r in rows) + "\n"


def show(rule: Any) -> str:
    where = rule.source if isinstance(rule, Rule) else f"{rule.check.__module__}.{rule.check.__name__}"
    text = (
        f"{rule.id}: {rule.title}\n"
        f"severity: {rule.severity}    pack: {rule.pack}    profile: {getattr(rule, 'profile', 'standard')}    "
        f"defined in {where}\n"
        f"applies to: {_match(rule)}\n"
        f"checks: {_select(rule)}\n"
        + (f"peers: {peers(rule)}\n" if peers(rule) else "") + "\n"
        f"{rule.description}\n\n"
        f"How to fix: {rule.remediation}\n"
    )
    if isinstance(rule, Rule):
        text += f"\nThe assertion (JSON Schema):\n{json.dumps(rule.schema, indent=2)}\n"
    return text


def markdown(rules: Iterable[Any]) -> str:
    rows = sorted(rules, key=lambda r: (r.pack, r.id))
    out = [
        "# Built-in rules",
        "",
        "Generated from the check packs in `checks/` by `trueup rules docs --output docs/rules.md`;",
        "do not edit by hand. Suppress one finding with `# trueup: ignore[RULE-ID] reason`,",
        "a rule everywhere with `policy.disable` in `trueup.yaml`.",
        "",
        "Profiles: `minimal` runs what is a breach or an outage on its own, `standard` (the default)",
        "adds what a reviewer would ask to fix, `strict` adds conventions and hardening that many",
        "teams skip (`policy.profile`, `--profile`; `--rule ID` runs named rules whatever the profile).",
        "",
        "| rule | severity | pack | profile | title |",
        "| --- | --- | --- | --- | --- |",
    ]
    out += [f"| [{r.id}](#{r.id.lower()}) | {r.severity} | {r.pack} | {getattr(r, 'profile', 'standard')} | {r.title} |"
            for r in rows]
    for r in rows:
        out += [
            "", f"## {r.id}", "", f"**{r.title}** ({r.severity}, pack `{r.pack}`)", "",
            r.description, "", f"*Applies to:* {_match(r)}. *Checks:* {_select(r)}.", "",
            f"*How to fix:* {r.remediation}",
        ]
        if peers(r):
            out += ["", f"*Peers:* {peers(r)}."]
    return "\n".join(out) + "\n"
