"""Kubernetes API knowledge: removed and deprecated API versions, and which kinds are served where.

``api-lifecycle.yaml`` (beside this module) gives per (apiVersion, kind) the releases that deprecated
and removed it and its replacement, each entry citing its source. A ``Catalog`` holds the served
(group, version, kind) triples of one kubernetes-validate schema directory. Built-in groups come from
the schemas, not from the name: core ``v1``, groups without a dot (a CRD group needs one) and the
dotted groups the schemas or the table know, so CRD groups such as ``gateway.networking.k8s.io``
(and the aggregated ``metrics.k8s.io``) are custom here."""
from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

REMOVED = "K8S-REMOVED-API"
DEPRECATED = "K8S-DEPRECATED-API"
UNKNOWN_KIND = "schema.unknown-kind"
UNKNOWN_API_VERSION = "schema.unknown-api-version"
MALFORMED = "schema.malformed-object"

_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")
_RELEASE = re.compile(r"^(\d+)\.(\d+)$")


@dataclass(frozen=True)
class Lifecycle:
    """One (apiVersion, kind) of the table: releases are (major, minor)."""
    api_version: str
    kind: str
    deprecated: tuple[int, int] | None
    removed: tuple[int, int] | None
    replacement: str | None
    source: str


@dataclass(frozen=True)
class ApiProblem:
    """A finding about an object's apiVersion or kind; ``pointer`` is a JSON pointer or ``""``."""
    rule: str
    severity: str
    message: str
    pointer: str


def _release(value: Any) -> tuple[int, int] | None:
    match = None if value is None else _RELEASE.match(str(value))
    if value is not None and not match:
        raise ValueError(f"api-lifecycle.yaml: release {value!r} is not MAJOR.MINOR")
    return (int(match.group(1)), int(match.group(2))) if match else None


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, str], Lifecycle]:
    text = resources.files(__package__).joinpath("api-lifecycle.yaml").read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    table = {}
    for row in yaml.load(text, Loader=loader)["apis"]:
        entry = Lifecycle(row["apiVersion"], row["kind"], _release(row["deprecated"]),
                          _release(row["removed"]), row["replacement"], row["source"])
        table[(entry.api_version, entry.kind)] = entry
    return table


def lifecycle_table() -> tuple[Lifecycle, ...]:
    """Every entry of the shipped table."""
    return tuple(_table().values())


def lifecycle(api_version: str, kind: str) -> Lifecycle | None:
    """The table's entry for (apiVersion, kind); a ``<Kind>List`` follows its ``<Kind>``."""
    found = _table().get((api_version, kind))
    if found is None and isinstance(kind, str) and kind.endswith("List"):
        found = _table().get((api_version, kind[:-4]))
    return found


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def _text(release: tuple[int, int]) -> str:
    return f"{release[0]}.{release[1]}"


class Catalog:
    """Which built-in kinds are served under which apiVersions, for one schema directory."""

    def __init__(self, served: dict[str, frozenset[str]]) -> None:
        self._served, self._kinds = served, frozenset(served)
        by_version: dict[str, set[str]] = {}
        for kind, versions in served.items():
            for api_version in versions:
                by_version.setdefault(api_version, set()).add(kind)
        self._by_version = {k: frozenset(v) for k, v in by_version.items()}
        self._groups = frozenset(_group(v) for v in self._by_version)

    @classmethod
    def from_definitions(cls, definitions: dict[str, Any]) -> "Catalog":
        """From a ``_definitions.json`` document (its ``x-kubernetes-group-version-kind`` lists)."""
        served: dict[str, set[str]] = {}
        body = definitions.get("$defs") or definitions.get("definitions") or {}
        for schema in body.values():
            for gvk in schema.get("x-kubernetes-group-version-kind") or () if isinstance(schema, dict) else ():
                kind, version, group = gvk.get("kind"), gvk.get("version"), gvk.get("group") or ""
                if kind and version:
                    served.setdefault(kind, set()).add(f"{group}/{version}" if group else version)
        return cls({k: frozenset(v) for k, v in served.items()})

    @classmethod
    def for_directory(cls, directory: Path) -> "Catalog":
        """The catalog of a schema directory's ``_definitions.json``, read once per directory."""
        return _catalog_for(os.path.abspath(directory))

    def api_versions(self, kind: str) -> frozenset[str]:
        """The apiVersions serving ``kind`` (case-sensitive); empty for a kind not built in."""
        return self._served.get(kind, frozenset())

    def kinds(self, api_version: str | None = None) -> frozenset[str]:
        """Every kind, or those served under ``api_version``."""
        return self._kinds if api_version is None else self._by_version.get(api_version, frozenset())

    def groups(self) -> frozenset[str]:
        return self._groups


