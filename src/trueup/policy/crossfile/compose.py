"""Cross-file rules for compose, per project: the compose files of one directory, as docker
compose merges them (``compose.yaml`` with ``compose.override.yaml``, say)."""
from __future__ import annotations

import functools
import ipaddress
from pathlib import PurePosixPath
from typing import Any, Iterator, Sequence

from ...model import Document, Finding, finding_at
from ...load.compose_syntax import parse_ports
from ...pointer import escape_token
from .registry import Check, CrossFileRule, compose_files, register
from .selectors import listed


def compose_services(documents: Sequence[Document]) -> Iterator[tuple[Document, str, dict[str, Any]]]:
    for doc in documents:
        if doc.kind == "compose" and isinstance(doc.data, dict) and isinstance(doc.data.get("services"), dict):
            for name, service in doc.data["services"].items():
                if isinstance(service, dict):
                    yield doc, name, service


# The files `docker compose` reads when none is named, and the overrides it merges onto them
# (compose-go cli/options.go: DefaultFileNames, DefaultOverrideFileNames).
DEFAULT_FILES = frozenset({"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"})
OVERRIDE_FILES = frozenset({"compose.override.yml", "compose.override.yaml", "docker-compose.override.yml",
                            "docker-compose.override.yaml"})


def projects(documents: Sequence[Document]) -> list[list[Document]]:
    """The compose documents grouped as compose combines files into one project: a directory's
    default file with its override file; every other file (``docker-compose.prod.yml``, an
    alternative never run with the others) on its own; a file another one ``include``s, with it.
    Each project's files in the order compose merges them (the base, then overrides)."""
    key_of: dict[str, str] = {}
    by_file: dict[str, list[Document]] = {}
    for doc in documents:
        if doc.kind != "compose":
            continue
        path = PurePosixPath(doc.source.name)
        by_file.setdefault(str(path), []).append(doc)
        default = path.name in DEFAULT_FILES or path.name in OVERRIDE_FILES
        key_of[str(path)] = f"{path.parent}/\0default" if default else str(path)
    for file, docs in by_file.items():  # include: the included files join the includer's project
        for doc in docs:
            for included in _included(doc):
                target = str(PurePosixPath(file).parent / included)
                target = str(PurePosixPath(*[p for p in PurePosixPath(target).parts if p != "."]))
                if target in key_of:
                    old, new = key_of[target], key_of[file]
                    key_of = {f: (new if k == old else k) for f, k in key_of.items()}
    grouped: dict[str, list[Document]] = {}
    for file, docs in by_file.items():
        grouped.setdefault(key_of[file], []).extend(docs)
    for docs in grouped.values():
        docs.sort(key=lambda d: (PurePosixPath(d.source.name).name in OVERRIDE_FILES, d.source.name, d.index))
    return list(grouped.values())


def _included(doc: Document) -> list[str]:
    """The paths a compose file's top-level ``include`` names (short form, or ``path`` of the long one)."""
    items = doc.data.get("include") if isinstance(doc.data, dict) else None
    paths: list[str] = []
    for item in items if isinstance(items, list) else ():
        named = item.get("path") if isinstance(item, dict) else item
        paths += [p for p in (named if isinstance(named, list) else [named]) if isinstance(p, str) and "$" not in p]
    return paths


