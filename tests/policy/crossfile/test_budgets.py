"""policy/crossfile/budgets.py: K8S-PDB-MIN-AVAILABLE-REPLICAS, a budget read against its workloads' replicas."""
from __future__ import annotations

from typing import Any

import pytest

from trueup.model import Severity
from trueup.policy.crossfile import WHOLE, budgets

from .conftest import found, load, rule_of


def _workload(kind: str = "Deployment", replicas: Any = 2, labels: str = "{app: web}", ns: str = "",
              name: str = "web", selector: str = "{matchLabels: {app: web}}") -> str:
    lines = ["apiVersion: apps/v1", f"kind: {kind}", "metadata:", f"  name: {name}"]
    lines += [f"  namespace: {ns}"] if ns else []
    lines += ["spec:"] + ([f"  replicas: {replicas}"] if replicas is not None else [])
    lines += [f"  selector: {selector}", "  template:"]
    lines += [f"    metadata: {{labels: {labels}}}"] if labels else []
    lines += ["    spec: {containers: [{name: c, image: 'x:1'}]}"]
    return "\n".join(lines) + "\n"


def _pdb(min_available: Any = 2, selector: str = "{matchLabels: {app: web}}", ns: str = "") -> str:
    lines = ["apiVersion: policy/v1", "kind: PodDisruptionBudget", "metadata:", "  name: web-pdb"]
    lines += [f"  namespace: {ns}"] if ns else []
    lines += ["spec:", f"  minAvailable: {min_available}", f"  selector: {selector}"]
    return "\n".join(lines) + "\n"


def _hpa(min_replicas: Any = None, target: str = "web", kind: str = "Deployment", ns: str = "") -> str:
    lines = ["apiVersion: autoscaling/v2", "kind: HorizontalPodAutoscaler", "metadata:", "  name: web-hpa"]
    lines += [f"  namespace: {ns}"] if ns else []
    lines += ["spec:", f"  scaleTargetRef: {{kind: {kind}, name: {target}}}", "  maxReplicas: 10"]
    lines += [f"  minReplicas: {min_replicas}"] if min_replicas is not None else []
    return "\n".join(lines) + "\n"


def _run(*texts: str) -> list[tuple[str, int | None, str, str]]:
    return found(budgets.min_available_replicas, {f"f{i}.yaml": text for i, text in enumerate(texts)})


def _finding(file: str, line: int, wanted: Any, replicas: int, kind: str = "Deployment", name: str = "web") -> tuple:
    return (file, line, "/spec/minAvailable",
            f"minAvailable {wanted} keeps all {replicas} of {kind} {name}'s replicas up: no pod may ever be evicted")


def test_the_rule() -> None:
    rule = rule_of(budgets.min_available_replicas)
    assert (rule.id, rule.severity, rule.complete, rule.profile, rule.peers) == (
        "K8S-PDB-MIN-AVAILABLE-REPLICAS", Severity.MEDIUM, True, "standard", {"kube-linter": ("pdb-min-available",)})


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        pytest.param((_workload(replicas=2), _pdb(2)), [_finding("f1.yaml", 6, 2, 2)], id="count-equals-replicas"),
        pytest.param((_workload(replicas=2), _pdb(3)), [_finding("f1.yaml", 6, 3, 2)], id="count-above-replicas"),
        pytest.param((_workload(replicas=3), _pdb(2)), [], id="count-below-replicas"),
        pytest.param((_workload(replicas=None), _pdb(1)), [_finding("f1.yaml", 6, 1, 1)], id="replicas-default-one"),
        pytest.param((_workload(replicas=""), _pdb(1)), [_finding("f1.yaml", 6, 1, 1)], id="replicas-null-is-one"),
        pytest.param((_workload(replicas="~"), _pdb("'50%'")), [_finding("f1.yaml", 6, "50%", 1)],
                     id="replicas-tilde-is-one"),
        pytest.param((_workload(kind="ReplicationController", replicas="", labels="{app: web}"), _pdb(1)),
                     [_finding("f1.yaml", 6, 1, 1, kind="ReplicationController")], id="rc-replicas-null-is-one"),
        pytest.param((_workload(replicas=1), _pdb("'50%'")), [_finding("f1.yaml", 6, "50%", 1)],
                     id="percent-rounds-up"),
        pytest.param((_workload(replicas=3), _pdb("'50%'")), [], id="percent-leaves-one"),
        pytest.param((_workload(replicas=4), _pdb("'75%'")), [], id="percent-exact"),
        pytest.param((_workload(replicas=4), _pdb("'76%'")), [_finding("f1.yaml", 6, "76%", 4)],
                     id="percent-just-above"),
        pytest.param((_workload(replicas=1), _pdb("'100%'")), [], id="hundred-percent-is-another-rules"),
        pytest.param((_workload(replicas=1), _pdb("'1'")), [], id="count-as-text-not-judged"),
        pytest.param((_workload(replicas=1), _pdb("true")), [], id="boolean-not-a-count"),
        pytest.param((_workload(replicas="'2'"), _pdb(2)), [], id="replicas-as-text-not-judged"),
        pytest.param((_workload(replicas=2), _pdb("null")), [], id="no-min-available"),
        pytest.param((_workload(replicas=1), _pdb(1, selector="[app]")), [], id="selector-a-list"),
        pytest.param((_workload(replicas=1), _pdb(1, selector="{matchLabels: {app: api}}")), [],
                     id="selector-matches-nothing"),
        pytest.param((_workload(replicas=1), _pdb(1, selector="{}")), [_finding("f1.yaml", 6, 1, 1)],
                     id="empty-selector-matches-all"),
        pytest.param((_workload(replicas=1, ns="shop"), _pdb(1)), [], id="other-namespace"),
        pytest.param((_workload(replicas=1, ns="shop"), _pdb(1, ns="shop")), [_finding("f1.yaml", 7, 1, 1)],
                     id="same-named-namespace"),
        pytest.param((_workload(kind="DaemonSet", replicas=1), _pdb(1)), [], id="daemonset-not-replicated"),
        pytest.param((_workload(kind="StatefulSet", replicas=1, name="db"), _pdb(1)),
                     [_finding("f1.yaml", 6, 1, 1, "StatefulSet", "db")], id="statefulset"),
        pytest.param((_workload(replicas=1, labels=""), _pdb(1)), [_finding("f1.yaml", 6, 1, 1)],
                     id="no-template-labels-uses-selector"),
        pytest.param((_workload(replicas=1, labels="", selector="{app: web}"), _pdb(1)),
                     [_finding("f1.yaml", 6, 1, 1)], id="no-template-labels-plain-map-selector"),
        pytest.param((_workload(replicas=1, labels="",
                                selector="{matchExpressions: [{key: app, operator: Exists}]}"), _pdb(1)), [],
                     id="no-template-labels-expressions-only"),
    ],
)
def test_min_available_replicas(texts: tuple[str, ...], expected: list[tuple]) -> None:
    assert _run(*texts) == expected


