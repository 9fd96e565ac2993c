"""drift.compose_env: a compose file's project (.env, name), env_file merged into environment, its input files."""
from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.drift.compose_env import Project, compose_inputs, merge_environment, project_name, project_of
from trueup.drift.pair import Side
from trueup.load import load_path
from trueup.load.compose_interpolate import Refused, Tokens
from trueup.mask import MASK, known_scope, redact_known
from trueup.model import Document


@pytest.fixture(autouse=True)
def _forget_secrets() -> Iterator[None]:
    """project_of registers a .env's secret values; each test forgets them again."""
    with known_scope():
        yield


def put(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def compose_doc(path: Path, root: Path | None) -> Document:
    """The compose document of ``path`` as a target reads it (its source knows its path and root)."""
    doc = load_path(path, file=path.name, name=path.name).documents[0]
    doc.source.root = root
    return doc


# ------------------------------------------------------------------ project_name


@pytest.mark.parametrize(
    ("data", "env", "expected"),
    [
        ({"name": "shop"}, {}, "shop"),
        ({"name": "My App!"}, {}, "myapp"),
        ({"name": "__-a_b-1"}, {}, "a_b-1"),
        ({"name": "Shop.Prod"}, {}, "shopprod"),
        ({"name": "x"}, {"COMPOSE_PROJECT_NAME": "Over"}, "over"),
        ({}, {"COMPOSE_PROJECT_NAME": "env-only"}, "env-only"),
        ({"name": "x"}, {"COMPOSE_PROJECT_NAME": ""}, "x"),
        ({"name": "${NAME}"}, {}, None),
        ({"name": "!!"}, {}, None),
        ({"name": "__"}, {}, None),
        ({"name": ""}, {}, None),
        ({"name": 5}, {}, None),
        ({"name": None}, {}, None),
        ({}, {}, None),
        ("not a map", {}, None),
        (None, {"COMPOSE_PROJECT_NAME": "p"}, "p"),
    ],
    ids=["plain", "lowered-and-stripped", "leading-underscore-dash", "dot-dropped", "env-var-wins",
         "env-var-alone", "empty-env-var-ignored", "unresolved-reference", "nothing-left", "only-underscores",
         "empty-name", "int-name", "null-name", "no-name", "non-map", "non-map-with-env"],
)
def test_project_name(data: Any, env: dict, expected: str | None) -> None:
    assert project_name(data, env) == expected


# ------------------------------------------------------------------ Project.read and project_of


def test_a_project_without_directory_refuses_every_read() -> None:
    with pytest.raises(Refused):
        Project().read(".env")
    with pytest.raises(Refused):
        Project(directory=Path("/tmp")).read(".env")


def test_project_read_inside_outside_and_missing(tmp_path: Path) -> None:
    put(tmp_path, "app/a.env", "A=1\n")
    put(tmp_path, "outside.env", "B=1\n")
    project = Project(tmp_path / "app", tmp_path / "app")
    assert project.read("a.env") == "A=1\n"
    assert project.read("missing.env") is None
    with pytest.raises(Refused):
        project.read("../outside.env")
    with pytest.raises(Refused):
        project.read("~/a.env")


def test_project_of_reads_the_dotenv_beside_the_file(tmp_path: Path) -> None:
    compose = put(tmp_path, "compose.yaml", "services:\n  web:\n    image: x\n")
    put(tmp_path, ".env", """
        A=1
        B=${A}x
        C=${UNSET}
        # comment
        COMPOSE_PROJECT_NAME=Proj
        """)
    project = project_of(compose_doc(compose, tmp_path))
    assert (project.directory, project.root, project.env, project.fallback_name) == (
        tmp_path, tmp_path, {"A": "1", "B": "1x", "COMPOSE_PROJECT_NAME": "Proj"}, None)


def test_project_of_without_dotenv_has_no_variables(tmp_path: Path) -> None:
    compose = put(tmp_path, "compose.yaml", "services: {}\n")
    project = project_of(compose_doc(compose, tmp_path))
    assert (project.directory, project.root, project.env) == (tmp_path, tmp_path, {})


def test_project_of_a_document_not_read_from_disk_is_empty(tmp_path: Path) -> None:
    compose = put(tmp_path, "compose.yaml", "services: {}\n")
    project = project_of(compose_doc(compose, None))
    assert (project.directory, project.root, project.env) == (None, None, {})


def test_project_of_a_dotenv_symlinked_out_of_the_root_is_not_read(tmp_path: Path) -> None:
    put(tmp_path, "secret.env", "A=1\n")
    compose = put(tmp_path, "app/compose.yaml", "services: {}\n")
    os.symlink(tmp_path / "secret.env", tmp_path / "app" / ".env")
    project = project_of(compose_doc(compose, tmp_path / "app"))
    assert (project.directory, project.env) == (tmp_path / "app", {})


def test_project_of_registers_the_dotenv_secrets_for_masking(tmp_path: Path) -> None:
    compose = put(tmp_path, "compose.yaml", "services: {}\n")
    put(tmp_path, ".env", "DB_PASSWORD=hunter2-very-long-secret\nPLAIN=visible-value-here\n")
    project_of(compose_doc(compose, tmp_path))
    assert redact_known("url=hunter2-very-long-secret;x=visible-value-here") == f"url={MASK};x=visible-value-here"


# ------------------------------------------------------------------ merge_environment


@pytest.fixture
def project(tmp_path: Path) -> Project:
    put(tmp_path, "a.env", """
        X=fromfile
        Y=1
        Z=${V}
        W=$Y-w
        S=${SVC}
        """)
    put(tmp_path, "b.env", "Y=2\nQ=raw $Y\n")
    put(tmp_path, "outside/c.env", "O=1\n")
    return Project(tmp_path, tmp_path, {"V": "vee", "P": "pv"})


Merge = Callable[[dict], tuple[bool, dict]]


@pytest.fixture
def merge(project: Project) -> Merge:
    def run(service: dict) -> tuple[bool, dict]:
        tokens = Tokens()
        known = merge_environment(service, project, project.env.get, tokens)
        # An unresolved reference is a token until canonical() decodes it: decoded here likewise.
        env = service.get("environment")
        if isinstance(env, dict):
            service["environment"] = {k: tokens.decode(v)[0] if isinstance(v, str) else v for k, v in env.items()}
        return known, service
    return run


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ({"env_file": "a.env"}, {"environment": {"X": "fromfile", "Y": "1", "Z": "vee", "W": "1-w", "S": "${SVC}"}}),
        ({"env_file": ["a.env", "b.env"], "environment": {"Y": "env", "P": None, "E": "", "SVC": "svc"}},
         {"environment": {"X": "fromfile", "Y": "env", "Z": "vee", "W": "1-w", "S": "svc", "Q": "raw 2",
                          "P": "pv", "E": "", "SVC": "svc"}}),
        ({"env_file": ["b.env", "a.env"]},
         {"environment": {"Y": "1", "Q": "raw 2", "X": "fromfile", "Z": "vee", "W": "1-w", "S": "${SVC}"}}),
        ({"env_file": [{"path": "b.env", "format": "raw"}]}, {"environment": {"Y": "2", "Q": "raw $Y"}}),
        ({"env_file": [{"path": "missing.env", "required": False}]}, {}),
        ({"env_file": [{"path": "missing.env", "required": False}], "environment": {"A": "1"}},
         {"environment": {"A": "1"}}),
        ({"env_file": []}, {}),
        ({"environment": {"P": None, "U": None}}, {"environment": {"P": "pv", "U": None}}),
        ({}, {}),
        ({"image": "x"}, {"image": "x"}),
    ],
    ids=["one-file", "environment-wins-even-empty", "later-file-wins", "raw-format", "optional-missing",
         "optional-missing-keeps-environment", "no-files", "bare-keys-resolved", "empty-service", "no-environment"],
)
def test_merge_known(merge: Merge, service: dict, expected: dict) -> None:
    assert merge(service) == (True, expected)


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ({"env_file": ["missing.env"]}, {}),
        ({"env_file": ["missing.env", "b.env"]}, {"environment": {"Y": "2", "Q": "raw 2"}}),
        ({"env_file": ["../elsewhere.env"], "environment": {"A": "1"}}, {"environment": {"A": "1"}}),
        ({"env_file": ["~/x.env"]}, {}),
        ({"env_file": ["/etc/hostname"]}, {}),
    ],
    ids=["required-missing", "required-missing-then-readable", "leaves-root", "home", "absolute-outside"],
)
def test_merge_open_when_a_file_cannot_be_read(merge: Merge, service: dict, expected: dict) -> None:
    assert merge(service) == (False, expected)


