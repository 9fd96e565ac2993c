"""drift.compose_compare: Paths (relative to each project), ComposeRules, ComposeWalker and compose_differences."""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.drift.compare import Difference
from trueup.drift.compose_compare import ComposeRules, ComposeWalker, Noted, Paths, compose_differences
from trueup.drift.normalize_compose import canonical
from trueup.load import load_path
from trueup.mask import known_scope
from trueup.model import Document

from .conftest import side


def doc(data: Any) -> Document:
    return side(data, "compose.yaml").documents[0]


def differences(desired: Any, live: Any) -> list[tuple]:
    found, _, _ = compose_differences(doc(desired), doc(live))
    return [(type(d).__name__, d.kind, d.desired_path, d.live_path, d.desired, d.live, getattr(d, "reason", ""))
            for d in found]


def unset(*names: str) -> str:
    verb = "is" if len(names) < 2 else "are"
    return f"compared as interpolated: {', '.join(names)} {verb} not set in the project's .env"


# ------------------------------------------------------------------ Paths


SHOP = Paths([("./web", "/srv/shop/web"), ("./api", "/srv/shop/api"), (".", "/srv/shop")])


@pytest.mark.parametrize(
    ("desired", "live", "expected"),
    [
        ("./web", "/srv/shop/web", True),
        ("web", "/srv/shop/web", True),
        ("./web/", "/srv/shop/web", True),
        ("./web", "/srv/other/web", False),
        ("./web", "/srv/shop/api", False),
        (".", "/srv/shop", True),
        (".", "/srv", False),
        ("../shared", "/srv/shared", True),
        ("../shared", "/srv/shop/shared", False),
        ("~/x", "/home/u/x", True),
        ("~/x", "/home/u/y", False),
        ("./a", "./a", True),
        ("a/../b", "./b", True),
        ("/x", "/x/", True),
        ("/x", "/y", False),
        ("git@github.com:org/repo.git", "git@github.com:org/repo.git", True),
        ("https://github.com/org/repo.git", "/srv/shop/repo.git", False),
        ("service:base", "service:base", True),
        ("C:\\app", "C:\\app", True),
        ("C:\\app", "/srv/shop/app", False),
        ("/srv/shop/web", "./web", True),
    ],
    ids=["relative-vs-absolute", "bare-relative", "trailing-slash", "another-directory", "another-name", "dot",
         "dot-not-parent", "parent", "parent-wrong", "home-suffix", "home-other", "both-relative", "normalised",
         "both-absolute", "other-absolute", "remote-equal", "remote-vs-path", "service-context", "windows-equal",
         "windows-vs-path", "absolute-desired-suffix"],
)
def test_paths_same(desired: str, live: str, expected: bool) -> None:
    assert SHOP.same(desired, live) is expected


@pytest.mark.parametrize(
    ("pairs", "live_dir", "desired_dir"),
    [
        ([("./web", "/srv/shop/web"), ("./api", "/srv/shop/api")], "/srv/shop", None),
        ([("./web", "/srv/a/web"), ("./api", "/srv/b/api"), ("./db", "/srv/b/db")], "/srv/b", None),
        ([(".", "/srv/a"), ("./web", "/srv/b/web")], "/srv/b", None),
        ([(".", "/srv/a")], "/srv/a", None),
        ([("../x", "/srv/x"), ("~/y", "/home/y")], None, None),
        ([("./web", "/web")], None, None),
        ([("/srv/a/web", "./web")], None, "/srv/a"),
        ([("./a/b", "/x/y/a/b"), ("./b", "/x/y/b")], "/x/y", None),
        ([], None, None),
    ],
    ids=["agreeing", "majority", "dot-only-counts-alone", "dot-alone", "parents-and-home-say-nothing",
         "nothing-above", "desired-absolute", "deep-relative", "no-pairs"],
)
def test_paths_recover_the_project_directory(pairs: list, live_dir: str | None, desired_dir: str | None) -> None:
    paths = Paths(pairs)
    assert (paths.live_dir, paths.desired_dir) == (live_dir, desired_dir)


