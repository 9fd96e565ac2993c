"""policy/crossfile/dangling.py: Ingresses, autoscalers, policies, budgets and monitors whose targets are missing."""
from __future__ import annotations

import pytest

from trueup.model import Severity
from trueup.policy.crossfile import NAME, WHOLE, dangling

from .conftest import found, load, rule_of


def test_the_rules() -> None:
    expected = {
        dangling.ingress_backends: ("K8S-INGRESS-BACKEND-EXISTS", Severity.HIGH, "standard"),
        dangling.hpa_target: ("K8S-HPA-TARGET-EXISTS", Severity.MEDIUM, "standard"),
        dangling.network_policy_selects: ("K8S-NETWORK-POLICY-SELECTS-PODS", Severity.MEDIUM, "standard"),
        dangling.pdb_selects: ("K8S-PDB-SELECTS-PODS", Severity.MEDIUM, "standard"),
        dangling.service_monitor_selects: ("K8S-SERVICE-MONITOR-SELECTS-SERVICES", Severity.MEDIUM, "standard"),
        dangling.network_policy_missing: ("K8S-NETWORK-POLICY-MISSING", Severity.MEDIUM, "strict"),
    }
    for check, (id, severity, profile) in expected.items():
        rule = rule_of(check)
        assert (rule.id, rule.severity, rule.complete, rule.profile) == (id, severity, True, profile)


def _obj(kind: str, name: str, body: str = "", ns: str = "", api: str = "v1", labels: str = "") -> str:
    meta = f"metadata: {{name: {name}" + (f", namespace: {ns}" if ns else "") + (f", labels: {labels}" if labels else "") + "}"
    return f"---\napiVersion: {api}\nkind: {kind}\n{meta}\n{body}"


SERVICE = _obj("Service", "web", "spec:\n  ports: [{name: http, port: 80}, {port: 443}]\n")


def _ingress(backend: str, ns: str = "") -> str:
    """An Ingress with one rule path whose backend is ``backend``; the backend is on line 10."""
    return _obj("Ingress", "i", "spec:\n  rules:\n    - http:\n        paths:\n"
                f"          - path: /\n            backend: {backend}\n", ns=ns, api="networking.k8s.io/v1")


B = "/spec/rules/0/http/paths/0/backend"


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        pytest.param([SERVICE, _ingress("{service: {name: web, port: {number: 80}}}")], [], id="number-exists"),
        pytest.param([SERVICE, _ingress("{service: {name: web, port: {name: http}}}")], [], id="name-exists"),
        pytest.param([SERVICE, _ingress("{service: {name: web, port: {number: 8080}}}")],
                     [("f1.yaml", 10, f"{B}/service/port/number", 'Service "web" has no port 8080')], id="no-such-number"),
        pytest.param([SERVICE, _ingress("{service: {name: web, port: {name: https}}}")],
                     [("f1.yaml", 10, f"{B}/service/port/name", 'Service "web" has no port named "https"')],
                     id="no-such-name"),
        pytest.param([SERVICE, _ingress("{service: {name: api, port: {number: 80}}}")],
                     [("f1.yaml", 10, f"{B}/service/name", 'backend Service "api" is not in namespace default')],
                     id="no-such-service"),
        pytest.param([SERVICE, _ingress("{service: {name: web, port: {number: 80}}}", ns="shop")],
                     [("f1.yaml", 10, f"{B}/service/name", 'backend Service "web" is not in namespace shop')],
                     id="service-in-another-namespace"),
        pytest.param([SERVICE, _ingress("{service: {name: web}}")], [], id="no-port-given"),
        pytest.param([SERVICE, _ingress("{resource: {kind: Bucket, name: b}}")], [], id="resource-backend"),
        pytest.param([SERVICE, _ingress("{service: {name: 5}}")], [], id="name-not-a-string"),
        pytest.param([SERVICE, _ingress("[web]")], [], id="backend-a-list"),
        pytest.param([SERVICE, _obj("Service", "web", "spec:\n  ports: [{port: 8080}]\n"),
                      _ingress("{service: {name: web, port: {number: 8080}}}")], [],
                     id="two-services-of-one-name-either-port"),
        pytest.param([SERVICE, _obj("Ingress", "i", "spec:\n  defaultBackend: {service: {name: gone}}\n",
                                    api="networking.k8s.io/v1")],
                     [("f1.yaml", 6, "/spec/defaultBackend/service/name",
                       'backend Service "gone" is not in namespace default')], id="default-backend"),
        pytest.param([SERVICE, _obj("Ingress", "i", "spec:\n  rules: [{host: x}, {http: {paths: [x]}}]\n",
                                    api="networking.k8s.io/v1")], [], id="rules-without-paths"),
    ],
)
def test_ingress_backends(texts: list[str], expected: list[tuple]) -> None:
    assert found(dangling.ingress_backends, {f"f{i}.yaml": t for i, t in enumerate(texts)}) == expected


