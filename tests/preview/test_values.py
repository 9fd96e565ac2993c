"""``change.values`` (trueup.preview.values): values keys a change alters, where they are set, what they reach."""
from __future__ import annotations

import base64
from typing import Any

import pytest

from trueup.desired import Values, deep_merge
from trueup.load import load_text
from trueup.mask import MASK
from trueup.model import Document, Severity
from trueup.preview.changes import Rendered
from trueup.preview.values import reaches, secret_texts, values_reach


@pytest.mark.parametrize("reads, key, expected", [
    (frozenset({"/app/level"}), "/app/level", True),
    (frozenset({"/app"}), "/app/level", True),                    # a whole mapping holding it
    (frozenset({"/app/level"}), "/app", True),                    # a part of it
    (frozenset({"/app", "/app/port"}), "/app/level", False),      # /app was only the way to /app/port
    (frozenset({"/app", "/app/port"}), "/app/port", True),
    (frozenset({"/application"}), "/app", False),                 # a prefix of the name is not a parent
    (frozenset({"/app"}), "/application", False),
    (frozenset(), "/app", False),
    (frozenset({"/a~1b/c"}), "/a~1b", True),
    (frozenset({"/list/0"}), "/list/1", False),
], ids=["same", "whole-mapping", "part", "only-a-way", "leaf", "name-prefix", "longer-name", "nothing-read",
        "escaped-key", "other-item"])
def test_reaches(reads: frozenset[str], key: str, expected: bool) -> None:
    assert reaches(reads, key) is expected


def _layer(text: str, file: str) -> Document:
    return load_text(text, file=file, name=file, fmt="yaml").documents[0]


def _values(*layers: Document) -> Values:
    data: dict[str, Any] = {}
    for layer in layers:
        data = deep_merge(data, layer.data)
    return Values(data, [], list(layers))


SECRET = "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata:\n  url: %s\n"


def _state(values: Values | None, conn: str) -> Rendered:
    secret = load_text(SECRET % base64.b64encode(conn.encode()).decode(), file="templates/k8s/secret.yaml.j2",
                       name="k8s/secret.yaml", fmt="yaml").documents
    config = load_text("level: x\n", file="templates/config/app.yaml.j2", name="config/app.yaml", fmt="yaml").documents
    return Rendered(outputs=[("k8s/secret.yaml", secret), ("config/app.yaml", config)], values=values,
                    reads={"templates/k8s/secret.yaml.j2": frozenset({"/db", "/db/conn"}),
                           "templates/config/app.yaml.j2": frozenset({"/app"})})


def test_secret_texts_hold_masked_values_and_their_decoding() -> None:
    state = _state(None, "pg://New-Conn")
    encoded = base64.b64encode(b"pg://New-Conn").decode()
    assert secret_texts(state) == {"templates/k8s/secret.yaml.j2": [encoded.lower(), "pg://new-conn"],
                                   "templates/config/app.yaml.j2": []}


def test_values_reach() -> None:
    before = _state(_values(_layer("app:\n  level: info\n  port: 80\ndb:\n  conn: pg://old\nunused: 1\n",
                                   "values/common.yaml"),
                            _layer("app:\n  level: warn\n", "values/prod.yaml")), "pg://old")
    after = _state(_values(_layer("app:\n  level: info\n  port: 81\ndb:\n  conn: pg://new-conn\nadded: [1]\n",
                                  "values/common.yaml"),
                           _layer("app:\n  level: debug\n", "values/prod.yaml")), "pg://new-conn")
    found = [(f.rule, f.severity, f.message, f.target, f.path, f.file, f.line, f.column, f.desired, f.live,
              f.environment) for f in values_reach(before, after, "prod")]
    assert found == [
        ("change.values", Severity.INFO, "values /app/level changes: reaches templates/config/app.yaml.j2",
         "values/prod.yaml", "/app/level", "values/prod.yaml", 2, 3, "debug", "warn", "prod"),  # the winning layer
        ("change.values", Severity.INFO, "values /app/port changes: reaches templates/config/app.yaml.j2",
         "values/common.yaml", "/app/port", "values/common.yaml", 3, 3, 81, 80, "prod"),
        # Feeds a Secret: masked though "conn" is no secret's name.
        ("change.values", Severity.INFO, "values /db/conn changes: reaches templates/k8s/secret.yaml.j2",
         "values/common.yaml", "/db/conn", "values/common.yaml", 5, 3, MASK, MASK, "prod"),
        ("change.values", Severity.INFO, "values /added is added: reaches no rendered file",
         "values/common.yaml", "/added", "values/common.yaml", 6, 1, [1], None, "prod"),
        ("change.values", Severity.INFO, "values /unused is removed: reaches no rendered file",
         "values/common.yaml", "/unused", "values/common.yaml", 6, 1, None, 1, "prod"),
    ]


def test_values_masked_by_their_name_and_inside_mappings() -> None:
    before = _state(_values(_layer("app:\n  password: old-pw\n  port: 80\n", "v.yaml")), "x")
    after = _state(_values(_layer("app:\n  password: new-pw\n  port: 81\nextra:\n  token: t0k\n  n: 1\n", "v.yaml")),
                   "x")
    found = {f.path: (f.desired, f.live) for f in values_reach(before, after, "dev")}
    assert found == {"/app/password": (MASK, MASK), "/app/port": (81, 80), "/extra": ({"token": MASK, "n": 1}, None)}


def test_no_values_on_either_side() -> None:
    assert list(values_reach(_state(None, "x"), _state(None, "y"), "dev")) == []


def test_a_key_set_by_no_file_is_named_values() -> None:
    # A revision without values files (None) against one with them: every key is added, from its file.
    after = _state(_values(_layer("a: 1\n", "values/new.yaml")), "x")
    (finding,) = values_reach(_state(None, "x"), after, "dev")
    assert (finding.message, finding.target, finding.file, finding.desired) == (
        "values /a is added: reaches no rendered file", "values/new.yaml", "values/new.yaml", 1)
    orphan = Rendered(values=Values({"b": 2}, [], []))  # merged data with no layer behind it
    (lonely,) = values_reach(Rendered(values=Values({}, [], [])), orphan, "dev")
    assert (lonely.target, lonely.file, lonely.line) == ("values", None, None)
