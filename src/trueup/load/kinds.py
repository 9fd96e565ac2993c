"""What a document is, known without a config: by content first, then by file name."""
from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

KUBERNETES = "kubernetes"
COMPOSE = "compose"
CONFIG = "config"

_COMPOSE_NAME = re.compile(r"^(docker-)?compose([.-][^/]*)?\.ya?ml$")


def is_compose_name(name: str) -> bool:
    """``compose.yaml``, ``docker-compose.yml``, ``docker-compose.prod.yml``, ``compose.override.yaml``."""
    return bool(_COMPOSE_NAME.match(PurePosixPath(name).name))


def detect_kind(name: str, data: Any, fmt: str) -> str:
    if isinstance(data, dict):
        if isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str):
            return KUBERNETES
        if fmt == "yaml" and (isinstance(data.get("services"), dict) or is_compose_name(name)):
            return COMPOSE
    elif fmt == "yaml" and is_compose_name(name) and data is not None:
        return COMPOSE
    return CONFIG
