"""What a walk of a repository reads and what it leaves alone.

``trueup validate DIR`` is pointed at real repositories, which hold much that is not data:
Helm charts (Go templates under a chart's ``templates/``), dependency and tool trees
(``node_modules/``, virtual environments, ``.git/``), and whatever the repository's own
``.gitignore`` keeps out of git. A walk skips them the way the tools that own them do:

- inside a git repository, git's own ignore rules decide (``git ls-files --others --ignored
  --exclude-standard --directory``, through GitPython): an ignored file or directory is not
  read; tracked files are never ignored, as in git;
- directories no repository means to check: version-control and tool caches, dependency trees
  (``SKIPPED_DIRS``) and Python virtual environments (a directory holding ``pyvenv.cfg``);
- ``--exclude GLOB`` and trueup.yaml's ``exclude:``: a glob without ``/`` matches a file or
  directory by name anywhere, one with ``/`` the path from the walked directory or as shown;
- a Helm chart's ``templates/`` (the directory beside ``Chart.yaml``): Go templates, counted and
  named per chart, never parsed. The chart's ``values.yaml`` is checked against its
  ``values.schema.json``, as ``helm install`` and ``helm lint`` do.

Files named on the command line are always read, except a chart's template files, which are
templates wherever they are named from; with ``--skip-excluded`` (what the pre-commit hook runs:
pre-commit names every tracked file, not files a person picked) named files a walk would leave
out are left out too.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator, Sequence

from .globs import match
from .tree import LOOP, SKIPPED_NAMES, SKIPPED_SUFFIXES, SymlinkLoop, confined, real_path, special_kind

# Trees that hold other people's files or tool state, never a repository's own configuration.
# Dot-directories other than these are read: .github/, .vscode/ and .devcontainer/ hold
# workflows and editor settings that have schemas.
SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".bzr", ".jj",            # version control
    ".trueup",                                       # trueup's own audit log and state
    "node_modules", "bower_components", "jspm_packages",  # JavaScript dependencies
    "vendor",                                        # Go, PHP (composer), Ruby (bundler) vendored code
    "__pycache__", ".venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".terraform", ".terragrunt-cache", ".serverless", ".idea", ".gradle",
})
CHART_FILE = "Chart.yaml"
CHART_VALUES = "values.yaml"
CHART_SCHEMA = "values.schema.json"


@dataclass
class Chart:
    """A Helm chart met on the way: its directory (as shown) and the template files left alone."""

    directory: str
    templates: list[str] = field(default_factory=list)


@dataclass
class Walked:
    """What a walk found: files to read (path, name as shown, the chart values schema that applies),
    the charts whose templates were skipped, and the special files (FIFOs, devices, symlink loops) it
    did not read."""

    files: list[tuple[Path, str, Path | None]] = field(default_factory=list)
    charts: dict[str, Chart] = field(default_factory=dict)
    special: list[tuple[str, str]] = field(default_factory=list)  # (shown, what) of FIFOs, devices, loops


def excluded_by(patterns: Sequence[str], name: str, *relative: str) -> bool:
    """Whether a glob excludes a path: by name when it has no ``/``, else by a relative path."""
    for pattern in patterns:
        if "/" not in pattern.strip("/"):
            if match(pattern.strip("/"), name):
                return True
        elif any(match(pattern, rel) for rel in relative if rel):
            return True
    return False


def left_out(name: str, excludes: Sequence[str] = ()) -> bool:
    """Whether a walk would leave out the file ``name`` (a relative path): a directory on its way is
    a dependency or tool tree, or an exclusion names it or one of its directories. For files named
    by a hook (``--skip-excluded``), which a person did not pick one by one."""
    parts = PurePosixPath(name).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    if any(part in SKIPPED_DIRS for part in parts[:-1]):
        return True
    return any(excluded_by(excludes, part, prefix) for part, prefix in zip(parts, prefixes))


def chart_of_template(path: Path) -> Path | None:
    """The chart directory when ``path`` lies under a chart's ``templates/``, else None."""
    for parent in path.absolute().parents:
        if parent.name == "templates" and (parent.parent / CHART_FILE).is_file():
            return parent.parent
    return None


