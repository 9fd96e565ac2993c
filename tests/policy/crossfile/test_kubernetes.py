"""policy/crossfile/kubernetes.py: K8S-REFERENCE-EXISTS and K8S-SERVICE-MATCHES-PODS across the desired objects."""
from __future__ import annotations

import pytest

from trueup.model import Severity
from trueup.policy.crossfile import NAME, WHOLE, kubernetes

from .conftest import found, load, rule_of


def test_the_rules() -> None:
    refs, services = rule_of(kubernetes.references_exist), rule_of(kubernetes.service_matches_pods)
    assert (refs.id, refs.severity, refs.complete, refs.peers) == (
        "K8S-REFERENCE-EXISTS", Severity.HIGH, True, {"kube-linter": ("non-existent-service-account",)})
    assert (services.id, services.severity, services.complete, services.peers) == (
        "K8S-SERVICE-MATCHES-PODS", Severity.HIGH, True, {"kube-linter": ("dangling-service",)})


def _deployment(pod: str, ns: str = "") -> str:
    """A Deployment whose pod spec is ``pod`` (lines indented by four); the pod spec starts on line 8."""
    meta = "metadata: {name: web" + (f", namespace: {ns}" if ns else "") + "}"
    return (f"apiVersion: apps/v1\nkind: Deployment\n{meta}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n"
            f"  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n{pod}")


def _object(kind: str, name: str, ns: str = "") -> str:
    meta = f"metadata: {{name: {name}" + (f", namespace: {ns}" if ns else "") + "}"
    return f"---\napiVersion: v1\nkind: {kind}\n{meta}\n"


def _missing(line: int, pointer: str, kind: str, name: str, ns: str = "default") -> tuple:
    return ("f.yaml", line, pointer, f"{kind} {name!r} is not in the desired state of namespace {ns}")


POD = "/spec/template/spec"
C0 = f"{POD}/containers/0"


@pytest.mark.parametrize(
    ("pod", "others", "expected"),
    [
        pytest.param("      volumes: [{name: v, configMap: {name: cfg}}]\n", "",
                     [_missing(9, f"{POD}/volumes/0/configMap/name", "ConfigMap", "cfg")], id="configmap-volume"),
        pytest.param("      volumes: [{name: v, configMap: {name: cfg}}]\n", _object("ConfigMap", "cfg"), [],
                     id="configmap-volume-present"),
        pytest.param("      volumes: [{name: v, configMap: {name: cfg}}]\n", _object("ConfigMap", "cfg", "shop"),
                     [_missing(9, f"{POD}/volumes/0/configMap/name", "ConfigMap", "cfg")],
                     id="present-in-another-namespace"),
        pytest.param("      volumes: [{name: v, configMap: {name: cfg}}]\n", _object("Secret", "cfg"),
                     [_missing(9, f"{POD}/volumes/0/configMap/name", "ConfigMap", "cfg")], id="present-as-another-kind"),
        pytest.param("      volumes: [{name: v, configMap: {name: cfg, optional: true}}]\n", "", [], id="optional"),
        pytest.param("      volumes: [{name: v, configMap: {name: cfg, optional: 'true'}}]\n", "",
                     [_missing(9, f"{POD}/volumes/0/configMap/name", "ConfigMap", "cfg")],
                     id="optional-as-text-is-not-optional"),
        pytest.param("      volumes: [{name: v, configMap: {}}]\n", "", [], id="no-name"),
        pytest.param("      volumes: [{name: v, configMap: cfg}]\n", "", [], id="reference-not-a-mapping"),
        pytest.param("      volumes: [{name: v, secret: {secretName: tls}}]\n", "",
                     [_missing(9, f"{POD}/volumes/0/secret/secretName", "Secret", "tls")], id="secret-volume"),
        pytest.param("      volumes: [{name: v, persistentVolumeClaim: {claimName: data}}]\n",
                     _object("PersistentVolumeClaim", "data"), [], id="claim-present"),
        pytest.param("      volumes: [{name: v, persistentVolumeClaim: {claimName: data}}]\n", "",
                     [_missing(9, f"{POD}/volumes/0/persistentVolumeClaim/claimName", "PersistentVolumeClaim", "data")],
                     id="claim-missing"),
        pytest.param("      volumes:\n        - name: v\n          projected:\n            sources:\n"
                     "              - configMap: {name: a}\n              - secret: {name: b}\n", _object("ConfigMap", "a"),
                     [_missing(14, f"{POD}/volumes/0/projected/sources/1/secret/name", "Secret", "b")], id="projected"),
        pytest.param("      containers:\n        - name: c\n          env:\n            - name: K\n"
                     "              valueFrom: {secretKeyRef: {name: creds, key: k}}\n", "",
                     [_missing(13, f"{C0}/env/0/valueFrom/secretKeyRef/name", "Secret", "creds")], id="secret-key-ref"),
        pytest.param("      initContainers:\n        - name: c\n          envFrom: [{configMapRef: {name: env}}]\n", "",
                     [_missing(11, f"{POD}/initContainers/0/envFrom/0/configMapRef/name", "ConfigMap", "env")],
                     id="init-container-env-from"),
        pytest.param("      imagePullSecrets: [{name: regcred}]\n", "",
                     [_missing(9, f"{POD}/imagePullSecrets/0/name", "Secret", "regcred")], id="image-pull-secret"),
        pytest.param("      serviceAccountName: builder\n", "",
                     [_missing(9, f"{POD}/serviceAccountName", "ServiceAccount", "builder")], id="service-account"),
        pytest.param("      serviceAccountName: builder\n", _object("ServiceAccount", "builder"), [],
                     id="service-account-present"),
        pytest.param("      serviceAccountName: default\n", "", [], id="default-account-always-exists"),
        pytest.param("      serviceAccount: builder\n", "",
                     [_missing(9, f"{POD}/serviceAccount", "ServiceAccount", "builder")], id="deprecated-field"),
        pytest.param("      serviceAccountName: ''\n      serviceAccount: builder\n", "",
                     [_missing(10, f"{POD}/serviceAccount", "ServiceAccount", "builder")],
                     id="empty-name-falls-back-to-deprecated"),
    ],
)
def test_references_exist(pod: str, others: str, expected: list[tuple]) -> None:
    assert found(kubernetes.references_exist, {"f.yaml": _deployment(pod) + others}) == expected


