"""What is installed: distributions' versions and plugins' entry points (``trueup.packs``,
``trueup.crossfile``), read from the ``.dist-info`` directories on ``sys.path``.

``importlib.metadata`` is the full answer, but importing it and scanning every installed
distribution costs a one-file pre-commit run more than checking the file. A distribution's
directory is named ``<name>-<version>.dist-info`` (or ``.egg-info``) and declares its entry
points in ``entry_points.txt``: a glance at those answers both questions. Where a path entry
is not a directory (a zip import, whose distributions are not listed here) or a name is not
found that way, importlib.metadata answers.
"""
from __future__ import annotations

import os
import re
import sys
from typing import Any, Iterator

_SUFFIXES = (".dist-info", ".egg-info")


def _normal(name: str) -> str:
    """A distribution name as packaging normalizes it (PEP 503), with ``_`` for its separators."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _metadata_dirs() -> Iterator[tuple[str, str] | None]:
    """(folder, directory name) of each distribution's metadata on sys.path, in path order; None
    for a path entry that is not a directory (its distributions are not listed here)."""
    for entry in sys.path:
        folder = entry or "."
        try:
            names = os.listdir(folder)
        except NotADirectoryError:
            yield None
            continue
        except OSError:
            continue
        for name in names:
            if name.endswith(_SUFFIXES):
                yield folder, name


def version(name: str) -> str | None:
    """The installed version of distribution ``name``, or None when it is not installed."""
    wanted = _normal(name)
    for found in _metadata_dirs():
        if found is None:
            break
        stem = found[1].rsplit(".", 1)[0]
        dist, _, ver = stem.partition("-")
        if _normal(dist) == wanted and ver:
            return ver
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def declared(group: str) -> bool:
    """Whether an installed distribution may declare an entry point in ``group``."""
    header = re.compile(r"^\s*\[\s*" + re.escape(group) + r"\s*\]\s*$", re.MULTILINE)
    for found in _metadata_dirs():
        if found is None:
            return True  # a zip on the path: let importlib.metadata look inside
        try:
            with open(os.path.join(*found, "entry_points.txt"), encoding="utf-8", errors="replace") as handle:
                if header.search(handle.read()):
                    return True
        except OSError:
            continue
    return False


def entry_points(group: str) -> list[Any]:
    """The entry points in ``group`` of every installed distribution, as importlib.metadata lists them."""
    if not declared(group):
        return []
    from importlib import metadata

    return list(metadata.entry_points(group=group))
