"""policy/crossfile/compose.py: compose projects as compose combines files, and the per-project rules."""
from __future__ import annotations

from typing import Any, Iterator, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.model import Document, Finding, Severity, Source
from trueup.policy.crossfile import WHOLE, CrossFileRule, compose

from .conftest import found, load, rule_of


def test_the_rules() -> None:
    expected = {
        compose.depends_on_exists: ("COMPOSE-DEPENDS-ON-EXISTS", Severity.HIGH, True, {}),
        compose.host_ports_unique: ("COMPOSE-HOST-PORT-UNIQUE", Severity.HIGH, False,
                                    {"dclint": ("no-duplicate-exported-ports",)}),
        compose.healthcheck_for_dependency: ("COMPOSE-HEALTHCHECK-FOR-DEPENDENCY", Severity.MEDIUM, False, {}),
        compose.depends_on_healthy: ("COMPOSE-DEPENDS-ON-HEALTHY", Severity.MEDIUM, False, {}),
        compose.duplicate_container_name: ("COMPOSE-DUPLICATE-CONTAINER-NAME", Severity.HIGH, False,
                                           {"dclint": ("no-duplicate-container-names",)}),
    }
    for check, (id, severity, complete, peers) in expected.items():
        rule = rule_of(check)
        assert (rule.id, rule.severity, rule.complete, rule.peers) == (id, severity, complete, peers)


# --- projects -------------------------------------------------------------------------------------


def _doc(name: str, data: Any = None, kind: str = "compose", index: int = 0) -> Document:
    data = {"services": {}} if data is None else data
    return Document(data=data, source=Source(file=name, name=name, text="", format="yaml"), index=index, kind=kind)


def _names(groups: list[list[Document]]) -> list[list[str]]:
    return [[f"{d.source.name}#{d.index}" if d.index else d.source.name for d in group] for group in groups]


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        pytest.param(["compose.override.yaml", "compose.yaml"], [["compose.yaml", "compose.override.yaml"]],
                     id="override-after-base"),
        pytest.param(["docker-compose.yml", "docker-compose.override.yml", "docker-compose.prod.yml"],
                     [["docker-compose.yml", "docker-compose.override.yml"], ["docker-compose.prod.yml"]],
                     id="alternative-on-its-own"),
        pytest.param(["a/compose.yaml", "b/compose.yaml"], [["a/compose.yaml"], ["b/compose.yaml"]],
                     id="one-project-per-directory"),
        pytest.param(["compose.yaml", "docker-compose.yml"], [["compose.yaml", "docker-compose.yml"]],
                     id="two-default-names-one-directory"),
        pytest.param(["x/compose.dev.yaml", "x/compose.test.yaml"], [["x/compose.dev.yaml"], ["x/compose.test.yaml"]],
                     id="non-default-names-each-alone"),
        pytest.param([], [], id="nothing"),
    ],
)
def test_projects(names: list[str], expected: list[list[str]]) -> None:
    assert _names(compose.projects([_doc(n) for n in names])) == expected


def test_projects_leave_out_documents_that_are_not_compose() -> None:
    docs = [_doc("compose.yaml"), _doc("deploy.yaml", {"kind": "Pod"}, kind="kubernetes"), _doc("app.yaml", kind="config")]
    assert _names(compose.projects(docs)) == [["compose.yaml"]]


def test_projects_keep_documents_of_one_file_in_order() -> None:
    docs = [_doc("compose.yaml", index=1), _doc("compose.override.yaml"), _doc("compose.yaml", index=0)]
    assert _names(compose.projects(docs)) == [["compose.yaml", "compose.yaml#1", "compose.override.yaml"]]


