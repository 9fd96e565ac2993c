"""JSON Pointer globs: which values inside a document a rule looks at.

``/spec/template/spec/containers/*`` names every container, ``/services/*`` every
compose service, ``**`` any depth (zero levels included). Placeholders let one
rule cover every workload kind: ``{pod}`` is the pod spec of whatever kind the
object is (``/spec`` of a Pod, ``/spec/template/spec`` of a Deployment,
``/spec/jobTemplate/spec/template/spec`` of a CronJob), and ``{containers}`` is
``{pod}/containers/*`` plus ``{pod}/initContainers/*``.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterator, Sequence

from ..pointer import array_index, escape_token, split_pointer

POD_SPEC = {
    "Pod": "/spec",
    "Deployment": "/spec/template/spec",
    "ReplicaSet": "/spec/template/spec",
    "StatefulSet": "/spec/template/spec",
    "DaemonSet": "/spec/template/spec",
    "Job": "/spec/template/spec",
    "ReplicationController": "/spec/template/spec",
    "CronJob": "/spec/jobTemplate/spec/template/spec",
    # OpenShift's apps.openshift.io/v1 DeploymentConfig (deprecated there, still served): a pod
    # template and a plain-map selector, as a ReplicationController (which it manages) has.
    "DeploymentConfig": "/spec/template/spec",
}


def expand(pattern: str, kind: str | None) -> list[str]:
    """The concrete pointer globs a pattern stands for in an object of ``kind`` (none if it has no pod)."""
    if "{" not in pattern:
        return [pattern]
    try:
        return list(_expand(pattern, kind))
    except TypeError:  # an unhashable kind (an invalid document): nothing has a pod spec there
        return _expanded(pattern, None)


@lru_cache(maxsize=1024)
def _expand(pattern: str, kind: str | None) -> tuple[str, ...]:
    return tuple(_expanded(pattern, kind))


def _expanded(pattern: str, kind: Any) -> list[str]:
    if "{containers}" in pattern:
        return [p for group in ("containers", "initContainers")
                for p in _expanded(pattern.replace("{containers}", "{pod}/" + group + "/*"), kind)]
    if "{pod}" in pattern:
        pod = POD_SPEC.get(kind) if isinstance(kind, str) else None
        return [pattern.replace("{pod}", pod)] if pod else []
    return [pattern]


def select(data: Any, pattern: str) -> Iterator[tuple[str, Any]] | list[tuple[str, Any]]:
    """(pointer, value) of every value the glob names, in document order."""
    tokens = _tokens(pattern)
    if "**" in tokens:
        return _walk(data, tokens, "")
    # No "**": one level at a time, each level's places in document order (every rule runs this on
    # every document, so it is a loop over lists rather than a recursion of generators).
    level = [("", data)]
    for token, escaped in _escaped(tokens):
        deeper: list[tuple[str, Any]] = []
        for pointer, value in level:
            if token == "*":
                if isinstance(value, dict):
                    deeper.extend((f"{pointer}/{escape_token(str(key))}", child) for key, child in value.items())
                elif isinstance(value, list):
                    deeper.extend((f"{pointer}/{index}", child) for index, child in enumerate(value))
            elif isinstance(value, dict):
                if token in value:
                    deeper.append((f"{pointer}/{escaped}", value[token]))
            elif isinstance(value, list) and (index := array_index(token, len(value))) is not None:
                deeper.append((f"{pointer}/{token}", value[index]))
        if not deeper:
            return deeper
        level = deeper
    return level


@lru_cache(maxsize=1024)
def _escaped(tokens: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((token, escape_token(token)) for token in tokens)


@lru_cache(maxsize=1024)
def _tokens(pattern: str) -> tuple[str, ...]:
    return tuple(split_pointer(pattern))


def _walk(value: Any, tokens: Sequence[str], pointer: str) -> Iterator[tuple[str, Any]]:
    if not tokens:
        yield pointer, value
        return
    token, rest = tokens[0], tokens[1:]
    if token == "**":
        yield from _walk(value, rest, pointer)
        for child_pointer, child in _children(value, pointer):
            yield from _walk(child, tokens, child_pointer)
        return
    if token == "*":
        for child_pointer, child in _children(value, pointer):
            yield from _walk(child, rest, child_pointer)
        return
    if isinstance(value, dict) and token in value:
        yield from _walk(value[token], rest, f"{pointer}/{escape_token(token)}")
    elif isinstance(value, list) and (index := array_index(token, len(value))) is not None:
        yield from _walk(value[index], rest, f"{pointer}/{token}")


def _children(value: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield f"{pointer}/{escape_token(str(key))}", child
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield f"{pointer}/{index}", child