@pytest.mark.parametrize(
    ("desired", "live", "expected"),
    [("./web", "/srv/shop/web", True), ("./web", "/a/b", False), (".", "/anything", True),
     ("./a/b", "/x/a/b", True), ("../a", "/x/a", True)],
    ids=["suffix", "other-suffix", "dot-is-any", "two-components", "parent-dropped"],
)
def test_paths_without_a_project_directory_compare_final_components(desired: str, live: str, expected: bool) -> None:
    assert Paths([]).same(desired, live) is expected


# ------------------------------------------------------------------ compose_differences


def test_config_output_of_the_same_file_is_no_drift() -> None:
    desired = {"version": "3.8", "services": {"web": {
        "build": "./web", "ports": ["8080:80"], "environment": ["A=1"], "restart": "no", "mem_limit": "512m",
        "volumes": ["./data:/data", "named:/n"], "depends_on": ["db"]}, "db": {"image": "postgres:16"}},
        "volumes": {"named": None}}
    live = {"name": "shop", "services": {
        "web": {"build": {"context": "/srv/shop/web", "dockerfile": "Dockerfile"},
                "ports": [{"target": 80, "published": "8080", "protocol": "tcp", "mode": "ingress"}],
                "environment": {"A": "1"}, "mem_limit": "536870912", "networks": {"default": None},
                "volumes": [{"type": "bind", "source": "/srv/shop/data", "target": "/data"},
                            {"type": "volume", "source": "named", "target": "/n"}],
                "depends_on": {"db": {"condition": "service_started", "required": True}}},
        "db": {"image": "postgres:16", "networks": {"default": None}}},
        "networks": {"default": {"name": "shop_default"}}, "volumes": {"named": {"name": "shop_named"}}}
    assert differences(desired, live) == []


@pytest.mark.parametrize(
    ("desired", "live", "expected"),
    [
        ({"services": {"web": {"image": "x:1"}}}, {"services": {"web": {"image": "x:2"}}},
         [("Difference", "changed", "/services/web/image", "/services/web/image", "x:1", "x:2", "")]),
        ({"services": {"web": {"ports": ["8080:80"]}}}, {"services": {"web": {"ports": ["9090:80"]}}},
         [("Difference", "missing", "/services/web/ports/:8080:80~1tcp", "/services/web/ports/:8080:80~1tcp",
           {"target": "80", "published": "8080", "protocol": "tcp", "mode": "ingress"}, None, ""),
          ("Difference", "extra", "/services/web/ports/:9090:80~1tcp", "/services/web/ports/:9090:80~1tcp", None,
           {"target": "80", "published": "9090", "protocol": "tcp", "mode": "ingress"}, "")]),
        ({"services": {"web": {"build": "./web"}}}, {"services": {"web": {"build": "/srv/x/api"}}},
         [("Difference", "changed", "/services/web/build/context", "/services/web/build/context", "./web",
           "/srv/x/api", "")]),
        ({"services": {"web": {"volumes": ["data:/d"]}}}, {"services": {"web": {"volumes": ["other:/d"]}}},
         [("Difference", "changed", "/services/web/volumes/~1d/source", "/services/web/volumes/~1d/source", "data",
           "other", "")]),
        ({"services": {"web": {"restart": "always"}}}, {"services": {"web": {"restart": "no"}}},
         [("Difference", "missing", "/services/web/restart", "/services/web/restart", "always", None, "")]),
        ({"name": "a", "services": {}}, {"name": "b", "services": {}},
         [("Difference", "changed", "/name", "/name", "a", "b", "")]),
        ({"services": {}}, {"name": "whatever", "services": {}}, []),
    ],
    ids=["image", "port", "build-context", "named-volume-is-a-name", "restart", "project-name",
         "live-project-name-alone"],
)
def test_real_changes(desired: dict, live: dict, expected: list) -> None:
    assert differences(desired, live) == expected


