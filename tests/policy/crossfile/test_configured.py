"""policy/crossfile/configured.py: version groups, compose ``${VAR}`` definitions and config/container port pairings."""
from __future__ import annotations

from typing import Any

import pytest

from trueup.model import Severity
from trueup.policy.crossfile import WHOLE, configured

from .conftest import found, load, rule_of


def test_the_rules() -> None:
    expected = {
        configured.version_groups: ("VERSION-GROUP-MISMATCH", Severity.HIGH),
        configured.variables_defined: ("COMPOSE-VARIABLE-DEFINED", Severity.MEDIUM),
        configured.ports_match: ("CONFIG-PORT-MISMATCH", Severity.HIGH),
    }
    for check, (id, severity) in expected.items():
        rule = rule_of(check)
        assert (rule.id, rule.severity, rule.complete, rule.profile) == (id, severity, False, "standard")


def _deployment(name: str, image: str, ns: str = "") -> str:
    meta = f"metadata: {{name: {name}" + (f", namespace: {ns}" if ns else "") + "}"
    return (f"apiVersion: apps/v1\nkind: Deployment\n{meta}\nspec:\n  template:\n    spec:\n      containers:\n"
            f"        - name: main\n          image: {image}\n        - name: sidecar\n          image: envoy:9\n")


GROUPS = {"version_groups": {"shop": ["web", "api", "worker"]}}


def _behind(file: str, line: int, pointer: str, name: str, tag: str, common: str) -> tuple:
    return (file, line, pointer, f"{name} runs {tag} while group 'shop' runs {common}")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({"compose.yaml": "services:\n  web:\n    image: 'web:1.2'\n  api:\n    image: 'api:1.2'\n"}, [],
                     id="one-version"),
        pytest.param({"compose.yaml": "services:\n  web:\n    image: 'web:1.2'\n  api:\n    image: 'api:1.2'\n"
                                      "  worker:\n    image: 'reg:5000/worker:1.1'\n"},
                     [_behind("compose.yaml", 7, "/services/worker/image", "worker", "1.1", "1.2")],
                     id="one-behind-registry-port-is-not-a-tag"),
        pytest.param({"compose.yaml": "services:\n  web:\n    image: 'web:1.2'\n  api:\n    image: api\n"
                                      "  worker:\n    image: 'worker:1.2'\n"},
                     [_behind("compose.yaml", 5, "/services/api/image", "api", "an untagged image", "1.2")],
                     id="untagged-member"),
        pytest.param({"compose.yaml": "services:\n  web:\n    image: web\n  api:\n    image: 'api:'\n"
                                      "  worker:\n    image: 'worker:1.2'\n"},
                     [_behind("compose.yaml", 7, "/services/worker/image", "worker", "1.2", "an untagged image")],
                     id="most-members-untagged-an-empty-tag-too"),
        pytest.param({"compose.yaml": "services:\n  web:\n    image: 'web@sha256:abc'\n  api:\n    image: 'api@sha256:abc'\n"},
                     [], id="same-digest"),
        pytest.param({"compose.yaml": "services:\n  web:\n    image: 'web:1.2'\n  other:\n    image: 'x:9'\n"}, [],
                     id="non-members-ignored"),
        pytest.param({"compose.yaml": "services:\n  web:\n    image: 'web:1.2'\n  api:\n    build: .\n"}, [],
                     id="member-without-image"),
        pytest.param({"compose.yaml": "services:\n  web:\n    image: 'web:1'\n  api:\n    image: 'api:2'\n"},
                     [_behind("compose.yaml", 3, "/services/web/image", "web", "1", "2")], id="tie-goes-to-the-larger"),
        pytest.param({"compose.yaml": "services:\n  web:\n    image: 'web:1.2'\n",
                      "k.yaml": _deployment("api", "api:1.3")},
                     [_behind("compose.yaml", 3, "/services/web/image", "web", "1.2", "1.3")],
                     id="kubernetes-first-container-counts-not-the-sidecar"),
    ],
)
def test_version_groups(files: dict[str, str], expected: list[tuple]) -> None:
    assert found(configured.version_groups, files, GROUPS) == expected


