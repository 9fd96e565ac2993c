"""On-disk results of checking one file, so that a file that has not changed is not checked again.

An entry holds what checking a file produced (its documents, for the cross-file rules
that still run over every file, and the schema and policy findings) under a key made
of the file's bytes, its name and path, and a fingerprint of everything else that
decides the result: trueup's own code, Python, trueup.yaml, the rules, the schemas
(Kubernetes version and strictness, and every file beside a user's mapped schema),
the size and depth limits. Change any of them and no old entry is read.

Entries are ``marshal`` data (plain data only: reading one runs no code, unlike pickle)
in one SQLite file, one transaction each, so concurrent runs never see half an entry. A
file holding a secret value is never stored. The directory is ``$TRUEUP_CACHE_DIR``, else ``$XDG_CACHE_HOME/trueup``, else
``~/.cache/trueup``; ``--no-cache`` turns it off. Deleting it at any time is safe.
"""
from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Sequence

from .model import Document, Finding, Severity, Source
from .tree import real_path

FORMAT = 2  # 2: an entry's count is (documents, kinds of the documents no schema validates)
_FINDING_FIELDS = ("rule", "severity", "message", "target", "path", "file", "line", "column", "desired", "live",
                   "waived", "environment", "live_file", "live_line", "blame")


def default_dir() -> Path:
    if os.environ.get("TRUEUP_CACHE_DIR"):
        return Path(os.environ["TRUEUP_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trueup"


@lru_cache(maxsize=1)
def code_signature() -> str:
    """trueup's own files by name, size and modification time: a changed trueup reads no old entry."""
    package = Path(__file__).resolve().parent
    parts = []
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".yaml", ".json") and "__pycache__" not in path.parts:
            stat = path.stat()
            parts.append(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _files_beside(schema: Path) -> list[str]:
    """A mapped schema and the schema files its local ``$ref``s can reach beside and below it."""
    out = []
    directory = schema.parent
    if directory.is_dir():
        for path in sorted(directory.rglob("*")):
            if path.suffix.lower() in (".json", ".yaml", ".yml") and path.is_file():
                out.append(f"{path}:{hashlib.sha256(path.read_bytes()).hexdigest()}")
    return out


def _folder_signature(folder: Path) -> str:
    """A schema location's files by name, size and modification time (a catalog holds thousands)."""
    folder = folder if folder.is_dir() else folder.parent
    parts = []
    for path in sorted(folder.rglob("*.json")) if folder.is_dir() else ():
        stat = path.stat()
        parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def fingerprint(config: Any, checker: Any) -> str:
    """Everything but the file itself that decides what checking a file finds (the CRDs of the run
    are added once they are known: ``ResultCache.fingerprint``)."""
    from . import __version__

    validator = checker.schemas
    rules = []
    if checker.policy is not None:
        for rule in checker.policy.rules:
            rules.append([rule.id, int(rule.severity), rule.kinds, rule.object_kinds, rule.api_versions,
                          rule.files, rule.selects, rule.schema, rule.message, rule.title])
    schemas = []
    for mapping in validator.mappings:
        path = Path(mapping.schema)
        path = path if path.is_absolute() else config.root / path
        schemas.append([list(mapping.files), str(mapping.schema), _files_beside(real_path(path))])
    parts = {
        "format": FORMAT,
        "trueup": __version__,
        "code": code_signature(),
        "python": sys.version,
        "config": config.raw,
        "root": str(real_path(config.root)),
        "limits": [config.limits.max_bytes, config.limits.max_depth, config.limits.max_alias_nodes],
        "kubernetes": [validator.kubernetes_version, validator.strict, validator.missing_schemas,
                       [_folder_signature(config.root / loc.split("{{")[0]) for loc in validator.schema_locations]],
        "schemas": schemas,
        "rules": rules,
        "packages": _package_versions(),
    }
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _package_versions() -> list[str]:
    from .installed import version

    out = []
    for name in ("kubernetes-validate", "check-jsonschema", "jsonschema", "pyyaml", "tomlkit"):
        found = version(name)
        out.append(f"{name}=={found}" if found else f"{name} missing")
    return out


KEEP_DAYS = 14  # entries of other fingerprints (older trueup versions, other configs) unused this long go
PRUNE_HOURS = 24  # and the cache is looked over for them this often


class ResultCache:
    """Entries live in one SQLite file (``results.sqlite``): a run writes thousands of them, and one
    row each costs far less than one file each. Each process opens its own connection (worker
    processes are forked), and every write is its own transaction, so runs may share the file."""

    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.path = directory / "results.sqlite"
        self.fingerprint = fingerprint
        self._db: Any = None
        self._pid = 0
        self._prune()

    def _connection(self) -> Any:
        """This process's connection; None when the cache cannot be used (it is then simply not used)."""
        import sqlite3

        if self._pid == os.getpid():
            return self._db
        self._pid, self._db = os.getpid(), None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")  # a lost entry on power loss is only a miss
            db.execute("CREATE TABLE IF NOT EXISTS results "
                       "(key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, used REAL NOT NULL, value BLOB NOT NULL)")
            self._db = db
        except (OSError, sqlite3.Error):
            self._db = None
        return self._db

    def _prune(self) -> None:
        """Drop other fingerprints' entries unused for KEEP_DAYS, at most once every PRUNE_HOURS (a
        ``results.pruned`` file's time): the scan costs a big cache tens of milliseconds, which a
        one-file pre-commit run should not pay each time."""
        import sqlite3
        import time

        marker = self.path.with_name("results.pruned")
        try:
            if time.time() - marker.stat().st_mtime < PRUNE_HOURS * 3600:
                return
        except OSError:
            pass
        db = self._connection()
        if db is None:
            return
        try:
            db.execute("DELETE FROM results WHERE fingerprint != ? AND used < ?",
                       (self.fingerprint, time.time() - KEEP_DAYS * 86400))
        except sqlite3.Error:
            pass
        db.close()  # not carried into forked workers: each opens its own
        self._pid, self._db = 0, None
        try:
            marker.touch()
        except OSError:
            pass

    def key(self, name: str, fmt: str, path: Path, data: bytes) -> str:
        digest = hashlib.sha256()
        for part in (self.fingerprint, name, fmt, os.path.abspath(path)):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def get(self, key: str, source: Callable[[], Source]) -> tuple[list[Finding], list[Document], Any] | None:
        """The cached result, its documents bound to ``source()`` (the file as read now, made only on
        a hit); None on a miss or an entry that cannot be read (it is then simply checked again)."""
        import sqlite3

        db = self._connection()
        if db is None:
            return None
        try:
            row = db.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            version, docs, findings, count = marshal.loads(row[0])
            if version != FORMAT:
                return None
            bound = source()
            documents = [Document(data, bound, index, base, kind) for data, index, base, kind in docs]
            found = [Finding(**dict(zip(_FINDING_FIELDS, values))) for values in findings]
        except (sqlite3.Error, EOFError, ValueError, TypeError):
            return None
        for finding in found:
            finding.severity = Severity(finding.severity)
        return found, documents, count

    def entry(self, findings: Sequence[Finding], documents: Sequence[Document], count: Any) -> bytes | None:
        """A result as an entry to store, or None for one that is not stored: a file holding anything
        trueup would mask (no secret is copied out of the repository), or data marshal cannot hold."""
        from .mask import holds_secret, may_mask

        texts = {id(doc.source): doc.source.text for doc in documents}
        if any(text is None or may_mask(text) for text in texts.values()) and any(
                holds_secret(doc.data, doc.kind) for doc in documents):
            return None
        try:
            return marshal.dumps((
                FORMAT,
                [(doc.data, doc.index, doc.base, doc.kind) for doc in documents],
                [tuple(int(v) if f == "severity" else v for f, v in zip(_FINDING_FIELDS, _values(finding)))
                 for finding in findings],
                count,
            ))
        except ValueError:
            return None

    def store(self, entries: Sequence[tuple[str, bytes]]) -> None:
        """Store entries in one transaction (the main process does, for its workers too); a failure
        to write (read-only, full disk, locked for too long) is ignored."""
        import sqlite3
        import time

        db = self._connection()
        if db is None or not entries:
            return
        now = time.time()
        try:
            with db:
                db.execute("BEGIN IMMEDIATE")
                db.executemany("INSERT OR REPLACE INTO results (key, fingerprint, used, value) VALUES (?, ?, ?, ?)",
                               [(key, self.fingerprint, now, value) for key, value in entries])
        except sqlite3.Error:
            return


def _values(finding: Finding) -> list[Any]:
    return [getattr(finding, name) for name in _FINDING_FIELDS]
