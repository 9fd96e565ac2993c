"""What else a change touches in its environment.

``change.impact``: a changed ConfigMap or Secret names the workloads that mount it or
read it through ``env``/``envFrom`` (a new ConfigMap does not restart the pods that
read it: they need a rollout); a changed compose service names the services that
depend on it. ``change.values``: each values key the change alters names every
rendered file whose template read it while rendering (``render.track_reads``).
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence

from ..model import Document, Finding, Severity, finding_at
from ..pointer import escape_token, resolves, steps, unescape_token
from ..policy.crossfile.kubernetes import POD_REFERENCES, _name, _namespace, _objects
from ..policy.select import expand, select

RULE = "change.impact"
CONFIG_KINDS = ("ConfigMap", "Secret")


def _changed_objects(changes: Iterable[Finding]) -> set[tuple[str, str, str]]:
    out = set()
    for change in changes:
        parts = change.target.split("/")
        if len(parts) == 3 and parts[0] in CONFIG_KINDS:
            out.add((parts[0], parts[1], parts[2]))
    return out


def _changed_services(changes: Iterable[Finding]) -> set[tuple[str, str]]:
    """(compose file, service) for each change under ``/services/<name>``."""
    out = set()
    for change in changes:
        parts = change.path.split("/")
        if len(parts) >= 3 and parts[1] == "services":
            out.add((change.target, unescape_token(parts[2])))
    return out


def consumers(documents: Sequence[Document], changed: set[tuple[str, str, str]], env: str) -> Iterator[Finding]:
    """One finding per workload and changed object it reads (at its first reference)."""
    for doc in _objects(documents):
        kind, ns = doc.data.get("kind"), _namespace(doc.data)
        named: set[tuple[str, str]] = set()
        for pattern, ref_kind, key in POD_REFERENCES:
            if ref_kind not in CONFIG_KINDS:
                continue
            for concrete in expand(pattern, kind):
                for pointer, ref in select(doc.data, concrete):
                    if isinstance(ref, dict) and (ref_kind, ns, str(ref.get(key))) in changed \
                            and (ref_kind, str(ref[key])) not in named:
                        named.add((ref_kind, str(ref[key])))
                        found = finding_at(doc, f"{pointer}/{key}", rule=RULE, severity=Severity.INFO,
                                           message=f"reads {ref_kind} {ref[key]!r}, which this change alters: "
                                                   f"{_name(doc.data)} needs a rollout to see it")
                        found.environment = env
                        yield found


def dependents(documents: Sequence[Document], changed: set[tuple[str, str]], env: str) -> Iterator[Finding]:
    for doc in documents:
        services = doc.data.get("services") if doc.kind == "compose" and isinstance(doc.data, dict) else None
        if not isinstance(services, dict):
            continue
        names = {name for target, name in changed if target == doc.source.name}
        for name, service in services.items():
            deps = service.get("depends_on") if isinstance(service, dict) else None
            listed = list(deps) if isinstance(deps, (list, dict)) else []
            for index, dep in enumerate(listed):
                if str(dep) in names and str(dep) != name:
                    where = index if isinstance(deps, list) else escape_token(str(dep))
                    found = finding_at(doc, f"/services/{escape_token(name)}/depends_on/{where}", rule=RULE,
                                       severity=Severity.INFO,
                                       message=f"{name} depends on {dep}, which this change alters")
                    found.environment = env
                    yield found


def impacts(documents: Sequence[Document], changes: Sequence[Finding], env: str) -> Iterator[Finding]:
    yield from consumers(documents, _changed_objects(changes), env)
    yield from dependents(documents, _changed_services(changes), env)


def _leaves(reads: frozenset[str]) -> set[str]:
    """The most specific reads: ``/app`` is only a way to ``/app/logLevel`` when that is read too."""
    return {r for r in reads if not any(other.startswith(r + "/") for other in reads)}


def reaches(reads: frozenset[str], key: str) -> bool:
    """Whether a template that read ``reads`` depends on the values at ``key``."""
    return any(r == key or key.startswith(r + "/") or r.startswith(key + "/") for r in _leaves(reads))


def _defined(values: Any, key: str) -> Document | None:
    """The values file whose value for ``key`` wins (the last layer that sets it, or an ancestor of it)."""
    for doc in reversed(getattr(values, "layers", [])):
        if resolves(doc.data, key):
            return doc
    for doc in reversed(getattr(values, "layers", [])):
        if steps(doc.data, key):
            return doc
    return None


def values_reach(before: Any, after: Any, env: str) -> Iterator[Finding]:
    """``change.values``: each values key the change alters, and every rendered file that reads it."""
    from ..drift.compare import Rules, Walker
    from ..mask import display_value

    new = after.values.data if after.values is not None else {}
    old = before.values.data if before.values is not None else {}
    for diff in Walker(Rules()).run(new, old):
        removed = diff.kind == "extra"
        key = diff.live_path if removed else diff.desired_path
        state = before if removed else after
        files = sorted(f for f, reads in state.reads.items() if reaches(reads, key))
        doc = _defined(state.values, key)
        verb = {"changed": "changes", "missing": "is added", "extra": "is removed"}[diff.kind]
        reach = f"reaches {', '.join(files)}" if files else "reaches no rendered file"
        pos = doc.locate(key) if doc is not None else None
        yield Finding(
            rule="change.values", severity=Severity.INFO, message=f"values {key} {verb}: {reach}",
            target=doc.source.file if doc is not None else "values", path=key,
            file=doc.source.file if doc is not None else None, line=pos[0] if pos else None,
            column=pos[1] if pos else None, environment=env,
            desired=display_value(new, key, diff.desired, "config") if not removed else None,
            live=display_value(old, key, diff.live, "config") if diff.kind != "missing" else None,
        )