@lru_cache(maxsize=None)
def _catalog_for(directory: str) -> Catalog:
    with open(Path(directory) / "_definitions.json", encoding="utf-8") as handle:
        return Catalog.from_definitions(json.load(handle))


@lru_cache(maxsize=1)
def _default_groups() -> frozenset[str]:
    """Groups of the table and of the newest shipped schemas (empty when they are missing)."""
    groups = {_group(entry.api_version) for entry in _table().values()}
    with contextlib.suppress(Exception):  # without kubernetes-validate the table's groups still answer
        from .kubernetes import KubernetesSchemas
        groups |= Catalog.for_directory(KubernetesSchemas(None, False).directory).groups()
    return frozenset(groups)


def is_builtin_group(api_version: str, catalog: Catalog | None = None) -> bool:
    """Whether ``api_version``'s group is Kubernetes' own (so its kinds cannot be custom): the core
    group and the groups the schemas or the lifecycle table know. A group without a dot that is not
    one of them (``skaffold/v4beta1``, kustomize's ``builtin``) is no Kubernetes API group at all (a
    CRD's group must contain a dot): another tool's config in Kubernetes' shape, not judged here."""
    group = _group(api_version)
    if group == "":  # the core group's versions look like v1 (kustomize's ``apiVersion: builtin`` does not)
        return bool(_VERSION.match(api_version))
    return group in _default_groups() or (catalog is not None and group in catalog.groups())


def _version_rank(api_version: str) -> tuple[int, int, int]:
    """(stage: 2 stable, 1 beta, 0 alpha, -1 not a version; major; pre-release number)."""
    match = _VERSION.match(api_version.rpartition("/")[2])
    if not match:
        return (-1, -1, -1)
    return {"alpha": 0, "beta": 1, None: 2}[match.group(2)], int(match.group(1)), int(match.group(3) or 0)


def _closest_api_version(wanted: str, served: frozenset[str]) -> str:
    """The served apiVersion to suggest: stable first, then the most alike, then the newest."""
    def key(candidate: str) -> tuple[bool, float, tuple[int, int, int]]:
        rank = _version_rank(candidate)
        return rank[0] == 2, difflib.SequenceMatcher(None, wanted, candidate).ratio(), rank
    return max(sorted(served), key=key)


def _closest_kind(kind: str, *pools: frozenset[str]) -> str | None:
    for pool in pools:
        lowered = {k.lower(): k for k in sorted(pool)}
        if kind.lower() in lowered:
            return lowered[kind.lower()]
        close = difflib.get_close_matches(kind.lower(), list(lowered), n=1, cutoff=0.75)
        if close:
            return lowered[close[0]]
    return None


