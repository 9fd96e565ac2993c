"""policy/crossfile/workloads.py: selectors, probe ports, env names and hostPath mounts within one workload."""
from __future__ import annotations

import pytest

from trueup.model import Severity
from trueup.policy.crossfile import WHOLE, workloads

from .conftest import found, load, rule_of


def test_the_rules() -> None:
    expected = {
        workloads.selector_matches_template: ("K8S-SELECTOR-MATCHES-TEMPLATE", Severity.HIGH, ("mismatching-selector",)),
        workloads.probe_port: ("K8S-PROBE-PORT", Severity.MEDIUM, ("liveness-port", "readiness-port", "startup-port")),
        workloads.duplicate_env: ("K8S-DUPLICATE-ENV", Severity.MEDIUM, ("duplicate-env-var",)),
        workloads.writable_host_path: ("K8S-WRITABLE-HOST-PATH", Severity.HIGH, ("writable-host-mount",)),
    }
    for check, (id, severity, peers) in expected.items():
        rule = rule_of(check)
        assert (rule.id, rule.severity, rule.complete, rule.peers) == (id, severity, False, {"kube-linter": peers})


def _workload(kind: str, spec: str, api: str = "apps/v1") -> str:
    """``spec`` is the object's spec body, indented by two; it starts on line 5."""
    return f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: w}}\nspec:\n{spec}"


def _template(selector: str, labels: str = "{app: web}") -> str:
    return f"  selector: {selector}\n  template:\n    metadata: {{labels: {labels}}}\n"


def _mismatch(selector: str, labels: str) -> tuple:
    return ("f.yaml", 5, "/spec/selector", f"selector {selector} does not match the template's labels {labels}")


EMPTY = ("f.yaml", 5, "/spec/selector", "the selector is empty: it would select every pod of the namespace")


@pytest.mark.parametrize(
    ("kind", "spec", "expected"),
    [
        pytest.param("Deployment", _template("{matchLabels: {app: web}}"), [], id="matches"),
        pytest.param("Deployment", _template("{matchLabels: {app: api}}"),
                     [_mismatch('{"matchLabels": {"app": "api"}}', '{"app": "web"}')], id="mismatch"),
        pytest.param("StatefulSet", _template("{matchExpressions: [{key: app, operator: In, values: [web, api]}]}"),
                     [], id="expressions-match"),
        pytest.param("DaemonSet", _template("{matchExpressions: [{key: app, operator: DoesNotExist}]}"),
                     [_mismatch('{"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}', '{"app": "web"}')],
                     id="expressions-mismatch"),
        pytest.param("Deployment", _template("{matchLabels: {app: web}}", labels="null"),
                     [_mismatch('{"matchLabels": {"app": "web"}}', "{}")], id="template-without-labels"),
        pytest.param("Deployment", _template("{matchLabels: {app: web}}", labels="[app]"),
                     [_mismatch('{"matchLabels": {"app": "web"}}', "{}")], id="template-labels-a-list"),
        pytest.param("Deployment", _template("{}"), [EMPTY], id="empty-label-selector"),
        pytest.param("ReplicaSet", _template("{matchLabels: {}}"), [EMPTY], id="empty-match-labels"),
        pytest.param("Deployment", "  template: {metadata: {labels: {app: web}}}\n", [], id="no-selector"),
        pytest.param("ReplicationController", _template("{app: web}"), [], id="rc-plain-map-matches"),
        pytest.param("ReplicationController", _template("{app: api}"),
                     [_mismatch('{"app": "api"}', '{"app": "web"}')], id="rc-plain-map-mismatch"),
        pytest.param("ReplicationController", _template("{}"), [], id="rc-empty-defaults-to-template"),
        pytest.param("Job", _template("{matchLabels: {app: api}}"), [], id="job-selector-generated"),
        pytest.param("Job", "  manualSelector: true\n" + _template("{matchLabels: {app: api}}"),
                     [("f.yaml", 6, "/spec/selector",
                                              'selector {"matchLabels": {"app": "api"}} does not match the '
                                              'template\'s labels {"app": "web"}')], id="job-manual-selector"),
        pytest.param("Service", "  selector: {app: api}\n", [], id="not-a-workload"),
        pytest.param("CronJob", _template("{matchLabels: {app: api}}"), [], id="cronjob-not-judged"),
        pytest.param("Deployment", _template("[app]"), [EMPTY], id="selector-a-list-is-empty"),
    ],
)
def test_selector_matches_template(kind: str, spec: str, expected: list[tuple]) -> None:
    assert found(workloads.selector_matches_template, {"f.yaml": _workload(kind, spec)}) == expected