def per_project(check: Check) -> Check:
    """Run ``check`` once per compose project (:func:`projects`)."""

    @functools.wraps(check)
    def run(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
        for docs in projects(documents):
            yield from check(rule, docs, settings)

    return run


def _depends(service: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(dependency, pointer suffix, spec) for list and map forms of depends_on."""
    deps = service.get("depends_on")
    if isinstance(deps, list):
        return [(str(d), f"/depends_on/{i}", {}) for i, d in enumerate(deps)]
    if isinstance(deps, dict):
        return [(str(d), f"/depends_on/{escape_token(str(d))}", spec if isinstance(spec, dict) else {})
                for d, spec in deps.items()]
    return []


def _at(rule: CrossFileRule, doc: Document, pointer: str, message: str) -> Finding:
    return finding_at(doc, pointer, rule=rule.id, severity=rule.severity, message=message)


@register(
    "COMPOSE-DEPENDS-ON-EXISTS", "depends_on and links name services that exist", "high",
    "A dependency on a service that no compose file of the project defines fails at `docker compose up`.",
    "Fix the service name, or add the service.",
    reads=compose_files, complete=True,  # the service may be in a file not read (an override, an include)
)
def depends_on_exists(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    # A file that depends on a service another compose file of the run defines is meant to be
    # combined with it (`-f docker-compose.yml -f extensions/x/x-compose.yml`): only a service no
    # file defines is missing for certain.
    anywhere = {name for _, name, _ in compose_services(documents)}
    for project in projects(documents):
        yield from _depends_on_exist(rule, project, anywhere)


def _depends_on_exist(rule: CrossFileRule, documents: Sequence[Document], anywhere: set[str]) -> Iterator[Finding]:
    known = {name for _, name, _ in compose_services(documents)} | anywhere
    for doc, name, service in compose_services(documents):
        base = f"/services/{escape_token(name)}"
        for dep, suffix, _ in _depends(service):
            if dep not in known:
                yield _at(rule, doc, base + suffix, f"{name} depends on {dep!r}, which no compose file defines")
        for i, link in enumerate(listed(service.get("links"))):
            target = str(link).split(":", 1)[0]
            if target not in known:
                yield _at(rule, doc, f"{base}/links/{i}", f"{name} links to {target!r}, which no compose file defines")


def _host_ports(service: dict[str, Any]) -> Iterator[tuple[int, tuple[str, str, str]]]:
    """(index of the entry, (host IP, host port, protocol)) of every host port a service publishes:
    a range (``"8000-8001:8000-8001"``) one port each, as compose expands it."""
    for i, item in enumerate(listed(service.get("ports"))):
        for port in parse_ports(item):
            published = port.get("published")
            if published not in (None, "") and not (isinstance(published, str) and "-" in published):
                # A host range for one container port is not a fixed port: docker binds the first free
                # one of the range (libnetwork portallocator RequestPortsInRange), so nothing clashes.
                yield i, (_host_ip(port.get("host_ip")), str(published), port["protocol"])


def _host_ip(value: Any) -> str:
    """A host IP as docker's port allocator keys it (netip.Addr.Unmap: ``::ffff:127.0.0.1`` is
    ``127.0.0.1``; ``0:0::0`` is ``::``); ``""`` when none is written."""
    text = str(value or "").strip("[]")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text  # a variable or a host name: compared as written
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def _clashes(ip: str, other: str) -> bool:
    """Whether one host port bound on host IPs ``ip`` and ``other`` clashes, as docker's port allocator
    decides (moby libnetwork/portallocator/portallocator.go, RequestPortsInRange: "If ips includes an
    unspecified address, the port needs to be free in all ipMaps for that address family. Otherwise,
    the port needs only needs to be free in the per-address maps for ips, and the map for 0.0.0.0/::").
    No host IP binds the daemon's default, 0.0.0.0 and ``::``: every address of both families."""
    if not ip or not other or ip == other:
        return True
    return (ip in ("0.0.0.0", "::") or other in ("0.0.0.0", "::")) and _family(ip) == _family(other) is not None


def _family(text: str) -> int | None:
    try:
        return ipaddress.ip_address(text).version
    except ValueError:
        return None  # a variable or a host name: clashes only with itself and with no host IP


@register(
    "COMPOSE-HOST-PORT-UNIQUE", "Host ports are published once", "high",
    "Two services publishing the same host port (in one file or across the compose files of a project) cannot both start.",
    "Give each service its own host port.",
    reads=compose_files, peers={"dclint": ("no-duplicate-exported-ports",)},
)
@per_project
def host_ports_unique(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    seen: dict[tuple[str, str, str], str] = {}
    for doc, name, service in compose_services(documents):
        reported: set[int] = set()
        for i, key in _host_ports(service):
            ip, port, protocol = key
            clash = next((v for k, v in seen.items() if k[1:] == key[1:] and _clashes(k[0], ip)), None)
            if clash is not None and i not in reported:
                reported.add(i)  # one finding per entry, at its first clashing port of a range
                yield _at(rule, doc, f"/services/{escape_token(name)}/ports/{i}",
                          f"host port {port}/{protocol} of {name} is already published by {clash}")
            elif clash is None:
                seen[key] = f"{name} ({doc.source.name})"


def _has_healthcheck(service: dict[str, Any]) -> bool:
    """Whether a service sets a health check that runs. ``disable: true`` turns it off, and so does a
    ``test`` list whose first item is ``NONE`` (compose-spec 05-services.md, healthcheck: "To disable
    any default healthcheck set by the image, you can use disable: true. This is equivalent to
    specifying test: ["NONE"]"); a string ``test: NONE`` is a CMD-SHELL command, not that."""
    check = service.get("healthcheck")
    if not isinstance(check, dict) or check.get("disable") is True:
        return False
    test = check.get("test")
    return not (isinstance(test, list) and test and test[0] == "NONE")


@register(
    "COMPOSE-HEALTHCHECK-FOR-DEPENDENCY", "Services that others depend on have a health check", "medium",
    "Without a health check, dependents can only wait for the container to start, not for it to be ready.",
    "Add a healthcheck to the service (or to its image).",
    reads=compose_files,
)
@per_project
def healthcheck_for_dependency(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    services = {name: (doc, service) for doc, name, service in compose_services(documents)}
    needed = {dep for _, _, service in compose_services(documents) for dep, _, _ in _depends(service)}
    for name in sorted(needed & set(services)):
        doc, service = services[name]
        if not _has_healthcheck(service):
            yield _at(rule, doc, f"/services/{escape_token(name)}",
                      f"{name} has dependents but no health check, so they cannot wait for it to be ready")


@register(
    "COMPOSE-DEPENDS-ON-HEALTHY", "Dependents wait for healthy dependencies", "medium",
    "When a dependency has a health check, `condition: service_started` still starts the dependent "
    "before the dependency is ready (a database accepting connections, say).",
    "Use depends_on: {name: {condition: service_healthy}}.",
    reads=compose_files,
)
@per_project
def depends_on_healthy(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    checked = {name for _, name, service in compose_services(documents) if _has_healthcheck(service)}
    for doc, name, service in compose_services(documents):
        for dep, suffix, spec in _depends(service):
            if dep in checked and spec.get("condition", "service_started") == "service_started":
                yield _at(rule, doc, f"/services/{escape_token(name)}{suffix}",
                          f"{name} starts when {dep} has started, not when its health check passes")


@register(
    "COMPOSE-DUPLICATE-CONTAINER-NAME", "Container names are unique in a project", "high",
    "Docker refuses a second container with a name that is taken: the later service fails to start "
    "('Conflict. The container name is already in use').",
    "Give each service its own container_name, or leave container_name out and let compose name them.",
    reads=compose_files, peers={"dclint": ("no-duplicate-container-names",)},
)
@per_project
def duplicate_container_name(rule: CrossFileRule, documents: Sequence[Document],
                             settings: dict[str, Any]) -> Iterator[Finding]:
    named: dict[str, tuple[Document, str]] = {}  # service -> where its container_name is set last (files merge)
    for doc, name, service in compose_services(documents):
        if isinstance(service.get("container_name"), (str, int)):
            named[name] = (doc, str(service["container_name"]))
    owners: dict[str, str] = {}
    for name, (doc, container) in named.items():
        if container in owners:
            yield _at(rule, doc, f"/services/{escape_token(name)}/container_name",
                      f"container_name {container!r} of {name} is already taken by {owners[container]}")
        else:
            owners[container] = name