def test_merge_an_env_file_symlinked_out_of_the_root_is_open(tmp_path: Path, project: Project, merge: Merge) -> None:
    os.symlink("/etc/hostname", tmp_path / "link.env")
    assert merge({"env_file": "link.env"}) == (False, {})


@pytest.mark.parametrize(
    "service",
    [
        {"env_file": 5, "environment": {"A": "1"}},
        {"env_file": [5], "environment": {"A": "1"}},
        {"env_file": [{"required": True}]},
        {"environment": ["A=1"], "env_file": "a.env"},
        {"environment": "A=1"},
    ],
    ids=["env-file-int", "env-file-item-int", "env-file-item-without-path", "environment-list", "environment-string"],
)
def test_merge_leaves_malformed_input_as_written(merge: Merge, service: dict) -> None:
    before = dict(service)
    assert merge(service) == (True, before)


def test_merge_without_a_project_directory_is_open() -> None:
    service = {"env_file": "a.env", "environment": {"K": "v"}}
    assert merge_environment(service, Project(), lambda _: None, Tokens()) is False
    assert service == {"environment": {"K": "v"}}


# ------------------------------------------------------------------ compose_inputs


def test_compose_inputs_lists_dotenv_and_plain_env_files(tmp_path: Path) -> None:
    compose = put(tmp_path, "app/compose.yaml", """
        services:
          web:
            image: x
            env_file: [a.env, {path: conf/b.env, required: false}, ../shared.env, ../../outside.env, "${X}.env"]
          db:
            image: y
            env_file: db.env
          odd:
            env_file: 5
          str: not-a-service
        """)
    doc = compose_doc(compose, tmp_path)
    assert compose_inputs([Side("app/compose.yaml", [doc])]) == {
        "app/.env", "app/a.env", "app/conf/b.env", "shared.env", "app/db.env"}