def test_selector_of_a_workload_whose_spec_is_not_a_mapping() -> None:
    assert found(workloads.selector_matches_template, {"f.yaml": _workload("Deployment", "  - 1\n")}) == []


def _pod(containers: str) -> str:
    """A Pod with ``containers`` (indented by four); the first container starts on line 6."""
    return f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n{containers}"


def _probe(what: str, line: int = 8, probe: str = "livenessProbe", handler: str = "httpGet", index: int = 0) -> tuple:
    return ("f.yaml", line, f"/spec/containers/{index}/{probe}/{handler}/port", f"{probe} checks {what}")


@pytest.mark.parametrize(
    ("containers", "expected"),
    [
        pytest.param("    - name: web\n      ports: [{name: http, containerPort: 8080}]\n"
                     "      livenessProbe: {httpGet: {port: http}}\n", [], id="named-port-declared"),
        pytest.param("    - name: web\n      ports: [{name: http, containerPort: 8080}]\n"
                     "      livenessProbe: {httpGet: {port: 8080}}\n", [], id="number-declared"),
        pytest.param("    - name: web\n      ports: [{name: http, containerPort: 8080}]\n"
                     "      livenessProbe: {httpGet: {port: '8080'}}\n", [], id="number-as-text-declared"),
        pytest.param("    - name: web\n      ports: [{name: http, containerPort: 8080}]\n"
                     "      livenessProbe: {httpGet: {port: metrics}}\n",
                     [_probe('port name "metrics", which container "web" does not declare')], id="unknown-name"),
        pytest.param("    - name: web\n      ports: [{name: http, containerPort: 8080}]\n"
                     "      readinessProbe: {tcpSocket: {port: 9090}}\n",
                     [_probe('port 9090, which no port of container "web" has', probe="readinessProbe",
                             handler="tcpSocket")], id="undeclared-number"),
        pytest.param("    - name: dns\n      ports: [{name: dns, containerPort: 53, protocol: UDP}]\n"
                     "      startupProbe: {grpc: {port: dns}}\n",
                     [_probe('port "dns", which container "dns" declares for UDP or SCTP, not TCP',
                             probe="startupProbe", handler="grpc")], id="udp-port-name"),
        pytest.param("    - name: dns\n      ports: [{name: dns, containerPort: 53, protocol: tcp}]\n"
                     "      startupProbe: {tcpSocket: {port: dns}}\n", [], id="tcp-in-lower-case"),
        pytest.param("    - name: web\n      livenessProbe: {httpGet: {port: 8080}}\n", [],
                     id="no-ports-declared-number-not-judged"),
        pytest.param("    - name: web\n      livenessProbe: {httpGet: {port: http}}\n",
                     [_probe('port name "http", which container "web" does not declare', line=7)],
                     id="no-ports-declared-name-judged"),
        pytest.param("    - name: web\n      ports: [{containerPort: 80}]\n      livenessProbe: {exec: {command: [x]}}\n",
                     [], id="exec-probe"),
        pytest.param("    - name: web\n      ports: [{containerPort: 80}]\n      livenessProbe: {httpGet: {port: true}}\n",
                     [], id="boolean-port-not-judged"),
        pytest.param("    - name: web\n      ports: [{containerPort: 80}]\n      livenessProbe: {httpGet: {path: /}}\n",
                     [], id="no-port"),
        pytest.param("    - name: web\n      ports: [{containerPort: 80}]\n      livenessProbe: [httpGet]\n", [],
                     id="probe-a-list"),
        pytest.param("    - name: web\n      ports: {http: 80}\n      livenessProbe: {httpGet: {port: http}}\n",
                     [_probe('port name "http", which container "web" does not declare')], id="ports-a-mapping"),
        pytest.param("    - name: a\n      ports: [{containerPort: 80}]\n    - name: b\n"
                     "      livenessProbe: {httpGet: {port: 80}}\n", [], id="another-containers-port-not-needed"),
    ],
)
def test_probe_port(containers: str, expected: list[tuple]) -> None:
    assert found(workloads.probe_port, {"f.yaml": _pod(containers)}) == expected


def test_probe_port_leaves_init_containers_alone() -> None:
    text = _pod("    - name: web\n") + "  initContainers:\n    - name: init\n      ports: [{containerPort: 1}]\n" \
                                       "      livenessProbe: {httpGet: {port: nope}}\n"
    assert found(workloads.probe_port, {"f.yaml": text}) == []


def test_probe_port_in_a_deployment() -> None:
    text = _workload("Deployment", "  template:\n    spec:\n      containers:\n        - name: api\n"
                                   "          ports: [{containerPort: 80}]\n          livenessProbe:\n"
                                   "            tcpSocket: {port: 81}\n")
    assert found(workloads.probe_port, {"f.yaml": text}) == [
        ("f.yaml", 11, "/spec/template/spec/containers/0/livenessProbe/tcpSocket/port",
         'livenessProbe checks port 81, which no port of container "api" has')]


