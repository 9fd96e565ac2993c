"""A compose file's project: its directory, its ``.env`` variables, and ``env_file`` merged into
``environment`` as ``docker compose config`` merges it.

``config`` reads each service's ``env_file`` entries, puts their variables under
``environment`` and drops ``env_file`` (docker/compose ``cmd/compose/config.go`` loads with
``cli.WithDiscardEnvFile``; compose-go ``types/project.go``
``WithServicesEnvironmentResolved``): files in order, a later one winning; ``environment``
winning over every file, even with an empty or null value (compose-spec ``05-services.md``
"env_file"); a bare ``KEY`` in ``environment`` takes the project variable of that name
(compose-go ``loader/normalize.go`` ``resolve``).

Files are read relative to the compose file and only inside the tree's root: a path that
leaves it (``../``, an absolute path, ``~``, a symlink pointing out) is not read, nor is a file
that cannot be read. What such a file would add is unknown: the service's environment is
then *open* and variables only the other side has are noted, not reported. A missing file
with ``required: false`` adds nothing, as in compose; a missing required one (compose would
refuse the project) is unknown too, and is no error here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..mask import add_known_secrets, secret_values
from ..model import Document
from ..load.compose_interpolate import (
    Lookup,
    Refused,
    Tokens,
    dotenv_variables,
    parse_dotenv,
    read_project_file,
)


@dataclass
class Project:
    """Where a compose file's relative paths and files are read from, and its variables."""

    directory: Path | None = None
    root: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    fallback_name: str | None = None  # the other side's project name, when this file names none

    def read(self, name: str) -> str | None:
        """A project file's text; None when missing. Raises Refused (see module doc)."""
        if self.directory is None or self.root is None:
            raise Refused(name)
        return read_project_file(self.directory, self.root, name)


def project_of(doc: Document) -> Project:
    """The project of a compose file read from disk: its directory and root and its ``.env``
    (a value with a reference that does not resolve leaves that variable unset)."""
    path, root = doc.source.path, doc.source.root
    if path is None or root is None:
        return Project()
    project = Project(Path(path).parent, Path(root))
    try:
        text = project.read(".env")
    except Refused:
        return project
    if text:
        project.env = dotenv_variables(text)
        add_known_secrets(secret_values(project.env))  # compose interpolates them into any string
    return project


def project_name(data: Any, env: dict[str, str]) -> str | None:
    """The name compose gives the project (compose-go cli/options.go withNamePrecedenceLoad and
    loader/loader.go projectName): ``COMPOSE_PROJECT_NAME`` (``.env`` included) over the top-level
    ``name`` (interpolated by the caller); normalised as NormalizeProjectName does (lower case,
    only ``[a-z0-9_-]``, no leading ``_``/``-``). None when neither names it (compose then takes
    the directory's name, or ``-p``)."""
    name = env.get("COMPOSE_PROJECT_NAME") or (data.get("name") if isinstance(data, dict) else None)
    if not isinstance(name, str) or not name or "$" in name:
        return None
    return re.sub(r"[^a-z0-9_-]", "", name.lower()).lstrip("_-") or None


def _env_files(value: Any) -> list[dict[str, Any]] | None:
    """env_file as ``[{path, required, format}]`` (compose-go transform/envfile.go); None if malformed."""
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else None
    if items is None:
        return None
    out = []
    for item in items:
        if isinstance(item, str):
            out.append({"path": item, "required": True, "format": None})
        elif isinstance(item, dict) and isinstance(item.get("path"), str):
            out.append({"path": item["path"], "required": item.get("required", True) is not False,
                        "format": item.get("format")})
        else:
            return None
    return out


def merge_environment(service: dict[str, Any], project: Project, lookup: Lookup, tokens: Tokens) -> bool:
    """Resolve bare keys of ``service["environment"]`` (already a map) and merge its ``env_file``
    into it, in place, dropping ``env_file``. Returns False when some env file could not be read
    (the environment is open), True otherwise. A malformed ``env_file`` is left as written."""
    env = service.get("environment")
    if env is not None and not isinstance(env, dict):
        return True
    env = {k: (lookup(k) if v is None else v) for k, v in (env or {}).items()}
    files = _env_files(service.get("env_file")) if "env_file" in service else []
    if files is None:
        return True
    known = True
    merged: dict[str, Any] = {}
    for entry in files:
        try:
            text = project.read(entry["path"])
        except Refused:
            known = False
            continue
        if text is None:
            known = known and not entry["required"]
            continue

        def find(name: str) -> str | None:
            # compose-go: the project's variables first, then the service's own environment
            value = lookup(name)
            return value if value is not None else env.get(name) if isinstance(env.get(name), str) else None

        merged.update(parse_dotenv(text, find, tokens, raw=entry["format"] == "raw"))
    merged.update(env)
    service.pop("env_file", None)
    if merged:
        service["environment"] = merged
    else:
        service.pop("environment", None)
    return known


def compose_inputs(sides: Any) -> set[str]:
    """Paths (relative to their tree's root) of the files the compose files of ``sides`` read:
    each project's ``.env`` and the ``env_file`` entries written as plain paths. Their content
    is compared where it lands (interpolated values, ``environment``): a live tree, which holds
    what ``config`` made of them, need not hold the files themselves."""
    import os.path

    found: set[str] = set()
    for side in sides:
        for doc in side.documents:
            path, root = doc.source.path, doc.source.root
            if doc.kind != "compose" or path is None or root is None or not isinstance(doc.data, dict):
                continue
            names = [".env"]
            services = doc.data.get("services")
            for svc in services.values() if isinstance(services, dict) else ():
                entries = _env_files(svc.get("env_file")) if isinstance(svc, dict) and "env_file" in svc else None
                names += [e["path"] for e in entries or () if "$" not in e["path"]]
            for name in names:
                rel = os.path.relpath(os.path.normpath(Path(path).parent / name), Path(root))
                if not rel.startswith(".."):
                    found.add(Path(rel).as_posix())
    return found