def test_version_groups_need_groups() -> None:
    files = {"compose.yaml": "services:\n  web:\n    image: 'web:1'\n  api:\n    image: 'api:2'\n"}
    assert found(configured.version_groups, files, {}) == []
    assert found(configured.version_groups, files, {"version_groups": {}}) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("services:\n  a:\n    image: 'x:${TAG}'\n",
                     [("p/compose.yaml", 3, "/services/a/image",
                       "${TAG} is defined in no .env of the project and has no default")], id="undefined"),
        pytest.param("services:\n  a:\n    command: 'run $NOPE'\n",
                     [("p/compose.yaml", 3, "/services/a/command",
                       "${NOPE} is defined in no .env of the project and has no default")], id="bare-dollar"),
        pytest.param("services:\n  a:\n    image: 'x:${DEFINED}'\n", [], id="in-the-dotenv"),
        pytest.param("services:\n  a:\n    image: 'x:${TAG:-1}'\n    command: '${A-x} ${B:?no} ${C+y}'\n", [],
                     id="modifiers"),
        pytest.param("services:\n  a:\n    command: 'echo $$NOPE $${NOPE}'\n", [], id="escaped"),
        pytest.param("services:\n  a:\n    command: 'cd $HOME && $PWD'\n", [], id="shell-variables"),
        pytest.param("services:\n  a:\n    environment: [NOPE=1]\n    command: 'echo $NOPE'\n", [],
                     id="service-environment-list"),
        pytest.param("services:\n  a:\n    environment: {NOPE: 1}\n    command: 'echo ${NOPE}'\n", [],
                     id="service-environment-map"),
        pytest.param("services:\n  a:\n    environment: [NOPE=1]\n  b:\n    command: 'echo $NOPE'\n",
                     [("p/compose.yaml", 5, "/services/b/command",
                       "${NOPE} is defined in no .env of the project and has no default")],
                     id="another-services-environment"),
        pytest.param("x-common:\n  image: 'x:${NOPE}'\nservices: {}\n",
                     [("p/compose.yaml", 2, "/x-common/image",
                       "${NOPE} is defined in no .env of the project and has no default")], id="outside-services"),
        pytest.param("services:\n  a:\n    labels: {'${NOPE}': x}\n", [], id="keys-are-not-interpolated"),
        pytest.param("services:\n  a:\n    command: 'price: 5$'\n", [], id="a-lone-dollar"),
    ],
)
def test_variables_defined(text: str, expected: list[tuple]) -> None:
    assert found(configured.variables_defined, {"p/.env": "DEFINED=1\n", "p/compose.yaml": text}) == expected


def test_a_dotenv_of_another_directory_defines_nothing_here() -> None:
    files = {"other/.env": "TAG=1\n", "p/compose.yaml": "services:\n  a:\n    image: 'x:${TAG}'\n"}
    assert found(configured.variables_defined, files) == [
        ("p/compose.yaml", 3, "/services/a/image", "${TAG} is defined in no .env of the project and has no default")]


def test_the_documents_own_variables_count() -> None:
    docs = load({"p/compose.yaml": "services:\n  a:\n    image: 'x:${TAG}'\n"})
    docs[0].variables = {"TAG": "1"}
    assert found(configured.variables_defined, docs) == []


PAIRING = {"config": "app/*.yaml", "pointer": "/server/port", "compose": "api", "kubernetes": "api"}