@pytest.mark.parametrize(
    ("include", "expected"),
    [
        pytest.param(["extra/compose.yaml"], [["compose.yaml", "extra/compose.yaml"], ["other.yml"]], id="short"),
        pytest.param(["./extra/compose.yaml"], [["compose.yaml", "extra/compose.yaml"], ["other.yml"]],
                     id="dot-slash"),
        pytest.param([{"path": "extra/compose.yaml"}], [["compose.yaml", "extra/compose.yaml"], ["other.yml"]],
                     id="long-form"),
        pytest.param([{"path": ["extra/compose.yaml", "other.yml"]}], [["compose.yaml", "extra/compose.yaml", "other.yml"]],
                     id="long-form-list"),
        pytest.param(["${DIR}/compose.yaml"], [["compose.yaml"], ["extra/compose.yaml"], ["other.yml"]],
                     id="variable-path-not-followed"),
        pytest.param(["missing.yaml"], [["compose.yaml"], ["extra/compose.yaml"], ["other.yml"]],
                     id="file-not-read"),
        pytest.param("extra/compose.yaml", [["compose.yaml"], ["extra/compose.yaml"], ["other.yml"]],
                     id="include-a-string"),
        pytest.param([5, None], [["compose.yaml"], ["extra/compose.yaml"], ["other.yml"]], id="items-not-paths"),
    ],
)
def test_projects_follow_include(include: Any, expected: list[list[str]]) -> None:
    docs = [_doc("compose.yaml", {"include": include, "services": {}}), _doc("extra/compose.yaml"), _doc("other.yml")]
    assert _names(compose.projects(docs)) == expected


def test_per_project_runs_the_check_once_per_project() -> None:
    calls: list[list[str]] = []

    def check(rule: CrossFileRule, documents: Sequence[Document], settings: dict[str, Any]) -> Iterator[Finding]:
        calls.append([d.source.name for d in documents])
        yield Finding(rule=rule.id, severity=rule.severity, message=str(len(documents)), target="t")

    wrapped = compose.per_project(check)
    rule = CrossFileRule("R", "t", Severity.LOW, "d", "r", wrapped)
    docs = [_doc("a/compose.yaml"), _doc("a/compose.override.yaml"), _doc("b/docker-compose.yml")]
    assert [f.message for f in rule.run(docs)] == ["2", "1"]
    assert calls == [["a/compose.yaml", "a/compose.override.yaml"], ["b/docker-compose.yml"]]
    assert wrapped.__name__ == "check"


NAMES = st.sampled_from(["compose.yaml", "compose.override.yaml", "docker-compose.yml", "docker-compose.prod.yml",
                         "sub/compose.yaml", "sub/compose.override.yml", "sub/x.yml", "sub/deeper/compose.yaml"])


@settings(database=None, max_examples=150, deadline=None)
@given(st.lists(NAMES, unique=True, max_size=8), st.randoms(use_true_random=False))
def test_projects_partition_the_files_whatever_their_order(names: list[str], random: Any) -> None:
    docs = [_doc(n) for n in names]
    groups = compose.projects(docs)
    shuffled = list(docs)
    random.shuffle(shuffled)
    again = compose.projects(shuffled)
    assert sorted(d.source.name for g in groups for d in g) == sorted(names)  # each file in one project
    assert sorted(map(tuple, _names(groups))) == sorted(map(tuple, _names(again)))  # same groups, same order inside
    for group in groups:  # overrides after the files they override
        flags = [d.source.name.rsplit("/", 1)[-1] in compose.OVERRIDE_FILES for d in group]
        assert flags == sorted(flags)


# --- the rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({"compose.yaml": "services:\n  a:\n    depends_on: [b]\n  b: {}\n"}, [], id="exists"),
        pytest.param({"compose.yaml": "services:\n  a:\n    depends_on: [b, c]\n  b: {}\n"},
                     [("compose.yaml", 3, "/services/a/depends_on/1", "a depends on 'c', which no compose file defines")],
                     id="missing-list-form"),
        pytest.param({"compose.yaml": "services:\n  a:\n    depends_on:\n      c: {condition: service_healthy}\n"},
                     [("compose.yaml", 4, "/services/a/depends_on/c", "a depends on 'c', which no compose file defines")],
                     id="missing-map-form"),
        pytest.param({"compose.yaml": "services:\n  a:\n    links: ['db:database', b]\n  b: {}\n"},
                     [("compose.yaml", 3, "/services/a/links/0", "a links to 'db', which no compose file defines")],
                     id="link-with-alias"),
        pytest.param({"compose.yaml": "services:\n  a:\n    depends_on: [b]\n",
                      "compose.override.yaml": "services:\n  b: {}\n"}, [], id="defined-in-the-override"),
        pytest.param({"compose.yaml": "services:\n  a:\n    depends_on: [b]\n",
                      "extensions/x-compose.yml": "services:\n  b: {}\n"}, [], id="defined-in-any-file-of-the-run"),
        pytest.param({"compose.yaml": "services:\n  a:\n    depends_on: b\n    links: b\n"}, [],
                     id="scalars-not-lists"),
        pytest.param({"compose.yaml": "services:\n  a: [b]\n  c:\n    depends_on: [a]\n"},
                     [("compose.yaml", 4, "/services/c/depends_on/0", "c depends on 'a', which no compose file defines")],
                     id="service-not-a-mapping-is-not-a-service"),
        pytest.param({"compose.yaml": "services:\n  a:\n    depends_on: [{b: x}]\n"},
                     [("compose.yaml", 3, "/services/a/depends_on/0",
                       "a depends on \"{'b': 'x'}\", which no compose file defines")], id="entry-a-mapping"),
        pytest.param({"compose.yaml": "services:\n  a/b:\n    depends_on: [c]\n"},
                     [("compose.yaml", 3, "/services/a~1b/depends_on/0", "a/b depends on 'c', which no compose file defines")],
                     id="slash-in-a-name-escaped"),
    ],
)
def test_depends_on_exists(files: dict[str, str], expected: list[tuple]) -> None:
    assert found(compose.depends_on_exists, files) == expected