def test_an_unresolved_variable_matches_what_it_may_stand_for_and_is_noted() -> None:
    desired = {"services": {"web": {"image": "x:${TAG}", "command": "run ${ARGS}", "ports": ["${PORT}:80"]}}}
    live = {"services": {"web": {"image": "x:1.2", "command": ["run", "--a", "--b"], "ports": ["9000:80"]}}}
    assert differences(desired, live) == [
        ("Noted", "changed", "/services/web/image", "/services/web/image", "x:${TAG}", "x:1.2", unset("TAG")),
        ("Noted", "changed", "/services/web/command", "/services/web/command", ["run", "${ARGS}"],
         ["run", "--a", "--b"], unset("ARGS")),
        ("Noted", "changed", "/services/web/ports/:${PORT}:80~1tcp/published",
         "/services/web/ports/:9000:80~1tcp/published", "${PORT}", "9000", unset("PORT")),
    ]


def test_an_unresolved_variable_does_not_match_anything() -> None:
    desired = {"services": {"web": {"image": "x:${TAG}", "command": "run ${ARGS}"}}}
    live = {"services": {"web": {"image": "y:1", "command": ["stop"]}}}
    assert differences(desired, live) == [
        ("Difference", "changed", "/services/web/image", "/services/web/image", "x:${TAG}", "y:1", ""),
        ("Difference", "changed", "/services/web/command", "/services/web/command", ["run", "${ARGS}"], ["stop"], ""),
    ]


@pytest.mark.parametrize(
    ("desired", "live", "expected"),
    [
        ("${A}", "${A}", []),
        ("${A}", "${B}", [("Difference", "changed", "/services/web/image", "/services/web/image", "${A}", "${B}", "")]),
        ("1.0", "${A}", [("Noted", "changed", "/services/web/image", "/services/web/image", "1.0", "${A}", unset("A"))]),
    ],
    ids=["same-reference", "other-reference", "live-unresolved"],
)
def test_unresolved_on_either_side(desired: str, live: str, expected: list) -> None:
    assert differences({"services": {"web": {"image": desired}}}, {"services": {"web": {"image": live}}}) == expected


def test_a_variable_from_the_dotenv_is_compared_interpolated(tmp_path: Path) -> None:
    for name, env in (("desired", "TAG=1.2\n"), ("live", "")):
        (tmp_path / name).mkdir()
        (tmp_path / name / ".env").write_text(env, encoding="utf-8")
        (tmp_path / name / "compose.yaml").write_text("services:\n  web:\n    image: x:${TAG}\n", encoding="utf-8")
    (tmp_path / "live" / "compose.yaml").write_text("services:\n  web:\n    image: x:1.3\n", encoding="utf-8")

    def load(name: str) -> Document:
        d = load_path(tmp_path / name / "compose.yaml", file=f"{name}/compose.yaml", name="compose.yaml").documents[0]
        d.source.root = tmp_path / name
        return d

    with known_scope():
        found, cd, cl = compose_differences(load("desired"), load("live"))
    assert [(d.kind, d.desired_path, d.desired, d.live) for d in found] == [
        ("changed", "/services/web/image", "x:1.2", "x:1.3")]
    assert (cd.data, cl.data) == ({"services": {"web": {"image": "x:1.2"}}}, {"services": {"web": {"image": "x:1.3"}}})


def write(root: Path, name: str, text: str) -> Document:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    d = load_path(path, file=name, name=path.name).documents[0]
    d.source.root = path.parent
    return d