@pytest.mark.parametrize(
    "text", ["services: [web]\n", "services: null\n", "name: x\n"], ids=["services-list", "services-null", "no-services"])
def test_compose_inputs_of_a_file_without_services_is_its_dotenv(tmp_path: Path, text: str) -> None:
    compose = put(tmp_path, "compose.yaml", text)
    assert compose_inputs([Side("compose.yaml", [compose_doc(compose, tmp_path)])]) == {".env"}


def test_compose_inputs_skips_other_documents_and_unrooted_files(tmp_path: Path) -> None:
    config = put(tmp_path, "app.yaml", "env_file: a.env\n")
    compose = put(tmp_path, "compose.yaml", "services: {web: {env_file: a.env}}\n")
    sides = [Side("app.yaml", [compose_doc(config, tmp_path)]), Side("compose.yaml", [compose_doc(compose, None)])]
    assert [doc.kind for side in sides for doc in side.documents] == ["config", "compose"]
    assert compose_inputs(sides) == set()
    assert compose_inputs([]) == set()


@settings(max_examples=150, deadline=None, database=None)
@given(st.text(max_size=12))
def test_a_project_name_is_normalised_once_and_for_all(raw: str) -> None:
    name = project_name({"name": raw}, {})
    # compose-go NormalizeProjectName: lower case, only [a-z0-9_-], no leading _ or -; a reference is unknown
    expected = None if "$" in raw else re.sub(r"[^a-z0-9_-]", "", raw.lower()).lstrip("_-") or None
    assert name == expected
    if name is not None:
        assert project_name({"name": name}, {}) == name
        assert project_name({"name": "other"}, {"COMPOSE_PROJECT_NAME": raw}) == name


@settings(max_examples=100, deadline=None, database=None)
@given(st.dictionaries(st.from_regex(r"[A-Z]{1,3}", fullmatch=True), st.from_regex(r"[a-z0-9]{0,3}", fullmatch=True),
                       max_size=4),
       st.dictionaries(st.from_regex(r"[A-Z]{1,3}", fullmatch=True), st.from_regex(r"[a-z0-9]{0,3}", fullmatch=True),
                       max_size=4))
def test_environment_wins_over_every_env_file(tmp_path_factory: pytest.TempPathFactory, from_file: dict,
                                              environment: dict) -> None:
    root = tmp_path_factory.mktemp("env")
    (root / "a.env").write_text("".join(f"{k}={v}\n" for k, v in from_file.items()), encoding="utf-8")
    service = {"env_file": "a.env", "environment": dict(environment)}
    assert merge_environment(service, Project(root, root), lambda _: None, Tokens()) is True
    assert service == ({"environment": {**from_file, **environment}} if from_file or environment else {})