def chart_values_schema(path: Path) -> Path | None:
    """A chart's ``values.schema.json`` when ``path`` is that chart's ``values.yaml``."""
    if path.name != CHART_VALUES:
        return None
    parent = path.absolute().parent
    schema = parent / CHART_SCHEMA
    if (parent / CHART_FILE).is_file() and schema.is_file():
        return schema
    return None


def _git_ignored(directory: Path) -> set[str] | None:
    """Paths under ``directory`` (relative to it, directories ending in ``/``) that git ignores;
    None outside a git work tree or where git cannot be asked."""
    start = directory.absolute()
    if not any((folder / ".git").exists() for folder in (start, *start.parents)):
        return None
    try:
        from git import Git
        from git.exc import GitError

        out = Git(str(start)).ls_files("-z", "--others", "--ignored", "--exclude-standard", "--directory")
    except (ImportError, GitError, OSError):
        return None
    return {entry for entry in out.split("\0") if entry}


def repository_top(paths: Sequence[Path]) -> Path | None:
    """The top of the git work tree that holds every one of ``paths``; None outside one, where
    they lie in several, or where git cannot be asked."""
    starts = [p.absolute() if p.is_dir() else p.absolute().parent for p in paths]
    if not starts or not any((folder / ".git").exists() for folder in (starts[0], *starts[0].parents)):
        return None
    try:
        from git import Git
        from git.exc import GitError

        top = real_path(Git(str(starts[0])).rev_parse("--show-toplevel"))
    except (ImportError, GitError, OSError, ValueError):
        return None
    if not all(real_path(s) == top or top in real_path(s).parents for s in starts):
        return None
    return top


def walk(directory: Path, shown: str, wanted: Callable[[str], bool], excludes: Sequence[str] = (),
         walked: Walked | None = None) -> Walked:
    """Files under ``directory`` that ``wanted(name)`` takes, as a repository walk reads them.

    ``shown``: how the directory is named in findings (files are ``shown/relative``)."""
    walked = walked if walked is not None else Walked()
    ignored = _git_ignored(directory) or set()
    prefix = "" if shown in ("", ".") else shown.rstrip("/") + "/"
    for here, dirnames, filenames in os.walk(directory, followlinks=False):
        base = Path(here)
        rel_dir = base.relative_to(directory).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        chart = CHART_FILE in filenames
        kept = []
        for name in sorted(dirnames):
            rel = rel_dir + name
            full = base / name
            if full.is_symlink():
                # Checked for escape, then skipped: its real target inside the root is walked anyway.
                confined(full, directory, prefix + rel)
                continue
            if name in SKIPPED_DIRS or rel + "/" in ignored or (full / "pyvenv.cfg").is_file():
                continue
            if excluded_by(excludes, name, rel, prefix + rel):
                continue
            if chart and name == "templates":
                chart_dir = (prefix + rel_dir).rstrip("/") or "."
                walked.charts.setdefault(chart_dir, Chart(chart_dir)).templates.extend(
                    prefix + rel + "/" + t for t in _all_files(full))
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            rel = rel_dir + name
            if name in SKIPPED_NAMES or name.endswith(SKIPPED_SUFFIXES) or rel in ignored:
                continue
            full = base / name
            if full.is_symlink():
                try:
                    confined(full, directory, prefix + rel)
                except SymlinkLoop:  # names no file: a note, as a FIFO is
                    if wanted(rel) and not excluded_by(excludes, name, rel, prefix + rel):
                        walked.special.append((prefix + rel, LOOP))
                    continue
            if not wanted(rel):
                continue
            try:
                kind = special_kind(full.stat().st_mode)
            except OSError:  # a dangling link: nothing to read
                continue
            if kind is not None:  # a FIFO would hang a read, a device never end one
                walked.special.append((prefix + rel, kind))
                continue
            if excluded_by(excludes, name, rel, prefix + rel):
                continue
            schema = base / CHART_SCHEMA if chart and name == CHART_VALUES and CHART_SCHEMA in filenames else None
            walked.files.append((full, prefix + rel, schema))
    return walked


def _all_files(directory: Path) -> Iterator[str]:
    """Every file under a chart's templates directory, relative to it, sorted."""
    for here, dirnames, filenames in os.walk(directory, followlinks=False):
        dirnames.sort()
        rel = Path(here).relative_to(directory).as_posix()
        for name in sorted(filenames):
            yield name if rel == "." else f"{rel}/{name}"

