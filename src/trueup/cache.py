"""On-disk results of checking one file, so that a file that has not changed is not checked again.

An entry holds what checking a file produced (its documents, for the cross-file rules
that still run over every file, and the schema and policy findings) under a key made
of the file's bytes, its name and path, and a fingerprint of everything else that
decides the result: trueup's own code, Python, trueup.yaml, the rules, the schemas
(Kubernetes version and strictness, and every file beside a user's mapped schema),
the size and depth limits. Change any of them and no old entry is read.

Entries are written with ``marshal`` (plain data only: reading one runs no code, unlike
pickle) to a temporary file and renamed into place, so concurrent runs never see half
an entry. A file holding a secret value is never stored. The directory is ``$TRUEUP_CACHE_DIR``, else ``$XDG_CACHE_HOME/trueup``, else
``~/.cache/trueup``; ``--no-cache`` turns it off. Deleting it at any time is safe.
"""
from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Sequence

from .model import Document, Finding, Severity, Source

FORMAT = 1
_FINDING_FIELDS = ("rule", "severity", "message", "target", "path", "file", "line", "column", "desired", "live",
                   "waived", "environment", "live_file", "live_line", "blame")


def default_dir() -> Path:
    if os.environ.get("TRUEUP_CACHE_DIR"):
        return Path(os.environ["TRUEUP_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trueup"


def _code_signature() -> str:
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


def fingerprint(config: Any, validator: Any) -> str:
    """Everything but the file itself that decides what checking a file finds."""
    from . import __version__

    rules = []
    if validator.policy is not None:
        for rule in validator.policy.rules:
            rules.append([rule.id, int(rule.severity), rule.kinds, rule.object_kinds, rule.api_versions,
                          rule.files, rule.selects, rule.schema, rule.message, rule.title])
    schemas = []
    for mapping in validator.mappings:
        path = Path(mapping.schema)
        path = path if path.is_absolute() else config.root / path
        schemas.append([list(mapping.files), str(mapping.schema), _files_beside(path.resolve())])
    parts = {
        "format": FORMAT,
        "trueup": __version__,
        "code": _code_signature(),
        "python": sys.version,
        "config": config.raw,
        "root": str(config.root.resolve()),
        "limits": [config.limits.max_bytes, config.limits.max_depth, config.limits.max_alias_nodes],
        "kubernetes": [validator.kubernetes_version, validator.strict, validator.missing_schemas],
        "schemas": schemas,
        "rules": rules,
        "packages": _package_versions(),
    }
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _package_versions() -> list[str]:
    from importlib import metadata

    out = []
    for name in ("kubernetes-validate", "check-jsonschema", "jsonschema", "pyyaml", "tomlkit"):
        try:
            out.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} missing")
    return out


KEEP = 8  # fingerprints (trueup versions, configs) whose entries are kept; older ones are removed


class ResultCache:
    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.directory = directory / "results" / fingerprint[:16]
        self.fingerprint = fingerprint
        self._prune()

    def _prune(self) -> None:
        """Mark this fingerprint used, and remove the entries of all but the ``KEEP`` latest used."""
        import shutil

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            os.utime(self.directory)
            others = sorted(self.directory.parent.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
        except OSError:
            return
        for old in others[KEEP:]:
            shutil.rmtree(old, ignore_errors=True)

    def key(self, name: str, fmt: str, path: Path, data: bytes) -> str:
        digest = hashlib.sha256()
        for part in (self.fingerprint, name, fmt, str(path.resolve())):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _file(self, key: str) -> Path:
        return self.directory / key[:2] / key[2:]

    def get(self, key: str, source: Source) -> tuple[list[Finding], list[Document], int] | None:
        """The cached result, its documents bound to ``source`` (the file as read now); None on a miss
        or an entry that cannot be read (it is then simply checked again)."""
        try:
            entry = marshal.loads(self._file(key).read_bytes())
            version, docs, findings, count = entry
            if version != FORMAT:
                return None
            documents = [Document(data, source, index, base, kind) for data, index, base, kind in docs]
            found = [Finding(**dict(zip(_FINDING_FIELDS, values))) for values in findings]
        except (OSError, EOFError, ValueError, TypeError):
            return None
        for finding in found:
            finding.severity = Severity(finding.severity)
        return found, documents, count

    def put(self, key: str, findings: Sequence[Finding], documents: Sequence[Document], count: int) -> None:
        """Store a result; a failure to write (read-only, full disk, data marshal cannot hold) is ignored.
        A file holding anything trueup would mask is not stored: no secret is copied out of the repository."""
        from .mask import holds_secret

        if any(holds_secret(doc.data, doc.kind) for doc in documents):
            return
        try:
            entry = marshal.dumps((
                FORMAT,
                [(doc.data, doc.index, doc.base, doc.kind) for doc in documents],
                [tuple(int(v) if f == "severity" else v for f, v in zip(_FINDING_FIELDS, _values(finding)))
                 for finding in findings],
                count,
            ))
            target = self._file(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(entry)
                os.replace(temporary, target)
            except BaseException:
                os.unlink(temporary)
                raise
        except (OSError, ValueError):
            return


def _values(finding: Finding) -> list[Any]:
    return [getattr(finding, name) for name in _FINDING_FIELDS]