@pytest.mark.parametrize(
    ("containers", "expected"),
    [
        pytest.param("    - name: web\n      env:\n        - {name: A, value: '1'}\n        - {name: B}\n"
                     "        - {name: A, value: '2'}\n",
                     [("f.yaml", 10, "/spec/containers/0/env/2/name",
                       'container "web" sets A again (first as env entry 0)')], id="twice"),
        pytest.param("    - name: web\n      env:\n        - {name: A}\n        - {name: A}\n        - {name: A}\n",
                     [("f.yaml", 9, "/spec/containers/0/env/1/name", 'container "web" sets A again (first as env entry 0)'),
                      ("f.yaml", 10, "/spec/containers/0/env/2/name", 'container "web" sets A again (first as env entry 0)')],
                     id="three-times"),
        pytest.param("    - name: a\n      env: [{name: X}]\n    - name: b\n      env: [{name: X}]\n", [],
                     id="two-containers-one-each"),
        pytest.param("    - name: web\n      env: [{name: a}, {name: A}]\n", [], id="names-are-case-sensitive"),
        pytest.param("    - name: web\n      env: {A: '1'}\n", [], id="env-a-mapping"),
        pytest.param("    - name: web\n      env: [A, A, {value: x}, {name: 5}, {name: 5}]\n", [],
                     id="entries-without-a-name"),
    ],
)
def test_duplicate_env(containers: str, expected: list[tuple]) -> None:
    assert found(workloads.duplicate_env, {"f.yaml": _pod(containers)}) == expected


def _host(mounts: str, volumes: str = "[{name: host, hostPath: {path: /var/run}}, {name: tmp, emptyDir: {}}]") -> str:
    return (f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  volumes: {volumes}\n"
            f"  containers:\n    - name: web\n      volumeMounts:\n{mounts}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(_host("        - {name: host, mountPath: /host}\n"),
                     [("f.yaml", 9, "/spec/containers/0/volumeMounts/0",
                       'container "web" mounts hostPath volume "host" writable at /host')], id="writable"),
        pytest.param(_host("        - {name: host, mountPath: /host, readOnly: true}\n"), [], id="read-only"),
        pytest.param(_host("        - {name: host, mountPath: /host, readOnly: 'true'}\n"),
                     [("f.yaml", 9, "/spec/containers/0/volumeMounts/0",
                       'container "web" mounts hostPath volume "host" writable at /host')], id="read-only-as-text"),
        pytest.param(_host("        - {name: tmp, mountPath: /tmp}\n"), [], id="other-volume"),
        pytest.param(_host("        - {name: host, mountPath: /host, readOnly: false}\n"),
                     [("f.yaml", 9, "/spec/containers/0/volumeMounts/0",
                       'container "web" mounts hostPath volume "host" writable at /host')], id="read-only-false"),
        pytest.param(_host("        - {name: host, mountPath: /h}\n", volumes="[{name: host, hostPath: /x}]"), [],
                     id="hostpath-not-a-mapping"),
        pytest.param(_host("        - {name: host, mountPath: /h}\n", volumes="{host: {hostPath: {path: /}}}"), [],
                     id="volumes-a-mapping"),
        pytest.param(_host("          {name: host, mountPath: /h}\n"), [], id="mounts-a-mapping"),
    ],
)
def test_writable_host_path(text: str, expected: list[tuple]) -> None:
    assert found(workloads.writable_host_path, {"f.yaml": text}) == expected


def test_writable_host_path_in_an_init_container() -> None:
    text = _host("        - {name: host, mountPath: /a, readOnly: true}\n") + \
        "  initContainers:\n    - name: init\n      volumeMounts: [{name: host, mountPath: /b}]\n"
    assert found(workloads.writable_host_path, {"f.yaml": text}) == [
        ("f.yaml", 12, "/spec/initContainers/0/volumeMounts/0",
         'container "init" mounts hostPath volume "host" writable at /b')]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(_pod("    - name: web\n"), WHOLE, id="pod"),
        pytest.param(_workload("CronJob", "  schedule: x\n", api="batch/v1"), WHOLE, id="cronjob"),
        pytest.param("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n", None, id="service"),
    ],
)
def test_what_the_rules_keep(text: str, expected: str | None) -> None:
    (doc,) = load({"f.yaml": text})
    assert {rule_of(check).keeps(doc, {}) for check in (workloads.selector_matches_template, workloads.probe_port,
                                                         workloads.duplicate_env, workloads.writable_host_path)} == {expected}
