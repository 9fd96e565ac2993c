"""drift.normalize_compose: canonical() of compose files (short and long syntax, compose's own defaults) and Canonical."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.drift.normalize_compose import Canonical, Project, canonical

SECOND = 1_000_000_000


def service(spec: dict, project: Project | None = None) -> Any:
    return canonical({"services": {"web": spec}}, project).data["services"]["web"]


# ------------------------------------------------------------------ one service field at a time


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"ports": ["8080:80"]},
         {"ports": {":8080:80/tcp": {"target": "80", "published": "8080", "protocol": "tcp", "mode": "ingress"}}}),
        ({"ports": [{"target": 80, "published": "8080"}]},
         {"ports": {":8080:80/tcp": {"target": "80", "published": "8080", "protocol": "tcp", "mode": "ingress"}}}),
        ({"ports": ["53:53/udp", 80]},
         {"ports": {":53:53/udp": {"target": "53", "published": "53", "protocol": "udp", "mode": "ingress"},
                    "::80/tcp": {"target": "80", "protocol": "tcp", "mode": "ingress"}}}),
        ({"environment": ["A=1", "B", "C="]}, {"environment": {"A": "1", "B": None, "C": ""}}),
        ({"environment": {"A": 1, "B": True, "C": None, "D": 1.5}},
         {"environment": {"A": "1", "B": "true", "C": None, "D": "1.5"}}),
        ({"environment": []}, {}),
        ({"environment": None}, {}),
        ({"labels": ["a=1", "b"]}, {"labels": {"a": "1", "b": None}}),
        ({"labels": {"a": 1, "b": False}}, {"labels": {"a": "1", "b": "false"}}),
        ({"annotations": ["x=y"]}, {"annotations": {"x": "y"}}),
        ({"sysctls": ["net.core.somaxconn=1024"]}, {"sysctls": {"net.core.somaxconn": "1024"}}),
        ({"extra_hosts": ["h:1.2.3.4", "g=::1", "bare"]}, {"extra_hosts": {"h": "1.2.3.4", "g": "::1", "bare": None}}),
        ({"depends_on": ["db", "cache"]},
         {"depends_on": {"db": {"condition": "service_started", "required": True},
                         "cache": {"condition": "service_started", "required": True}}}),
        ({"depends_on": {"db": {"condition": "service_healthy", "restart": False}, "c": None}},
         {"depends_on": {"db": {"condition": "service_healthy", "required": True},
                         "c": {"condition": "service_started", "required": True}}}),
        ({"depends_on": {"db": {"restart": True, "required": False}}},
         {"depends_on": {"db": {"condition": "service_started", "required": False, "restart": True}}}),
        ({"depends_on": {"db": "odd"}}, {"depends_on": {"db": "odd"}}),
        ({"command": 'run --x "a b"'}, {"command": ["run", "--x", "a b"]}),
        ({"command": ["run", "x"]}, {"command": ["run", "x"]}),
        ({"command": None}, {"command": None}),
        ({"entrypoint": 'sh -c "unterminated'}, {"entrypoint": 'sh -c "unterminated'}),
        ({"healthcheck": {"test": "curl -f localhost", "interval": "90s"}},
         {"healthcheck": {"test": ["CMD-SHELL", "curl -f localhost"], "interval": 90 * SECOND}}),
        ({"healthcheck": {"test": ["CMD", "true"]}}, {"healthcheck": {"test": ["CMD", "true"]}}),
        ({"restart": "no"}, {}),
        ({"restart": "always"}, {"restart": "always"}),
        ({"pull_policy": "if_not_present"}, {"pull_policy": "missing"}),
        ({"pull_policy": "always"}, {"pull_policy": "always"}),
        ({"secrets": ["db", {"source": "api", "target": "/etc/api"}]},
         {"secrets": [{"source": "db", "target": "/run/secrets/db"}, {"source": "api", "target": "/etc/api"}]}),
        ({"configs": ["app"]}, {"configs": [{"source": "app"}]}),
        ({"build": "./web"}, {"build": {"context": "./web", "dockerfile": "Dockerfile"}}),
        ({"build": {"dockerfile": "Dockerfile.prod"}}, {"build": {"context": ".", "dockerfile": "Dockerfile.prod"}}),
        ({"build": {"dockerfile_inline": "FROM x"}}, {"build": {"context": ".", "dockerfile_inline": "FROM x"}}),
        ({"build": {"args": ["A", "B=2", "C="]}},
         {"build": {"context": ".", "dockerfile": "Dockerfile", "args": {"B": "2", "C": ""}}}),
        ({"expose": [80, "443"]}, {"expose": ["80", "443"]}),
        ({"dns": "8.8.8.8", "dns_search": "example.com", "tmpfs": "/tmp"},
         {"dns": ["8.8.8.8"], "dns_search": ["example.com"], "tmpfs": ["/tmp"]}),
        ({"logging": {"driver": "json-file", "options": {"max-size": 10, "compress": True}}},
         {"logging": {"driver": "json-file", "options": {"max-size": "10", "compress": "true"}}}),
        ({"mem_limit": "512m", "cpus": "0.5", "stop_grace_period": "1m"},
         {"mem_limit": 512 * 1024 ** 2, "cpus": 0.5, "stop_grace_period": 60 * SECOND}),
        ({"volumes": ["./data:/data:ro", "named:/n"]},
         {"volumes": {"/data": {"type": "bind", "source": "./data", "target": "/data", "read_only": True},
                      "/n": {"type": "volume", "source": "named", "target": "/n"}}}),
        ({"networks": ["default"]}, {}),
        ({"networks": {"default": None}}, {}),
        ({"networks": []}, {}),
        ({"networks": ["front"]}, {"networks": {"front": {}}}),
        ({"networks": {"front": None, "back": {"aliases": ["b"]}}}, {"networks": {"front": {}, "back": {"aliases": ["b"]}}}),
        ({"network_mode": "host", "networks": []}, {"network_mode": "host", "networks": {}}),
        ({"ports": "8080:80", "environment": "A=1", "volumes": "x"}, {"ports": "8080:80", "environment": "A=1", "volumes": "x"}),
        ({}, {}),
    ],
    ids=["port-short", "port-long", "port-udp-and-int", "environment-list", "environment-map-as-text",
         "environment-empty-list", "environment-null", "labels-list", "labels-map", "annotations", "sysctls",
         "extra-hosts", "depends-on-list", "depends-on-map-defaults", "depends-on-restart-kept", "depends-on-odd",
         "command-string", "command-list", "command-null", "entrypoint-unsplittable", "healthcheck-string",
         "healthcheck-list", "restart-no", "restart-always", "pull-policy-alias", "pull-policy-other", "secrets",
         "configs", "build-string", "build-context-default", "build-inline", "build-args", "expose", "string-lists",
         "logging-options", "units", "volumes", "default-network-list", "default-network-null", "networks-empty",
         "network-list", "network-map", "network-mode-keeps-networks", "malformed-shapes-as-written", "empty"],
)
def test_service_field(spec: dict, expected: dict) -> None:
    assert service(spec) == expected


def test_build_args_take_project_variables_and_drop_unset_ones() -> None:
    got = service({"build": {"args": {"A": None, "B": None, "C": "x"}}}, Project(env={"A": "from-env"}))
    assert got["build"]["args"] == {"A": "from-env", "C": "x"}


# ------------------------------------------------------------------ the file


def test_version_goes_and_the_file_is_not_changed() -> None:
    data = {"version": "3.8", "services": {"web": {"image": "x", "ports": ["80:80"]}}}
    before = copy.deepcopy(data)
    assert canonical(data).data == {"services": {"web": {"image": "x", "ports": {
        ":80:80/tcp": {"target": "80", "published": "80", "protocol": "tcp", "mode": "ingress"}}}}}
    assert data == before


@pytest.mark.parametrize("data", ["text", [1], None, 5], ids=["text", "list", "null", "int"])
def test_a_non_mapping_file_is_as_written(data: Any) -> None:
    result = canonical(data)
    assert (result.data, result.origins, result.unresolved, result.open_maps) == (data, {}, {}, set())


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, {}),
        ({"services": None}, {"services": None}),
        ({"services": {"a": None, "b": "str"}}, {"services": {"a": None, "b": "str"}}),
    ],
    ids=["empty", "null-services", "non-map-services"],
)
def test_files_without_services(data: dict, expected: dict) -> None:
    assert canonical(data).data == expected


@pytest.mark.parametrize(
    ("data", "project", "expected"),
    [
        ({"name": "Shop", "networks": {"default": None, "front": {"name": "shop_front"}}},
         Project(), {"name": "shop", "networks": {"front": {}}}),
        ({"name": "shop", "networks": {"default": {"name": "shop_default"}}}, Project(), {"name": "shop"}),
        ({"name": "shop", "networks": {"default": {"driver": "bridge"}}}, Project(),
         {"name": "shop", "networks": {"default": {"driver": "bridge"}}}),
        ({"name": "shop", "volumes": {"data": {"name": "shop_data"}, "logs": {"name": "custom"}, "v": None}},
         Project(), {"name": "shop", "volumes": {"data": {}, "logs": {"name": "custom"}, "v": {}}}),
        ({"volumes": {"e": {"external": {"name": "real"}}, "f": {"external": False}, "g": {"external": True, "name": "g"}}},
         Project(), {"volumes": {"e": {"external": True, "name": "real"}, "f": {}, "g": {"external": True}}}),
        ({"volumes": {"data": {"name": "other_data"}}}, Project(fallback_name="other"), {"volumes": {"data": {}}}),
        ({"volumes": {"data": {"name": "other_data"}}}, Project(), {"volumes": {"data": {"name": "other_data"}}}),
        ({"secrets": {"s": {"file": "./s.txt", "name": "p_s"}}}, Project(env={"COMPOSE_PROJECT_NAME": "P"}),
         {"name": "p", "secrets": {"s": {"file": "./s.txt"}}}),
        ({"configs": {"c": None}, "networks": {"default": None}}, Project(), {"configs": {"c": {}}}),
        ({"volumes": ["not", "a", "map"]}, Project(), {"volumes": ["not", "a", "map"]}),
    ],
    ids=["implicit-names-go", "default-network-with-its-own-name", "configured-default-network",
         "volume-names", "external", "fallback-project-name", "no-project-name", "env-project-name",
         "null-config-and-default-network", "malformed-section"],
)
def test_top_level_resources(data: dict, project: Project, expected: dict) -> None:
    assert canonical(data, project).data == expected


def test_the_project_name_is_interpolated_and_given_to_values() -> None:
    data = {"name": "${STACK}-app", "services": {"web": {"image": "${COMPOSE_PROJECT_NAME}/web"}}}
    assert canonical(data, Project(env={"STACK": "Shop"})).data == {
        "name": "shop-app", "services": {"web": {"image": "shop-app/web"}}}


def test_an_unresolved_project_name_stays_as_written() -> None:
    result = canonical({"name": "${N}", "services": {}})
    assert result.data == {"name": "${N}", "services": {}}
    assert {k: v.names for k, v in result.unresolved.items()} == {"/name": ("N",)}


def test_unresolved_references_are_kept_as_written_with_their_patterns() -> None:
    data = {"services": {"web": {"image": "img:${TAG}", "command": "run ${ARGS:?need args}",
                                 "environment": {"K": "${A:-fallback}", "L": "$$HOME"}}}}
    result = canonical(data, Project(env={}))
    assert result.data == {"services": {"web": {"image": "img:${TAG}", "command": ["run", "${ARGS:?need args}"],
                                                "environment": {"K": "fallback", "L": "$HOME"}}}}
    assert {k: v.names for k, v in result.unresolved.items()} == {
        "/services/web/image": ("TAG",), "/services/web/command/1": ("ARGS",)}
    image = result.unresolved["/services/web/image"]
    assert (image.matches("img:1.2"), image.matches("other:1.2")) == (True, False)


def test_an_unresolved_port_key_is_decoded_in_keys_and_origins() -> None:
    result = canonical({"services": {"web": {"ports": ["${PORT}:80"]}}})
    key = "/services/web/ports/:${PORT}:80~1tcp"
    assert result.data["services"]["web"]["ports"] == {
        ":${PORT}:80/tcp": {"target": "80", "published": "${PORT}", "protocol": "tcp", "mode": "ingress"}}
    assert {k: v.names for k, v in result.unresolved_keys.items()} == {key: ("PORT",)}
    assert result.origins == {key: ("/services/web/ports/0", True)}


def test_an_env_file_that_cannot_be_read_opens_the_environment(tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text("A=1\n", encoding="utf-8")
    project = Project(tmp_path, tmp_path)
    result = canonical({"services": {"ok": {"env_file": "a.env"}, "open": {"env_file": ["missing.env"]}}}, project)
    assert result.data == {"services": {"ok": {"environment": {"A": "1"}}, "open": {}}}
    assert result.open_maps == {"/services/open/environment"}


# ------------------------------------------------------------------ origins, element, original


def test_origins_map_canonical_elements_back_to_the_file() -> None:
    data = {"services": {"web": {"ports": ["8080:80", {"target": 443}], "environment": ["A=1"],
                                 "depends_on": ["db"], "volumes": [{"type": "bind", "source": ".", "target": "/s"}],
                                 "networks": ["front"], "extra_hosts": ["h:1.1.1.1"], "labels": {"x": "y"}}}}
    assert canonical(data).origins == {
        "/services/web/ports/:8080:80~1tcp": ("/services/web/ports/0", True),
        "/services/web/ports/::443~1tcp": ("/services/web/ports/1", False),
        "/services/web/environment/A": ("/services/web/environment/0", True),
        "/services/web/depends_on/db": ("/services/web/depends_on/0", True),
        "/services/web/volumes/~1s": ("/services/web/volumes/0", False),
        "/services/web/networks/front": ("/services/web/networks/0", True),
        "/services/web/extra_hosts/h": ("/services/web/extra_hosts/0", True),
    }


CANON = Canonical({}, origins={"/s/web/ports/p": ("/s/web/ports/3", True), "/s/web/volumes/v": ("/s/web/volumes/1", False)})


@pytest.mark.parametrize(
    ("pointer", "element", "original"),
    [
        ("/s/web/ports/p", ("/s/web/ports/p", "/s/web/ports/3", True), "/s/web/ports/3"),
        ("/s/web/ports/p/mode", ("/s/web/ports/p", "/s/web/ports/3", True), "/s/web/ports/3"),
        ("/s/web/volumes/v/read_only", ("/s/web/volumes/v", "/s/web/volumes/1", False), "/s/web/volumes/1/read_only"),
        ("/s/web/image", None, "/s/web/image"),
        ("/s/web/ports/px", None, "/s/web/ports/px"),
        ("", None, ""),
    ],
    ids=["short-element", "inside-short-element", "inside-long-element", "outside", "prefix-is-not-a-parent", "root"],
)
def test_element_and_original(pointer: str, element: tuple | None, original: str) -> None:
    assert (CANON.element(pointer), CANON.original(pointer)) == (element, original)


# ------------------------------------------------------------------ invariants

PORT = st.integers(1, 65535)
TEXT = st.text(st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="$=\"'\\"), min_size=1, max_size=8)


@st.composite
def short_and_long(draw: st.DrawFn) -> tuple[dict, dict]:
    """One service written in short syntax and the same service in long syntax."""
    ports = draw(st.lists(st.tuples(PORT, PORT), max_size=3, unique_by=lambda p: p[1]))
    env = draw(st.dictionaries(st.from_regex(r"[A-Z][A-Z0-9_]{0,5}", fullmatch=True), TEXT, max_size=3))
    deps = draw(st.lists(st.from_regex(r"[a-z]{1,5}", fullmatch=True), unique=True, max_size=3))
    short = {"image": "x", "ports": [f"{h}:{c}" for h, c in ports], "environment": [f"{k}={v}" for k, v in env.items()],
             "depends_on": deps, "restart": "no", "build": "./app"}
    long = {"image": "x", "ports": [{"target": c, "published": str(h), "protocol": "tcp", "mode": "ingress"} for h, c in ports],
            "environment": dict(env), "depends_on": {d: {"condition": "service_started"} for d in deps},
            "build": {"context": "./app", "dockerfile": "Dockerfile"}}
    return short, long


@settings(max_examples=100, deadline=None, database=None)
@given(short_and_long())
def test_short_and_long_syntax_are_one_canonical_form(pair: tuple[dict, dict]) -> None:
    short, long = pair
    assert service(short) == service(long)


@settings(max_examples=100, deadline=None, database=None)
@given(short_and_long(), st.randoms(use_true_random=False))
def test_canonical_leaves_its_input_alone_and_ignores_key_order(pair: tuple[dict, dict], rnd: Any) -> None:
    short, long = pair
    data = {"version": "3", "name": "App", "services": {"a": short, "b": long}}
    before = copy.deepcopy(data)
    once = canonical(data).data
    assert data == before
    shuffled = list(data.items())
    rnd.shuffle(shuffled)
    assert canonical(dict(shuffled)).data == once
    assert once["services"]["a"] == once["services"]["b"]
