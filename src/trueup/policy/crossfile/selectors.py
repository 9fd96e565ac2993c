"""Label selectors as the API server reads them, and the pod templates they are matched against."""
from __future__ import annotations

import json
from typing import Any, Iterator, Sequence

from ...model import CLUSTER_SCOPED_KINDS, Document
from ..select import expand, select


def distinct(label_sets: Iterator[Any] | Sequence[Any]) -> list[Any]:
    """Label sets with each distinct one once, in order: a selector matches all of a kind or none, and
    an estate repeats the same labels across many workloads (its replicas of an app, its copies)."""
    seen: dict[Any, Any] = {}
    unhashable: list[Any] = []
    for labels in label_sets:
        try:
            key = tuple(sorted(labels.items())) if isinstance(labels, dict) else ("", labels)
            seen.setdefault(key, labels)
        except TypeError:  # a value that is a list or mapping (an invalid object): kept as it is
            unhashable.append(labels)
    return [*seen.values(), *unhashable]


def selects(selector: Any, labels: Any) -> bool:
    """Whether a selector matches ``labels``: a plain map (a Service's, a ReplicationController's) or a
    LabelSelector (``matchLabels`` and ``matchExpressions`` with In, NotIn, Exists, DoesNotExist; the
    requirements are ANDed, as apimachinery's labels.Selector does). An empty LabelSelector matches
    everything."""
    labels = labels if isinstance(labels, dict) else {}
    if not isinstance(selector, dict):
        return False
    if "matchLabels" not in selector and "matchExpressions" not in selector:
        return all(labels.get(k) == v for k, v in selector.items())
    match = selector.get("matchLabels")
    if isinstance(match, dict) and any(labels.get(k) != v for k, v in match.items()):
        return False
    expressions = selector.get("matchExpressions")
    if expressions is not None and not isinstance(expressions, list):
        return False  # not a list of requirements: nothing it says can be met
    for expression in expressions or ():
        if not isinstance(expression, dict) or not isinstance(expression.get("key"), str):
            return False
        key, operator = expression.get("key"), expression.get("operator")
        values = expression.get("values") if isinstance(expression.get("values"), list) else []
        if operator == "In" and not (key in labels and labels[key] in values):
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True


def is_empty(selector: Any) -> bool:
    if not isinstance(selector, dict):
        return True
    if "matchLabels" in selector or "matchExpressions" in selector:
        return not selector.get("matchLabels") and not selector.get("matchExpressions")
    return not selector


def listed(value: Any) -> list[Any]:
    """A list field as a list; anything else (an invalid document's scalar or mapping) as nothing."""
    return value if isinstance(value, list) else []


def hashable(value: Any) -> bool:
    """Whether ``value`` can be a set member or a key (an invalid document's list or mapping cannot)."""
    return isinstance(value, (str, int, float, bool)) or value is None


def objects(documents: Sequence[Document]) -> list[Document]:
    return [d for d in documents if d.kind == "kubernetes" and isinstance(d.data, dict)]


def of_kind(documents: Sequence[Document], *kinds: str) -> list[Document]:
    """The Kubernetes objects of ``kinds``."""
    return [d for d in objects(documents) if d.data.get("kind") in kinds]


def shown(value: Any) -> str:
    """A value as a finding's message quotes it."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def namespace(obj: dict[str, Any]) -> str:
    if obj.get("kind") in CLUSTER_SCOPED_KINDS:
        return ""
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return str(meta.get("namespace") or "default")


def name(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return str(meta.get("name") or "")


def template_labels_pointer(kind: Any) -> str | None:
    """Where the pod labels of an object of ``kind`` are (None: it makes no pods)."""
    specs = expand("{pod}", kind) if isinstance(kind, str) else []
    if not specs:
        return None
    return "/metadata/labels" if kind == "Pod" else specs[0].rsplit("/spec", 1)[0] + "/metadata/labels"


def pod_templates(documents: Sequence[Document]) -> Iterator[tuple[Document, str, dict[str, Any]]]:
    """(document, namespace, pod labels) of every object that makes pods."""
    for doc in objects(documents):
        pointer = template_labels_pointer(doc.data.get("kind"))
        if pointer is None:
            continue
        found = [labels for _, labels in select(doc.data, pointer)]
        yield doc, namespace(doc.data), found[0] if found and isinstance(found[0], dict) else {}