def _clash(line: int, pointer: str, port: str, name: str, owner: str, file: str = "compose.yaml") -> tuple:
    return (file, line, pointer, f"host port {port} of {name} is already published by {owner}")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['80:80']\n  b:\n    ports: ['80:8080']\n"},
                     [_clash(5, "/services/b/ports/0", "80/tcp", "b", "a (compose.yaml)")], id="same-host-port"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['80:80']\n  b:\n    ports: ['81:80']\n"}, [],
                     id="different-host-ports"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['80:80']\n  b:\n    ports: ['80:80/udp']\n"}, [],
                     id="different-protocols"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['127.0.0.1:80:80']\n  b:\n"
                                      "    ports: ['127.0.0.2:80:80']\n"}, [], id="different-host-ips"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['127.0.0.1:80:80']\n  b:\n    ports: ['80:80']\n"},
                     [_clash(5, "/services/b/ports/0", "80/tcp", "b", "a (compose.yaml)")], id="any-ip-clashes-with-one"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['80']\n  b:\n    ports: ['80']\n"}, [],
                     id="container-ports-only"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: [{target: 80, published: 8080}]\n  b:\n"
                                      "    ports: ['8080:80']\n"},
                     [_clash(5, "/services/b/ports/0", "8080/tcp", "b", "a (compose.yaml)")], id="long-and-short-syntax"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['80:80', '80:81']\n"},
                     [_clash(3, "/services/a/ports/1", "80/tcp", "a", "a (compose.yaml)")], id="twice-in-one-service"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['80:80']\n",
                      "compose.override.yaml": "services:\n  b:\n    ports: ['80:80']\n"},
                     [_clash(3, "/services/b/ports/0", "80/tcp", "b", "a (compose.yaml)", "compose.override.yaml")],
                     id="across-the-files-of-a-project"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['80:80']\n",
                      "docker-compose.prod.yml": "services:\n  b:\n    ports: ['80:80']\n"}, [],
                     id="alternative-files-do-not-clash"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: '80:80'\n  b:\n    ports: ['80:80']\n"}, [],
                     id="ports-a-string"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['8000-8001:8000-8001']\n  b:\n    ports: ['8001:80']\n"},
                     [_clash(5, "/services/b/ports/0", "8001/tcp", "b", "a (compose.yaml)")], id="inside-a-host-range"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['8001:80']\n  b:\n"
                                      "    ports: ['7999-8002:7999-8002', '9000-9001:9000-9001']\n"},
                     [_clash(5, "/services/b/ports/0", "8001/tcp", "b", "a (compose.yaml)")],
                     id="a-range-over-a-port-one-finding"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['8000-8001:8000-8001']\n  b:\n"
                                      "    ports: ['8002-8003:8000-8001', '8001:80/udp']\n"}, [],
                     id="ranges-apart-and-another-protocol"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['8000-8009:80']\n  b:\n    ports: ['8001:80']\n"},
                     [], id="a-host-range-for-one-port-takes-any-free-one"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['53:53/udp']\n  b:\n    ports: ['53:53/tcp']\n"},
                     [], id="udp-and-tcp-apart"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['127.0.0.1:8001:80']\n  b:\n"
                                      "    ports: ['0.0.0.0:8001:80']\n"},
                     [_clash(5, "/services/b/ports/0", "8001/tcp", "b", "a (compose.yaml)")],
                     id="unspecified-ipv4-clashes-with-an-ipv4-address"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['[::]:8001:80']\n  b:\n"
                                      "    ports: ['[::1]:8001:80', '127.0.0.1:8001:80']\n"},
                     [_clash(5, "/services/b/ports/0", "8001/tcp", "b", "a (compose.yaml)")],
                     id="unspecified-ipv6-clashes-with-ipv6-only"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['0.0.0.0:8001:80']\n  b:\n"
                                      "    ports: ['[::1]:8001:80']\n"}, [], id="address-families-apart"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['[::ffff:127.0.0.1]:8001:80']\n  b:\n"
                                      "    ports: [{target: 80, published: 8001, host_ip: 127.0.0.1}]\n"},
                     [_clash(5, "/services/b/ports/0", "8001/tcp", "b", "a (compose.yaml)")],
                     id="ipv4-mapped-is-the-ipv4-address"),
        pytest.param({"compose.yaml": "services:\n  a:\n    ports: ['${IP}:8001:80']\n  b:\n"
                                      "    ports: ['0.0.0.0:8001:80', '${IP}:8001:81']\n"},
                     [_clash(5, "/services/b/ports/1", "8001/tcp", "b", "a (compose.yaml)")],
                     id="a-variable-clashes-with-itself-only"),
    ],
)
def test_host_ports_unique(files: dict[str, str], expected: list[tuple]) -> None:
    assert found(compose.host_ports_unique, files) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("services:\n  a:\n    depends_on: [db]\n  db:\n    healthcheck: {test: [CMD, pg_isready]}\n", [],
                     id="has-a-check"),
        pytest.param("services:\n  a:\n    depends_on: [db]\n  db:\n    image: postgres\n",
                     [("compose.yaml", 4, "/services/db",
                       "db has dependents but no health check, so they cannot wait for it to be ready")], id="no-check"),
        pytest.param("services:\n  a:\n    depends_on: [db]\n  db:\n    healthcheck: {disable: true}\n",
                     [("compose.yaml", 4, "/services/db",
                       "db has dependents but no health check, so they cannot wait for it to be ready")],
                     id="check-disabled"),
        pytest.param("services:\n  a:\n    depends_on: {db: {condition: service_started}}\n  db:\n"
                     "    healthcheck: pg_isready\n",
                     [("compose.yaml", 4, "/services/db",
                       "db has dependents but no health check, so they cannot wait for it to be ready")],
                     id="check-not-a-mapping"),
        pytest.param("services:\n  a:\n    depends_on: [db]\n  db:\n    healthcheck: {test: [NONE]}\n",
                     [("compose.yaml", 4, "/services/db",
                       "db has dependents but no health check, so they cannot wait for it to be ready")],
                     id="test-none-disables-it"),
        pytest.param("services:\n  a:\n    depends_on: [db]\n  db:\n    healthcheck: {test: NONE}\n", [],
                     id="test-none-as-a-string-is-a-shell-command"),
        pytest.param("services:\n  a:\n    depends_on: [gone]\n", [], id="dependency-not-defined"),
        pytest.param("services:\n  a:\n    image: x\n", [], id="nobody-depends"),
        pytest.param("services:\n  a:\n    depends_on: [z, b]\n  z: {}\n  b: {}\n",
                     [("compose.yaml", 5, "/services/b",
                       "b has dependents but no health check, so they cannot wait for it to be ready"),
                      ("compose.yaml", 4, "/services/z",
                       "z has dependents but no health check, so they cannot wait for it to be ready")],
                     id="sorted-by-name"),
    ],
)
def test_healthcheck_for_dependency(text: str, expected: list[tuple]) -> None:
    assert found(compose.healthcheck_for_dependency, {"compose.yaml": text}) == expected


