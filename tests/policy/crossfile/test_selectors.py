"""policy/crossfile/selectors.py: label selectors as the API server reads them, and the pod templates they meet."""
from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.policy.crossfile.selectors import (is_empty, name, namespace, objects, of_kind, pod_templates, selects,
                                               shown, template_labels_pointer)

from .conftest import load

LABELS = {"app": "web", "tier": "front", "env": "prod"}


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        pytest.param({"app": "web"}, LABELS, True, id="map-subset"),
        pytest.param({"app": "web", "tier": "back"}, LABELS, False, id="map-one-differs"),
        pytest.param({"app": "api"}, LABELS, False, id="map-value-differs"),
        pytest.param({"missing": "x"}, LABELS, False, id="map-key-missing"),
        pytest.param({}, LABELS, True, id="empty-map-matches-all"),
        pytest.param({"matchLabels": {"app": "web"}}, LABELS, True, id="match-labels"),
        pytest.param({"matchLabels": {"app": "api"}}, LABELS, False, id="match-labels-differ"),
        pytest.param({"matchLabels": {}}, LABELS, True, id="empty-label-selector-matches-all"),
        pytest.param({"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "stage"]}]},
                     LABELS, True, id="in"),
        pytest.param({"matchExpressions": [{"key": "env", "operator": "In", "values": ["dev"]}]}, LABELS, False,
                     id="in-other-value"),
        pytest.param({"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}, LABELS, False,
                     id="in-key-missing"),
        pytest.param({"matchExpressions": [{"key": "env", "operator": "In", "values": "prod"}]}, LABELS, False,
                     id="in-values-not-a-list"),
        pytest.param({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["dev"]}]}, LABELS, True,
                     id="notin"),
        pytest.param({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]}, LABELS, False,
                     id="notin-has-value"),
        pytest.param({"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}, LABELS, True,
                     id="notin-key-missing-matches"),
        pytest.param({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, LABELS, True, id="exists"),
        pytest.param({"matchExpressions": [{"key": "zone", "operator": "Exists"}]}, LABELS, False, id="exists-missing"),
        pytest.param({"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]}, LABELS, True,
                     id="does-not-exist"),
        pytest.param({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, LABELS, False,
                     id="does-not-exist-present"),
        pytest.param({"matchExpressions": [{"key": "app", "operator": "in", "values": ["web"]}]}, LABELS, False,
                     id="unknown-operator-matches-nothing"),
        pytest.param({"matchExpressions": ["app"]}, LABELS, False, id="expression-not-a-mapping"),
        pytest.param({"matchLabels": {"app": "web"},
                      "matchExpressions": [{"key": "tier", "operator": "In", "values": ["back"]}]}, LABELS, False,
                     id="requirements-are-anded"),
        pytest.param({"matchLabels": ["app"]}, LABELS, True, id="match-labels-not-a-mapping-ignored"),
        pytest.param({"matchExpressions": None}, LABELS, True, id="null-expressions"),
        pytest.param({"app": "web"}, ["app"], False, id="labels-not-a-mapping"),
        pytest.param({}, None, True, id="empty-selector-no-labels"),
        pytest.param(["app"], LABELS, False, id="selector-a-list"),
        pytest.param(None, LABELS, False, id="selector-null"),
    ],
)
def test_selects(selector: Any, labels: Any, expected: bool) -> None:
    assert selects(selector, labels) is expected


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        pytest.param({}, True, id="empty-map"),
        pytest.param({"app": "web"}, False, id="map"),
        pytest.param({"matchLabels": {}}, True, id="empty-match-labels"),
        pytest.param({"matchLabels": {}, "matchExpressions": []}, True, id="both-empty"),
        pytest.param({"matchLabels": None}, True, id="null-match-labels"),
        pytest.param({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, False, id="expressions"),
        pytest.param(None, True, id="null"),
        pytest.param(["app"], True, id="list"),
        pytest.param("app=web", True, id="string"),
    ],
)
def test_is_empty(selector: Any, expected: bool) -> None:
    assert is_empty(selector) is expected


KEYS = st.sampled_from(["app", "tier", "env", "zone"])
VALUES = st.sampled_from(["a", "b", "c"])
LABEL_MAPS = st.dictionaries(KEYS, VALUES, max_size=4)
EXPRESSIONS = st.lists(st.fixed_dictionaries({
    "key": KEYS, "operator": st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist"]),
    "values": st.lists(VALUES, max_size=3)}), max_size=4)


@settings(database=None, max_examples=200, deadline=None)
@given(LABEL_MAPS, LABEL_MAPS)
def test_a_map_and_match_labels_select_exactly_the_supersets(selector: dict[str, str], labels: dict[str, str]) -> None:
    subset = all(labels.get(k) == v for k, v in selector.items())
    assert selects(selector, labels) is subset
    assert selects({"matchLabels": selector}, labels) is subset
    in_form = [{"key": k, "operator": "In", "values": [v]} for k, v in selector.items()]
    assert selects({"matchExpressions": in_form}, labels) is subset


@settings(database=None, max_examples=200, deadline=None)
@given(EXPRESSIONS, LABEL_MAPS, st.randoms(use_true_random=False))
def test_expressions_are_anded_whatever_their_order(expressions: list[dict[str, Any]], labels: dict[str, str],
                                                   random: Any) -> None:
    together = selects({"matchExpressions": expressions}, labels)
    assert together is all(selects({"matchExpressions": [e]}, labels) for e in expressions)
    shuffled = list(expressions)
    random.shuffle(shuffled)
    assert selects({"matchExpressions": shuffled}, labels) is together


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param({"kind": "Deployment", "metadata": {"namespace": "shop"}}, "shop", id="written"),
        pytest.param({"kind": "Deployment", "metadata": {"name": "x"}}, "default", id="default"),
        pytest.param({"kind": "Deployment", "metadata": {"namespace": None}}, "default", id="null"),
        pytest.param({"kind": "Deployment", "metadata": {"namespace": ""}}, "default", id="empty"),
        pytest.param({"kind": "Deployment", "metadata": ["x"]}, "default", id="metadata-a-list"),
        pytest.param({"kind": "ClusterRole", "metadata": {"namespace": "shop"}}, "", id="cluster-scoped"),
        pytest.param({"kind": "Deployment", "metadata": {"namespace": 5}}, "5", id="number-as-text"),
    ],
)
def test_namespace(obj: dict[str, Any], expected: str) -> None:
    assert namespace(obj) == expected


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param({"metadata": {"name": "web"}}, "web", id="written"),
        pytest.param({"metadata": {}}, "", id="missing"),
        pytest.param({"metadata": {"name": None}}, "", id="null"),
        pytest.param({}, "", id="no-metadata"),
        pytest.param({"metadata": "web"}, "", id="metadata-a-string"),
        pytest.param({"metadata": {"name": 7}}, "7", id="number"),
    ],
)
def test_name(obj: dict[str, Any], expected: str) -> None:
    assert name(obj) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param({"b": 1, "a": "é"}, '{"a": "é", "b": 1}', id="mapping-sorted-unicode-kept"),
        pytest.param("web", '"web"', id="string-quoted"),
        pytest.param(None, "null", id="null"),
        pytest.param(datetime.date(2026, 12, 6), '"2026-12-06"', id="yaml-date-as-text"),
    ],
)
def test_shown(value: Any, expected: str) -> None:
    assert shown(value) == expected


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        pytest.param("Pod", "/metadata/labels", id="pod"),
        pytest.param("Deployment", "/spec/template/metadata/labels", id="deployment"),
        pytest.param("CronJob", "/spec/jobTemplate/spec/template/metadata/labels", id="cronjob"),
        pytest.param("Service", None, id="service"),
        pytest.param(None, None, id="none"),
        pytest.param(["Pod"], None, id="a-list"),
    ],
)
def test_template_labels_pointer(kind: Any, expected: str | None) -> None:
    assert template_labels_pointer(kind) == expected