DEPLOYMENT = _obj("Deployment", "web", "spec:\n  template:\n    metadata: {labels: {app: web, tier: front}}\n",
                  api="apps/v1")


def _hpa(target: str, ns: str = "") -> str:
    return _obj("HorizontalPodAutoscaler", "h", f"spec:\n  scaleTargetRef: {target}\n", ns=ns, api="autoscaling/v2")


@pytest.mark.parametrize(
    ("hpa", "expected"),
    [
        pytest.param(_hpa("{apiVersion: apps/v1, kind: Deployment, name: web}"), [], id="exists"),
        pytest.param(_hpa("{kind: Deployment, name: api}"),
                     [("f1.yaml", 6, "/spec/scaleTargetRef", 'Deployment "api" is not in namespace default')],
                     id="other-name"),
        pytest.param(_hpa("{kind: StatefulSet, name: web}"),
                     [("f1.yaml", 6, "/spec/scaleTargetRef", 'StatefulSet "web" is not in namespace default')],
                     id="other-kind"),
        pytest.param(_hpa("{kind: Deployment, name: web}", ns="shop"),
                     [("f1.yaml", 6, "/spec/scaleTargetRef", 'Deployment "web" is not in namespace shop')],
                     id="other-namespace"),
        pytest.param(_hpa("{kind: Deployment}"), [], id="no-name"),
        pytest.param(_hpa("web"), [], id="target-a-string"),
    ],
)
def test_hpa_target(hpa: str, expected: list[tuple]) -> None:
    assert found(dangling.hpa_target, {"f0.yaml": DEPLOYMENT, "f1.yaml": hpa}) == expected


def _policy(selector: str, ns: str = "") -> str:
    return _obj("NetworkPolicy", "np", f"spec:\n  podSelector: {selector}\n", ns=ns, api="networking.k8s.io/v1")


def _budget(selector: str, ns: str = "") -> str:
    return _obj("PodDisruptionBudget", "pdb", f"spec:\n  minAvailable: 1\n  selector: {selector}\n", ns=ns,
                api="policy/v1")


@pytest.mark.parametrize(
    ("selector", "ns", "message"),
    [
        pytest.param("{matchLabels: {app: web}}", "", None, id="matches"),
        pytest.param("{matchExpressions: [{key: tier, operator: In, values: [front]}]}", "", None, id="expression"),
        pytest.param("{matchLabels: {app: api}}", "", '{"matchLabels": {"app": "api"}} matches no pod template in '
                                                      "namespace default", id="no-match"),
        pytest.param("{matchLabels: {app: web}}", "shop", '{"matchLabels": {"app": "web"}} matches no pod template '
                                                          "in namespace shop", id="other-namespace"),
        pytest.param("{}", "", None, id="empty-selects-all"),
        pytest.param("{matchLabels: {}}", "", None, id="empty-match-labels"),
        pytest.param("[app]", "", None, id="selector-a-list"),
        pytest.param("null", "", None, id="no-selector"),
    ],
)
def test_network_policy_and_budget_select_pods(selector: str, ns: str, message: str | None) -> None:
    files = {"f0.yaml": DEPLOYMENT, "f1.yaml": _policy(selector, ns)}
    assert found(dangling.network_policy_selects, files) == (
        [] if message is None else [("f1.yaml", 6, "/spec/podSelector", f"podSelector {message}")])
    files = {"f0.yaml": DEPLOYMENT, "f1.yaml": _budget(selector, ns)}
    assert found(dangling.pdb_selects, files) == (
        [] if message is None else [("f1.yaml", 7, "/spec/selector", f"selector {message}")])


def test_a_policy_with_no_pod_template_anywhere() -> None:
    assert found(dangling.network_policy_selects, {"f.yaml": _policy("{matchLabels: {app: web}}")}) == [
        ("f.yaml", 6, "/spec/podSelector",
         'podSelector {"matchLabels": {"app": "web"}} matches no pod template in namespace default')]


