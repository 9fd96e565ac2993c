"""What a target compares: its rendered desired files and its live files, as two trees of Sides.

Files pair by their path below each tree's base: the static part of the desired
glob (``k8s/`` for ``k8s/**/*.yaml``) and the live directory. A single desired
file against a single live file pairs directly, whatever the two are called.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Sequence

from .config import Config, Target
from .drift import IgnoreRule, Side
from .errors import InputError, ParseError, TrueupError
from .globs import match_any
from .load import bind_source, decode, detect_format, known_files, load_path, read_bytes
from .load.kept import Kept, load_kept
from .model import Finding, Part, Severity
from .tree import not_found, real_path


@dataclass
class Trees:
    desired: list[Side] = field(default_factory=list)
    live: list[Side] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # paths under the root that failed to load
    read: dict[str, int] = field(default_factory=dict)  # each file read (rel) -> its documents, kept or not
    secrets: list[Any] = field(default_factory=list)  # secret values of the documents ``keep`` dropped


def glob_base(pattern: str) -> str:
    parts = PurePosixPath(pattern.lstrip("/")).parts
    static = []
    for part in parts:
        if any(c in part for c in "*?["):
            break
        static.append(part)
    if len(static) == len(parts):
        static = static[:-1]
    return "/".join(static)


def _below(path: str, base: str) -> str:
    return path[len(base) + 1:] if base and path.startswith(base + "/") else path


def parse_finding(exc: TrueupError, target: str, environment: str | None) -> Finding:
    return Finding("input.parse", Severity.HIGH, exc.cause, target, "", exc.file, exc.line, exc.column,
                   environment=environment)


def load_tree(root: Path, display: str, config: Config, environment: str | None = None,
              part: Part | None = None) -> Trees:
    """Every readable file under ``root`` (or ``root`` itself) as a Side; unreadable ones as findings.
    ``part``: a drift shard's, whose other documents are left out as each file is read (and built
    only for their secrets, where they may hold one)."""
    trees = Trees()
    if not root.exists():
        raise InputError(not_found(root, "live path not found"), display)
    if root.is_file():
        entries = [(root, root.name)]
    else:
        special: list[tuple[str, str]] = []
        entries = list(known_files(root, display, special))
        for rel, kind in special:  # never opened: a FIFO would hang the run, a device never end
            trees.findings.append(Finding("input.not-regular", Severity.INFO, f"a {kind}, not a regular file: skipped",
                                          f"{display}/{rel}", "", f"{display}/{rel}", None, None,
                                          environment=environment))
    # A live file's root is the directory that holds it, by its real path taken now: ``fix --apply``
    # writes through that path and refuses a symlink swapped in later, anywhere along it.
    real_root = real_path(root if root.is_dir() else root.parent)
    for path, rel in entries:
        file = f"{display}/{rel}" if root.is_dir() else display
        try:
            if part is None:
                loaded = load_path(path, file=file, name=rel, limits=config.limits)
                documents, total, left = loaded.documents, len(loaded.documents), []
            else:
                kept = _load_kept(path, file, rel, config, part)
                loaded, documents, total, left = kept.loaded, kept.loaded.documents, kept.total, kept.left
        except ParseError as exc:
            trees.findings.append(parse_finding(exc, file, environment))
            trees.unreadable.add(rel)
            continue
        loaded.source.root = real_root
        loaded.source.path = real_root / (rel if root.is_dir() else root.name)
        trees.findings.extend(loaded.findings)
        trees.read[rel] = total
        trees.secrets.extend(left)
        if documents or part is None:
            trees.live.append(Side(rel, documents))
    return trees


def _load_kept(path: Path, file: str, rel: str, config: Config, part: Part) -> Kept:
    """A shard's read of a live file: its own documents, the file read whole where the shard reports
    the file's own findings."""
    data = read_bytes(path, file, config.limits)
    kept = load_kept(decode(data, file), file=file, name=rel, fmt=detect_format(rel) or "yaml",
                     keep=lambda doc: part.keeps(doc, rel), limits=config.limits, whole=part.reports(file))
    bind_source(kept.loaded.source, data, path)
    return kept


def live_root(config: Config, target: Target, environment: str | None) -> tuple[Path, str]:
    """The live path, ``{env}`` filled in; it may lie outside the repository (a compose host's file)."""
    assert target.live is not None
    relative = target.live.replace("{env}", environment or "")
    return config.root / relative, relative


def target_trees(config: Config, target: Target, environment: str | None, desired: Sequence[tuple[str, list]],
                 part: Part | None = None) -> Trees:
    """``desired``: (rendered path, documents) of every rendered file of the environment; ``part``:
    a drift shard's part of the live tree (``load_tree``)."""
    mine = [(name, docs) for name, docs in desired if match_any(target.desired, name)]
    bases = [glob_base(p) for p in target.desired]
    root, display = live_root(config, target, environment)
    trees = load_tree(root, display, config, environment, part)
    single = root.is_file() and len(mine) == 1
    for name, docs in mine:
        base = next((b for p, b in zip(target.desired, bases) if match_any([p], name)), "")
        rel = root.name if single else _below(name, base)  # a single live file is read as its name
        trees.desired.append(Side(rel, docs))
    return trees


def ignore_rules(target: Target) -> list[IgnoreRule]:
    rules = []
    for raw in target.ignore:
        paths = raw["paths"] if isinstance(raw["paths"], list) else [raw["paths"]]
        rules.append(IgnoreRule(tuple(paths), raw["reason"], tuple(raw.get("kinds", ())), tuple(raw.get("names", ()))))
    return rules
