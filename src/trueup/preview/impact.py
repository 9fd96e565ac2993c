"""What else a change touches in its environment.

``change.impact``: a changed ConfigMap or Secret names the workloads that mount it or
read it through ``env``/``envFrom`` (a new ConfigMap does not restart the pods that
read it: they need a rollout); a changed compose service names the services that
depend on it. Values keys and the files they reach are in ``values``.
"""
from __future__ import annotations

from typing import Iterable, Iterator, Sequence

from ..model import Document, Finding, Severity, finding_at, kubernetes_target
from ..pointer import escape_token, unescape_token
from ..policy.crossfile import selectors
from ..policy.crossfile.kubernetes import POD_REFERENCES
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


def consumers(documents: Sequence[Document], changed: set[tuple[str, str, str]], env: str,
              namespace: str = "default") -> Iterator[Finding]:
    """One finding per workload and changed object it reads (at its first reference). A workload
    without a namespace is in the environment's (``namespace``), as the changed objects' targets are."""
    for doc in selectors.objects(documents):
        kind = doc.data.get("kind")
        meta = doc.data.get("metadata")
        ns = selectors.namespace(doc.data) if isinstance(meta, dict) and meta.get("namespace") else namespace
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
                                                   f"{selectors.name(doc.data)} needs a rollout to see it")
                        found.target, found.environment = kubernetes_target(doc.data, namespace), env
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


def impacts(documents: Sequence[Document], changes: Sequence[Finding], env: str,
            namespace: str = "default") -> Iterator[Finding]:
    yield from consumers(documents, _changed_objects(changes), env, namespace)
    yield from dependents(documents, _changed_services(changes), env)