def _monitor(spec: str, ns: str = "") -> str:
    return _obj("ServiceMonitor", "m", f"spec:\n{spec}", ns=ns, api="monitoring.coreos.com/v1")


LABELLED = _obj("Service", "web", "spec: {}\n", labels="{app: web}", ns="shop")


@pytest.mark.parametrize(
    ("monitor", "expected"),
    [
        pytest.param(_monitor("  selector: {matchLabels: {app: web}}\n", ns="shop"), [], id="same-namespace"),
        pytest.param(_monitor("  selector: {matchLabels: {app: web}}\n"),
                     [("f1.yaml", 6, "/spec/selector", 'selector {"matchLabels": {"app": "web"}} matches no Service it '
                                                       "watches")], id="own-namespace-has-none"),
        pytest.param(_monitor("  selector: {matchLabels: {app: web}}\n  namespaceSelector: {matchNames: [shop]}\n"), [],
                     id="watches-the-namespace"),
        pytest.param(_monitor("  selector: {matchLabels: {app: web}}\n  namespaceSelector: {any: true}\n"), [],
                     id="watches-any"),
        pytest.param(_monitor("  selector: {matchLabels: {app: web}}\n  namespaceSelector: {matchNames: [dev]}\n",
                              ns="shop"),
                     [("f1.yaml", 6, "/spec/selector", 'selector {"matchLabels": {"app": "web"}} matches no Service it '
                                                       "watches")], id="watches-another-namespace"),
        pytest.param(_monitor("  selector: {matchLabels: {app: api}}\n", ns="shop"),
                     [("f1.yaml", 6, "/spec/selector", 'selector {"matchLabels": {"app": "api"}} matches no Service it '
                                                       "watches")], id="labels-differ"),
        pytest.param(_monitor("  endpoints: [{port: http}]\n", ns="shop"), [], id="no-selector-selects-all"),
        pytest.param(_monitor("  endpoints: [{port: http}]\n"),
                     [("f1.yaml", 5, "/spec", "it selects every Service it watches, and there is none")],
                     id="no-selector-and-no-service"),
        pytest.param(_monitor("  selector: [app]\n"), [], id="selector-a-list"),
    ],
)
def test_service_monitor_selects(monitor: str, expected: list[tuple]) -> None:
    assert found(dangling.service_monitor_selects, {"f0.yaml": LABELLED, "f1.yaml": monitor}) == expected


@pytest.mark.parametrize(
    ("policies", "expected"),
    [
        pytest.param("", [("f0.yaml", 4, "/metadata",
                           "no NetworkPolicy of namespace default selects the pods of this Deployment")], id="none"),
        pytest.param(_policy("{}"), [], id="default-deny-selects-all"),
        pytest.param(_policy("{matchLabels: {app: web}}"), [], id="selects-the-pods"),
        pytest.param(_policy("{matchLabels: {app: api}}"),
                     [("f0.yaml", 4, "/metadata",
                       "no NetworkPolicy of namespace default selects the pods of this Deployment")], id="selects-others"),
        pytest.param(_policy("{}", ns="shop"),
                     [("f0.yaml", 4, "/metadata",
                       "no NetworkPolicy of namespace default selects the pods of this Deployment")],
                     id="policy-in-another-namespace"),
        pytest.param(_policy("null"), [], id="no-pod-selector-is-empty"),
    ],
)
def test_network_policy_missing(policies: str, expected: list[tuple]) -> None:
    files = {"f0.yaml": DEPLOYMENT} | ({"f1.yaml": policies} if policies else {})
    assert found(dangling.network_policy_missing, files) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(DEPLOYMENT, WHOLE, id="workload"),
        pytest.param(SERVICE, WHOLE, id="service"),
        pytest.param(_monitor("  selector: {}\n"), WHOLE, id="servicemonitor"),
        pytest.param(_obj("ConfigMap", "c"), NAME, id="configmap-by-name"),
        pytest.param("---\nservices: {a: {image: x}}\n", None, id="compose"),
    ],
)
def test_what_the_rules_keep(text: str, expected: str | None) -> None:
    (doc,) = load({"compose.yaml" if "services" in text else "f.yaml": text})
    assert rule_of(dangling.ingress_backends).keeps(doc, {}) == expected