def _k8s(ports: str, kind: str = "Deployment", name: str = "api") -> str:
    return (f"apiVersion: apps/v1\nkind: {kind}\nmetadata: {{name: {name}}}\n"
            f"spec: {{template: {{spec: {{containers: [{{name: c, ports: {ports}}}]}}}}}}\n")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({"compose.yaml": "services:\n  api:\n    ports: ['80:8080']\n"}, [], id="compose-target-matches"),
        pytest.param({"compose.yaml": "services:\n  api:\n    ports: ['8080:80']\n    expose: [9000]\n"},
                     ["listens on 8080, but compose service api exposes 80, 9000"], id="compose-published-is-not-target"),
        pytest.param({"compose.yaml": "services:\n  api:\n    expose: ['8080']\n"}, [], id="compose-expose"),
        pytest.param({"compose.yaml": "services:\n  api:\n    image: x\n"},
                     ["listens on 8080, but compose service api exposes no port"], id="compose-no-ports"),
        pytest.param({"compose.yaml": "services:\n  api:\n    ports: [{target: 8080, published: 80}]\n"}, [],
                     id="compose-long-syntax"),
        pytest.param({"compose.yaml": "services:\n  web:\n    ports: ['80:80']\n"}, [], id="compose-other-service"),
        pytest.param({"k.yaml": _k8s("[{containerPort: 8080}]")}, [], id="kubernetes-matches"),
        pytest.param({"k.yaml": _k8s("[{containerPort: 80}, {containerPort: 443}]")},
                     ["listens on 8080, but Deployment api exposes 443, 80"], id="kubernetes-differs"),
        pytest.param({"k.yaml": _k8s("[]")}, ["listens on 8080, but Deployment api exposes no port"],
                     id="kubernetes-no-ports"),
        pytest.param({"k.yaml": _k8s("[{containerPort: 80}]", name="web")}, [], id="kubernetes-other-name"),
        pytest.param({"k.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {ports: [{port: 1}]}\n"},
                     [], id="a-service-named-so-has-no-pod"),
        pytest.param({"k.yaml": "apiVersion: v1\nkind: Service\nmetadata: [api]\n"}, [], id="metadata-a-list"),
    ],
)
def test_ports_match(files: dict[str, str], expected: list[str]) -> None:
    files = {"app/config.yaml": "server:\n  port: 8080\n", **files}
    assert found(configured.ports_match, files, {"ports": [PAIRING]}) == [
        ("app/config.yaml", 2, "/server/port", message) for message in expected]


@pytest.mark.parametrize(
    ("config", "pairing"),
    [
        pytest.param("server: {}\n", PAIRING, id="no-port-in-the-config"),
        pytest.param("server:\n  port: 8080\n", {**PAIRING, "config": "other/*.yaml"}, id="config-glob-misses"),
        pytest.param("server: [8080]\n", PAIRING, id="config-shape-differs"),
    ],
)
def test_ports_match_judges_nothing(config: str, pairing: dict[str, Any]) -> None:
    files = {"app/config.yaml": config, "compose.yaml": "services:\n  api:\n    ports: ['1:1']\n"}
    assert found(configured.ports_match, files, {"ports": [pairing]}) == []


@pytest.mark.parametrize(
    ("files", "settings", "images", "variables", "ports"),
    [
        pytest.param({"compose.yaml": "services: {a: {}}\n"}, GROUPS, WHOLE, WHOLE, None, id="compose-groups"),
        pytest.param({"compose.yaml": "services: {a: {}}\n"}, {}, None, WHOLE, None, id="compose-no-settings"),
        pytest.param({"p/.env": "A=1\n"}, GROUPS, None, WHOLE, None, id="dotenv"),
        pytest.param({"app/config.yaml": "port: 1\n"}, {"ports": [PAIRING]}, None, None, WHOLE, id="config-with-ports"),
        pytest.param({"k.yaml": _k8s("[]")}, {**GROUPS, "ports": [PAIRING]}, WHOLE, None, WHOLE, id="workload"),
        pytest.param({"k.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"}, {**GROUPS, "ports": [PAIRING]},
                     None, None, None, id="configmap"),
    ],
)
def test_what_the_rules_keep(files: dict[str, str], settings: dict[str, Any], images: str | None,
                             variables: str | None, ports: str | None) -> None:
    (doc,) = load(files)
    assert rule_of(configured.version_groups).keeps(doc, settings) == images
    assert rule_of(configured.variables_defined).keeps(doc, settings) == variables
    assert rule_of(configured.ports_match).keeps(doc, settings) == ports