CHECKED_DB = "  db:\n    healthcheck: {test: [CMD, pg_isready]}\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("services:\n  a:\n    depends_on: [db]\n" + CHECKED_DB,
                     [("compose.yaml", 3, "/services/a/depends_on/0",
                       "a starts when db has started, not when its health check passes")], id="list-form"),
        pytest.param("services:\n  a:\n    depends_on:\n      db: {condition: service_started}\n" + CHECKED_DB,
                     [("compose.yaml", 4, "/services/a/depends_on/db",
                       "a starts when db has started, not when its health check passes")], id="explicit-started"),
        pytest.param("services:\n  a:\n    depends_on:\n      db: {restart: true}\n" + CHECKED_DB,
                     [("compose.yaml", 4, "/services/a/depends_on/db",
                       "a starts when db has started, not when its health check passes")], id="condition-defaulted"),
        pytest.param("services:\n  a:\n    depends_on:\n      db: {condition: service_healthy}\n" + CHECKED_DB, [],
                     id="waits-for-healthy"),
        pytest.param("services:\n  a:\n    depends_on:\n      db: {condition: service_completed_successfully}\n"
                     + CHECKED_DB, [], id="waits-for-completion"),
        pytest.param("services:\n  a:\n    depends_on: [db]\n  db:\n    healthcheck: {disable: true}\n", [],
                     id="dependency-check-disabled"),
        pytest.param("services:\n  a:\n    depends_on: [db]\n  db: {}\n", [], id="dependency-without-check"),
        pytest.param("services:\n  a:\n    depends_on: [db]\n  db:\n    healthcheck: {test: [NONE], interval: 5s}\n",
                     [], id="dependency-check-test-none"),
        pytest.param("services:\n  a:\n    depends_on:\n      db: service_healthy\n" + CHECKED_DB,
                     [("compose.yaml", 4, "/services/a/depends_on/db",
                       "a starts when db has started, not when its health check passes")],
                     id="spec-not-a-mapping-is-the-default"),
    ],
)
def test_depends_on_healthy(text: str, expected: list[tuple]) -> None:
    assert found(compose.depends_on_healthy, {"compose.yaml": text}) == expected