def _replacement(entry: Lifecycle, version: tuple[int, int], catalog: Catalog) -> str | None:
    """The replacement still served at ``version``: follows replacements that were removed too,
    and falls back on the catalog's stable apiVersion for the kind when the table names none."""
    current, seen = entry, set()
    while current.replacement and current.replacement not in seen:
        seen.add(current.replacement)
        after = lifecycle(current.replacement, entry.kind)
        if after is None or after.removed is None or version < after.removed:
            return current.replacement
        current = after
    served = catalog.api_versions(entry.kind) - {entry.api_version}
    stable = frozenset(v for v in served if _version_rank(v)[0] == 2 and _group(v) == _group(entry.api_version))
    return _closest_api_version(entry.api_version, stable) if stable else None


def _malformed(data: dict) -> ApiProblem | None:
    for field, other in (("kind", "apiVersion"), ("apiVersion", "kind")):
        value = data.get(field)
        if field not in data:
            text = f"has {other} but no {field}" if other in data else "has neither apiVersion nor kind"
        elif value is None or (isinstance(value, str) and not value.strip()):
            text = f"has an empty {field}"
        elif not isinstance(value, str):
            text = f"has a non-string {field} ({type(value).__name__})"
        else:
            continue
        return ApiProblem(MALFORMED, "high", f"Kubernetes object {text}", "")
    return None


def check_object(data: dict, version: tuple[int, int], catalog: Catalog) -> list[ApiProblem]:
    """Problems with a Kubernetes object's apiVersion and kind at Kubernetes ``version``."""
    if not isinstance(data, dict):
        return []
    malformed = _malformed(data)
    if malformed is not None:
        return [malformed]
    api_version, kind = data["apiVersion"], data["kind"]
    group, _, served_version = api_version.rpartition("/")
    if not served_version or api_version.count("/") > 1 or api_version.startswith("/"):
        text = f"apiVersion `{api_version}` is not VERSION or GROUP/VERSION"
        return [ApiProblem(MALFORMED, "high", text, "/apiVersion")]
    entry = lifecycle(api_version, kind)
    stages = [r for r in (entry.deprecated, entry.removed) if r] if entry else []
    if entry is not None and stages and min(stages) <= version:
        use, name = _replacement(entry, version, catalog), f"{api_version} {kind}"
        if entry.removed is not None and entry.removed <= version:
            hint = f"use {use}" if use else "there is no replacement"
            text = f"{name} was removed in Kubernetes {_text(entry.removed)}; {hint}"
            return [ApiProblem(REMOVED, "high", text, "/apiVersion")]
        until = f" and removed in {_text(entry.removed)}" if entry.removed else ""
        hint = f"; use {use}" if use else ""
        text = f"{name} is deprecated since Kubernetes {_text(entry.deprecated)}{until}{hint}"  # type: ignore[arg-type]
        return [ApiProblem(DEPRECATED, "medium", text, "/apiVersion")]
    if kind == "List" or (api_version == "v1" and kind.endswith("List")):
        return []  # kubectl reads a List (any v1 *List) as a list of objects
    served = catalog.api_versions(kind)
    if served:
        if api_version in served:
            return []
        near = difflib.get_close_matches(group, sorted(_default_groups() | catalog.groups()), n=1, cutoff=0.85)
        if not (is_builtin_group(api_version, catalog) or near or "." not in group):
            return []  # a custom group may reuse a built-in kind's name (a Knative Service)
        text = f"`{api_version}` is not served for {kind}; did you mean `{_closest_api_version(api_version, served)}`?"
        return [ApiProblem(UNKNOWN_API_VERSION, "high", text, "/apiVersion")]
    if not is_builtin_group(api_version, catalog):
        return []
    if entry is not None:  # a real kind, not served by this release
        text = f"`{api_version}` {kind} is not served by Kubernetes {_text(version)}"
        return [ApiProblem(UNKNOWN_API_VERSION, "high", text, "/apiVersion")]
    suggestion = _closest_kind(kind, catalog.kinds(api_version), catalog.kinds())
    hint = f"; did you mean `{suggestion}`?" if suggestion else ""
    return [ApiProblem(UNKNOWN_KIND, "high", f"unknown kind `{kind}` for {api_version}{hint}", "/kind")]