@pytest.mark.parametrize(
    ("hpa", "expected"),
    [
        pytest.param(_hpa(3), [], id="autoscaler-keeps-more"),
        pytest.param(_hpa(2), [_finding("f1.yaml", 6, 2, 2)], id="autoscaler-floor-equals"),
        pytest.param(_hpa(), [_finding("f1.yaml", 6, 2, 1)], id="autoscaler-default-floor-one"),
        pytest.param(_hpa(""), [_finding("f1.yaml", 6, 2, 1)], id="autoscaler-null-floor-one"),
        pytest.param(_hpa(3, target="api"), [_finding("f1.yaml", 6, 2, 2)], id="autoscaler-of-another-workload"),
        pytest.param(_hpa(3, kind="StatefulSet"), [_finding("f1.yaml", 6, 2, 2)], id="autoscaler-of-another-kind"),
        pytest.param(_hpa(3, ns="shop"), [_finding("f1.yaml", 6, 2, 2)], id="autoscaler-in-another-namespace"),
        pytest.param(_hpa("'3'"), [_finding("f1.yaml", 6, 2, 2)], id="autoscaler-floor-as-text-ignored"),
    ],
)
def test_an_autoscaler_sets_the_replicas(hpa: str, expected: list[tuple]) -> None:
    assert _run(_workload(replicas=2), _pdb(2), hpa) == expected


def test_one_budget_over_two_workloads_names_each() -> None:
    texts = (_workload(replicas=1) + "---\n" + _workload(kind="ReplicaSet", replicas=5, name="web-rs"), _pdb(2))
    assert _run(*texts) == [_finding("f1.yaml", 6, 2, 1)]


def test_malformed_documents_give_nothing() -> None:
    texts = ("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec: [1]\n",
             "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: 5\n",
             "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec: {scaleTargetRef: 3}\n")
    assert _run(*texts) == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({"d.yaml": _workload()}, WHOLE, id="deployment"),
        pytest.param({"d.yaml": _workload(kind="ReplicationController")}, WHOLE, id="replicationcontroller"),
        pytest.param({"p.yaml": _pdb()}, WHOLE, id="budget"),
        pytest.param({"h.yaml": _hpa()}, WHOLE, id="autoscaler"),
        pytest.param({"d.yaml": _workload(kind="DaemonSet")}, None, id="daemonset"),
        pytest.param({"c.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"}, None, id="configmap"),
        pytest.param({"compose.yaml": "services: {a: {image: x}}\n"}, None, id="compose"),
    ],
)
def test_what_the_rule_keeps(files: dict[str, str], expected: str | None) -> None:
    (doc,) = load(files)
    assert rule_of(budgets.min_available_replicas).keeps(doc, {}) == expected
