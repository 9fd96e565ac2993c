"""Cross-file rules that the config switches on: version groups, compose variables, port pairings."""
from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any, Iterator, Sequence

from ...globs import match_any
from ...model import Document, Finding, finding_at
from ...pointer import escape_token, value_at
from ..select import expand, select
from .registry import WHOLE, CrossFileRule, register
from ...load.compose_syntax import parse_port
from .compose import compose_services
from .selectors import listed


def _tag(image: Any) -> str | None:
    """An image's digest or tag; None when it has neither (``web``, or ``web:`` with an empty one)."""
    text = str(image or "")
    if "@" in text:
        return text.rsplit("@", 1)[1] or None
    last = text.rsplit("/", 1)[-1]
    return (last.split(":", 1)[1] or None) if ":" in last else None


def _mapping(value: Any) -> dict[str, Any]:
    """A mapping field as a mapping; anything else (an invalid file's scalar or list) as empty."""
    return value if isinstance(value, dict) else {}


def _images(documents: Sequence[Document]) -> Iterator[tuple[str, Document, str, str | None]]:
    """(member name, document, pointer, tag) for compose services and Kubernetes workloads."""
    for doc, name, service in compose_services(documents):
        if "image" in service:
            yield name, doc, f"/services/{escape_token(name)}/image", _tag(service["image"])
    for doc in documents:
        if doc.kind != "kubernetes" or not isinstance(doc.data, dict):
            continue
        name = str(_mapping(doc.data.get("metadata")).get("name", ""))
        for concrete in expand("{pod}/containers/*", doc.data.get("kind")):
            for pointer, container in select(doc.data, concrete):
                if isinstance(container, dict) and "image" in container:
                    yield name, doc, f"{pointer}/image", _tag(container["image"])
                    break


def _workload_or_compose(doc: Document) -> bool:
    if doc.kind == "compose":
        return True
    kind = doc.data.get("kind") if doc.kind == "kubernetes" and isinstance(doc.data, dict) else None
    return isinstance(kind, str) and bool(expand("{pod}", kind))


def _reads_images(doc: Document, settings: dict[str, Any]) -> str | None:
    return WHOLE if settings.get("version_groups") and _workload_or_compose(doc) else None


def _reads_variables(doc: Document, settings: dict[str, Any]) -> str | None:
    return WHOLE if doc.kind == "compose" or doc.source.format == "dotenv" else None


def _reads_ports(doc: Document, settings: dict[str, Any]) -> str | None:
    return WHOLE if settings.get("ports") and (doc.kind == "config" or _workload_or_compose(doc)) else None


@register(
    "VERSION-GROUP-MISMATCH", "Services that move together run one version", "high",
    "Services named in a version group of trueup.yaml (policy.version_groups) are released together; "
    "one on another image version than the rest means a half-done rollout or a forgotten bump.",
    "Give every member of the group the same image tag.",
    reads=_reads_images,
)
def version_groups(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    groups = settings.get("version_groups") or {}
    if not groups:
        return
    images = list(_images(documents))
    for group, members in groups.items():
        found = [(name, doc, pointer, tag) for name, doc, pointer, tag in images if name in members]
        tags = [tag for *_, tag in found]
        if len(set(tags)) <= 1:
            continue
        common = max(set(tags), key=lambda t: (tags.count(t), str(t)))
        for name, doc, pointer, tag in found:
            if tag != common:
                yield finding_at(doc, pointer, rule=rule.id, severity=rule.severity,
                                 message=f"{name} runs {tag or 'an untagged image'} while group {group!r} runs "
                                         f"{common or 'an untagged image'}")


_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+][^}]*)?\}|(?<!\$)\$([A-Za-z_][A-Za-z0-9_]*)")


# What every login shell puts in the environment compose is started from (POSIX's HOME, PATH, PWD,
# LOGNAME; login's USER and SHELL; a terminal's TERM and LANG): a compose file may rely on them.
SHELL_VARIABLES = frozenset({"PWD", "OLDPWD", "HOME", "USER", "LOGNAME", "PATH", "SHELL", "TERM", "LANG"})