def test_an_unreadable_env_file_leaves_its_environment_open(tmp_path: Path) -> None:
    desired = write(tmp_path, "desired/compose.yaml", """
        services:
          web:
            env_file: missing.env
            environment: {A: "1"}
        """)
    live = write(tmp_path, "live/compose.yaml", """
        services:
          web:
            environment: {A: "1", FROM_FILE: "x"}
        """)
    with known_scope():
        found, _, _ = compose_differences(desired, live)
        back, _, _ = compose_differences(live, desired)
    reason = "not compared: an env_file of the {} file could not be read (missing, or outside its root)"
    assert [(type(d).__name__, d.kind, d.desired_path, d.desired, d.live, d.reason) for d in found] == [
        ("Noted", "extra", "/services/web/environment/FROM_FILE", None, "x", reason.format("desired"))]
    assert [(type(d).__name__, d.kind, d.desired_path, d.desired, d.live, d.reason) for d in back] == [
        ("Noted", "missing", "/services/web/environment/FROM_FILE", "x", None, reason.format("live"))]


def test_the_other_sides_project_name_names_resources() -> None:
    desired = {"services": {}, "volumes": {"data": {}}}
    live = {"name": "shop", "services": {}, "volumes": {"data": {"name": "shop_data"}}}
    assert differences(desired, live) == []


# ------------------------------------------------------------------ the rules and walker on their own


def test_compose_rules_equal_decides_paths_and_argv_only() -> None:
    cd = canonical({"services": {"web": {"build": "./web", "command": "run ${X}", "image": "a"}}})
    cl = canonical({"services": {"web": {"build": {"context": "/srv/p/web"}, "command": ["run", "1"], "image": "b"}}})
    notes: list[Difference] = []
    rules = ComposeRules(cd, cl, notes)
    assert rules.equal(("services", "web", "build", "context"), "./web", "/srv/p/web") is True
    assert rules.equal(("services", "web", "build", "context"), "./web", "/srv/q/api") is False
    assert rules.equal(("services", "web", "volumes", "/d", "source"), "data", "/srv/p/data") is None
    assert rules.equal(("services", "web", "command"), ["run", "${X}"], ["run", "1"]) is True
    assert rules.equal(("services", "web", "command"), ["run", "${X}"], ["walk", "1"]) is False
    assert rules.equal(("services", "web", "image"), "a", "b") is None
    assert [(n.kind, n.desired_path, n.reason) for n in notes] == [
        ("changed", "/services/web/command", unset("X"))]


def test_compose_rules_pair_an_unresolved_key_with_the_live_key_it_stands_for() -> None:
    cd = canonical({"services": {"web": {"ports": ["${P}:80", "81:81"]}}})
    cl = canonical({"services": {"web": {"ports": ["81:81", "9000:80"]}}})
    rules = ComposeRules(cd, cl, [])
    shape = ("services", "web", "ports")
    assert rules.key_fold(shape, ":${P}:80/tcp", None) == ":9000:80/tcp"
    assert rules.key_fold(shape, ":81:81/tcp", None) == ":81:81/tcp"


def test_compose_walker_runs_on_canonical_forms() -> None:
    cd = canonical({"services": {"web": {"image": "x:${T}"}}})
    cl = canonical({"services": {"web": {"image": "x:9"}}})
    notes: list[Difference] = []
    found = ComposeWalker(ComposeRules(cd, cl, notes)).run(cd.data, cl.data)
    assert found == []
    assert notes == [Noted("changed", "/services/web/image", "/services/web/image", "x:${T}", "x:9", reason=unset("T"))]


SERVICES = st.dictionaries(
    st.from_regex(r"[a-z]{1,5}", fullmatch=True),
    st.fixed_dictionaries({"image": st.from_regex(r"[a-z]{1,5}:[0-9]", fullmatch=True),
                           "ports": st.lists(st.from_regex(r"[1-9][0-9]{0,3}:[1-9][0-9]{0,3}", fullmatch=True),
                                             max_size=2, unique=True),
                           "environment": st.lists(st.from_regex(r"[A-Z]{1,4}=[a-z0-9]{0,4}", fullmatch=True),
                                                   max_size=3, unique_by=lambda e: e.split("=")[0])}),
    max_size=3)


@settings(max_examples=60, deadline=None, database=None)
@given(SERVICES)
def test_a_file_against_itself_has_no_differences(services: dict) -> None:
    data = {"services": services}
    assert differences(data, data) == []