FILES = {
    "k8s.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          template:
            metadata:
              labels: {app: web}
        ---
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: nightly}
        spec:
          jobTemplate:
            spec:
              template:
                metadata:
                  labels: [wrong]
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: bare
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c}
    """,
    "compose.yaml": "services: {web: {image: x}}\n",
    "app.json": '{"kind": "Deployment"}\n',
}


def test_objects_and_of_kind() -> None:
    docs = load(FILES)
    assert [name(d.data) for d in objects(docs)] == ["web", "nightly", "bare", "web", "c"]
    assert [d.data["kind"] for d in of_kind(docs, "Service", "ConfigMap")] == ["Service", "ConfigMap"]
    assert of_kind(docs, "Ingress") == []


def test_pod_templates_with_their_namespace_and_labels() -> None:
    assert [(name(d.data), ns, labels) for d, ns, labels in pod_templates(load(FILES))] == [
        ("web", "shop", {"app": "web"}),
        ("nightly", "default", {}),  # labels written as a list: none
        ("bare", "default", {}),  # no labels at all
    ]


def test_distinct_keeps_each_label_set_once_in_order() -> None:
    from trueup.policy.crossfile.selectors import distinct

    sets = [{"app": "a"}, {"app": "b"}, {"app": "a"}, {"tier": ["x"]}, {"tier": ["x"]}, None, None, {}]
    assert distinct(sets) == [{"app": "a"}, {"app": "b"}, None, {}, {"tier": ["x"]}, {"tier": ["x"]}]
    assert distinct(iter([])) == []
