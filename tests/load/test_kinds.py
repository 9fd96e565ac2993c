"""load/kinds.py: what a document is, by content first and then by file name."""
from __future__ import annotations

from typing import Any

import pytest

from trueup.load.kinds import COMPOSE, CONFIG, KUBERNETES, detect_kind, is_compose_name


@pytest.mark.parametrize("name, expected", [
    ("compose.yaml", True),
    ("compose.yml", True),
    ("docker-compose.yml", True),
    ("docker-compose.yaml", True),
    ("docker-compose.prod.yml", True),
    ("compose.override.yaml", True),
    ("compose-dev.yaml", True),
    ("deploy/dev/compose.yaml", True),
    ("compose.json", False),
    ("mycompose.yaml", False),
    ("composeX.yaml", False),
    ("docker-compose.YML", False),
    ("compose.yaml.j2", False),
    ("compose/app.yaml", False),
], ids=lambda v: str(v))
def test_compose_names(name: str, expected: bool) -> None:
    assert is_compose_name(name) is expected


@pytest.mark.parametrize("name, data, fmt, expected", [
    ("a.yaml", {"apiVersion": "v1", "kind": "ConfigMap"}, "yaml", KUBERNETES),
    ("a.json", {"apiVersion": "v1", "kind": "ConfigMap"}, "json", KUBERNETES),
    ("compose.yaml", {"apiVersion": "v1", "kind": "Pod", "services": {}}, "yaml", KUBERNETES),
    ("a.yaml", {"apiVersion": 1, "kind": "X", "services": {}}, "yaml", COMPOSE),
    ("a.yaml", {"apiVersion": "v1", "kind": None}, "yaml", CONFIG),
    ("a.yaml", {"services": {"web": {}}}, "yaml", COMPOSE),
    ("a.yaml", {"services": []}, "yaml", CONFIG),
    ("a.json", {"services": {"web": {}}}, "json", CONFIG),
    ("compose.yaml", {"name": "x"}, "yaml", COMPOSE),
    ("compose.yaml", ["a list"], "yaml", COMPOSE),
    ("compose.yaml", "a scalar", "yaml", COMPOSE),
    ("compose.yaml", None, "yaml", CONFIG),
    ("compose.toml", {"services": {}}, "toml", CONFIG),
    ("app.yaml", ["x"], "yaml", CONFIG),
    ("app.yaml", {"kind": "Deployment"}, "yaml", CONFIG),
], ids=["k8s-yaml", "k8s-json", "k8s-wins-over-compose-name", "non-string-apiversion-services",
        "null-kind", "services-mapping", "services-list", "services-in-json", "compose-name-mapping",
        "compose-name-list", "compose-name-scalar", "compose-name-empty", "toml-services", "list-config",
        "kind-only"])
def test_detect_kind(name: str, data: Any, fmt: str, expected: str) -> None:
    assert detect_kind(name, data, fmt) == expected


def test_kind_names_are_the_strings_documents_carry() -> None:
    assert (KUBERNETES, COMPOSE, CONFIG) == ("kubernetes", "compose", "config")