@register(
    "COMPOSE-VARIABLE-DEFINED", "Every ${VAR} a compose file uses is defined", "medium",
    "Compose replaces an undefined ${VAR} with an empty string (and a warning), which starts services "
    "with empty passwords, hosts or tags.",
    "Define the variable in the project's .env, give it a default (${VAR:-value}), or mark it required (${VAR:?message}).",
    reads=_reads_variables,
)
def variables_defined(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    defined: dict[str, set[str]] = {}
    for doc in documents:
        if doc.source.format == "dotenv" and isinstance(doc.data, dict):
            defined.setdefault(str(PurePosixPath(doc.source.name).parent), set()).update(map(str, doc.data))
    for doc in documents:
        if doc.kind != "compose" or not isinstance(doc.data, dict):
            continue
        known = defined.get(str(PurePosixPath(doc.source.name).parent), set()) | set(doc.variables or ())
        for pointer, text in select(doc.data, "/**"):
            if not isinstance(text, str):
                continue
            for match in _VARIABLE.finditer(text.replace("$$", "")):
                name, modifier = match.group(1) or match.group(3), match.group(2) or ""
                if modifier or name in known or name in SHELL_VARIABLES or _service_defines(doc.data, pointer, name):
                    continue
                yield finding_at(doc, pointer, rule=rule.id, severity=rule.severity,
                                 message=f"${{{name}}} is defined in no .env of the project and has no default")


def _service_defines(data: dict[str, Any], pointer: str, name: str) -> bool:
    parts = pointer.split("/")
    if len(parts) < 3 or parts[1] != "services":
        return False
    env = value_at(data, f"/services/{parts[2]}/environment")
    if isinstance(env, dict):
        return name in env
    return isinstance(env, list) and any(str(e).split("=", 1)[0] == name for e in env)


@register(
    "CONFIG-PORT-MISMATCH", "The port an app config listens on is the port its container exposes", "high",
    "When the application listens on one port and compose or Kubernetes sends traffic to another, "
    "the service is up and unreachable. Pairings are declared in policy.ports of trueup.yaml.",
    "Change the config's port or the container's port so that they match.",
    reads=_reads_ports,
)
def ports_match(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
    for pairing in settings.get("ports") or []:
        for doc in documents:
            if doc.kind != "config" or not match_any([pairing["config"]], doc.source.name):
                continue
            port = value_at(doc.data, pairing["pointer"])
            if port is None:
                continue
            for where, exposed in _exposed(documents, pairing):
                if str(port) not in exposed:
                    shown = ", ".join(sorted(exposed)) or "no port"
                    yield finding_at(doc, pairing["pointer"], rule=rule.id, severity=rule.severity,
                                     message=f"listens on {port}, but {where} exposes {shown}")


def _exposed(documents: Sequence[Document], pairing: dict[str, Any]) -> Iterator[tuple[str, set[str]]]:
    service = pairing.get("compose")
    if service:
        for _, name, spec in compose_services(documents):
            if name == service:
                ports = {str(parse_port(port)["target"]) for port in listed(spec.get("ports"))}
                ports.update(str(p) for p in listed(spec.get("expose")))
                yield f"compose service {name}", ports
    workload = pairing.get("kubernetes")
    if workload:
        for doc in documents:
            if doc.kind != "kubernetes" or not isinstance(doc.data, dict) \
                    or _mapping(doc.data.get("metadata")).get("name") != workload:
                continue
            ports = {str(port.get("containerPort")) for concrete in expand("{pod}/containers/*/ports/*", doc.data.get("kind"))
                     for _, port in select(doc.data, concrete) if isinstance(port, dict)}
            if ports or expand("{pod}", doc.data.get("kind")):
                yield f"{doc.data.get('kind')} {workload}", ports