def test_depends_on_healthy_sees_a_check_set_in_the_override() -> None:
    files = {"compose.yaml": "services:\n  a:\n    depends_on: [db]\n  db: {}\n",
             "compose.override.yaml": "services:\n" + CHECKED_DB}
    assert found(compose.depends_on_healthy, files) == [
        ("compose.yaml", 3, "/services/a/depends_on/0", "a starts when db has started, not when its health check passes")]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({"compose.yaml": "services:\n  a:\n    container_name: app\n  b:\n    container_name: app\n"},
                     [("compose.yaml", 5, "/services/b/container_name", "container_name 'app' of b is already taken by a")],
                     id="same-name"),
        pytest.param({"compose.yaml": "services:\n  a:\n    container_name: app\n  b:\n    container_name: api\n"}, [],
                     id="different-names"),
        pytest.param({"compose.yaml": "services:\n  a:\n    container_name: 7\n  b:\n    container_name: '7'\n"},
                     [("compose.yaml", 5, "/services/b/container_name", "container_name '7' of b is already taken by a")],
                     id="number-and-text-are-one-name"),
        pytest.param({"compose.yaml": "services:\n  a:\n    container_name: [app]\n  b:\n    container_name: [app]\n"}, [],
                     id="names-not-scalars"),
        pytest.param({"compose.yaml": "services:\n  a:\n    container_name: app\n  b:\n    container_name: app\n",
                      "compose.override.yaml": "services:\n  b:\n    container_name: other\n"}, [],
                     id="override-renames-it"),
        pytest.param({"compose.yaml": "services:\n  a:\n    container_name: app\n",
                      "compose.override.yaml": "services:\n  b:\n    container_name: app\n"},
                     [("compose.override.yaml", 3, "/services/b/container_name",
                       "container_name 'app' of b is already taken by a")], id="across-files"),
        pytest.param({"compose.yaml": "services:\n  a:\n    container_name: app\n",
                      "docker-compose.prod.yml": "services:\n  b:\n    container_name: app\n"}, [],
                     id="other-project"),
    ],
)
def test_duplicate_container_name(files: dict[str, str], expected: list[tuple]) -> None:
    assert found(compose.duplicate_container_name, files) == expected


@pytest.mark.parametrize(
    "check", [compose.depends_on_exists, compose.host_ports_unique, compose.healthcheck_for_dependency,
              compose.depends_on_healthy, compose.duplicate_container_name],
    ids=lambda c: c.__name__,
)
def test_services_that_are_not_a_mapping_give_nothing(check: Any) -> None:
    assert found(check, {"compose.yaml": "services: [a, b]\n", "docker-compose.yml": "services: 5\n"}) == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({"compose.yaml": "services: {a: {}}\n"}, WHOLE, id="compose"),
        pytest.param({"f.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"}, None, id="kubernetes"),
    ],
)
def test_what_the_rules_keep(files: dict[str, str], expected: str | None) -> None:
    (doc,) = load(files)
    assert rule_of(compose.host_ports_unique).keeps(doc, {}) == expected