def test_references_resolve_in_the_workloads_own_namespace() -> None:
    text = _deployment("      volumes: [{name: v, secret: {secretName: tls}}]\n", ns="shop")
    assert found(kubernetes.references_exist, {"f.yaml": text + _object("Secret", "tls")}) == [
        _missing(9, f"{POD}/volumes/0/secret/secretName", "Secret", "tls", ns="shop")]
    assert found(kubernetes.references_exist, {"f.yaml": text + _object("Secret", "tls", "shop")}) == []


def test_references_in_a_bare_pod_and_a_cronjob() -> None:
    texts = {
        "pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes: [{name: v, configMap: {name: a}}]\n",
        "cron.yaml": "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n"
                     "      template:\n        spec:\n          serviceAccountName: runner\n",
    }
    assert found(kubernetes.references_exist, texts) == [
        ("pod.yaml", 5, "/spec/volumes/0/configMap/name", "ConfigMap 'a' is not in the desired state of namespace default"),
        ("cron.yaml", 9, "/spec/jobTemplate/spec/template/spec/serviceAccountName",
         "ServiceAccount 'runner' is not in the desired state of namespace default"),
    ]


def _service(selector: str, ns: str = "", name: str = "web") -> str:
    meta = f"metadata: {{name: {name}" + (f", namespace: {ns}" if ns else "") + "}"
    return f"---\napiVersion: v1\nkind: Service\n{meta}\nspec:\n  selector: {selector}\n"


WORKLOAD = _deployment("      containers: [{name: c, image: 'x:1'}]\n").replace(
    "labels: {app: web}", "labels: {app: web, tier: front}")  # the template's labels (not matchLabels)


@pytest.mark.parametrize(
    ("services", "expected"),
    [
        pytest.param(_service("{app: web}"), [], id="subset-matches"),
        pytest.param(_service("{app: web, tier: front}"), [], id="all-labels-match"),
        pytest.param(_service("{app: api}"),
                     [("f.yaml", 15, "/spec/selector", "selector {'app': 'api'} matches no pod template in namespace default")],
                     id="no-match"),
        pytest.param(_service("{app: web, tier: back}"),
                     [("f.yaml", 15, "/spec/selector",
                       "selector {'app': 'web', 'tier': 'back'} matches no pod template in namespace default")],
                     id="one-label-differs"),
        pytest.param(_service("{app: web}", ns="shop"),
                     [("f.yaml", 15, "/spec/selector", "selector {'app': 'web'} matches no pod template in namespace shop")],
                     id="other-namespace"),
        pytest.param(_service("{}"), [], id="empty-selector"),
        pytest.param(_service("null"), [], id="no-selector"),
        pytest.param(_service("[app]"), [], id="selector-a-list"),
        pytest.param(_service("{app: [web]}"),
                     [("f.yaml", 15, "/spec/selector", "selector {'app': ['web']} matches no pod template in namespace default")],
                     id="unhashable-selector-value"),
    ],
)
def test_service_matches_pods(services: str, expected: list[tuple]) -> None:
    assert found(kubernetes.service_matches_pods, {"f.yaml": WORKLOAD + services}) == expected


def test_no_pod_template_anywhere_judges_no_service() -> None:
    assert found(kubernetes.service_matches_pods, {"f.yaml": _service("{app: api}")}) == []


def test_a_matchlabels_shaped_service_selector_is_a_plain_map() -> None:
    """A Service selector is a plain map: a ``matchLabels`` key is a label named so, which no pod carries."""
    assert found(kubernetes.service_matches_pods, {"f.yaml": WORKLOAD + _service("{matchLabels: {app: web}}")}) == [
        ("f.yaml", 15, "/spec/selector",
         "selector {'matchLabels': {'app': 'web'}} matches no pod template in namespace default")]


def test_a_service_matches_any_of_several_templates() -> None:
    other = _deployment("      containers: []\n").replace("app: web", "app: api").replace("name: web", "name: api")
    assert found(kubernetes.service_matches_pods, {"f.yaml": WORKLOAD + "---\n" + other + _service("{app: api}")}) == []


@pytest.mark.parametrize(
    ("text", "references", "services"),
    [
        pytest.param(WORKLOAD, WHOLE, WHOLE, id="workload"),
        pytest.param(_object("ConfigMap", "c"), NAME, None, id="configmap"),
        pytest.param(_object("ServiceAccount", "s"), NAME, None, id="serviceaccount"),
        pytest.param(_object("PersistentVolumeClaim", "d"), NAME, None, id="claim"),
        pytest.param(_service("{a: b}"), None, WHOLE, id="service"),
        pytest.param(_object("Namespace", "n"), None, None, id="namespace"),
    ],
)
def test_what_the_rules_keep(text: str, references: str | None, services: str | None) -> None:
    (doc,) = load({"f.yaml": text})
    assert rule_of(kubernetes.references_exist).keeps(doc, {}) == references
    assert rule_of(kubernetes.service_matches_pods).keeps(doc, {}) == services
