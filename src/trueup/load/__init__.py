"""Read files of every supported format into Documents, one module per format.

Each format module offers ``parse(text, limits) -> Parsed`` (raising ParseError
with line and column) and a ``Locator`` class that finds the line of a JSON Pointer
when a finding needs it. This module reads bytes safely (size cap, binary and
encoding checks), picks the format, and turns parsed data into Documents.
"""
from __future__ import annotations

import errno
import hashlib
import importlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from ..errors import ParseError
from ..model import Document, Finding, Severity, Source
from ..tree import LOOP, iter_files, real_path, special_kind
from .kinds import detect_kind
from .parsed import Duplicate, Limits

# Formats read when walking a directory, and ``*.ini`` files; other INI-like names (.cfg, .conf:
# setup.cfg, nginx.conf) are read only when named.
WALKED_FORMATS = frozenset({"yaml", "json", "jsonc", "json5", "toml", "dotenv"})
WALKED_SUFFIXES = (".ini",)


@dataclass
class Loaded:
    source: Source
    documents: list[Document]
    findings: list[Finding]


FORMAT_MODULES = {
    "yaml": "yaml_",
    "json": "json_",
    "jsonc": "jsonc",
    "json5": "json5_",
    "toml": "toml_",
    "ini": "ini",
    "dotenv": "dotenv",
}

_SUFFIX_FORMATS = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".jsonc": "jsonc",
    ".json5": "json5",
    ".toml": "toml",
    ".ini": "ini",
    ".cfg": "ini",
    ".conf": "ini",
    ".env": "dotenv",
}


# ``.json`` files whose tools document comments as allowed are read as JSONC (comments and
# trailing commas); every other ``.json`` file stays strict JSON. Sources:
# - tsconfig.json, jsconfig.json, and tsconfig.*.json / jsconfig.*.json (what ``extends`` names):
#   tsc reads them with comments since TypeScript 1.8 (microsoft/TypeScript#5450), and the
#   SchemaStore tsconfig schema sets ``allowTrailingCommas``; jsconfig.json "is a descendant of
#   tsconfig.json" (code.visualstudio.com/docs/languages/jsconfig).
# - .vscode/*.json (settings, launch, tasks, extensions): VS Code's "JSON with Comments" mode
#   (code.visualstudio.com/docs/languages/json#_json-with-comments).
# - devcontainer.json, .devcontainer.json, .devcontainer/*.json: the Dev Container spec calls
#   devcontainer.json "a structured JSON with Comments (jsonc) metadata format" (containers.dev).
# - .eslintrc.json: "Both the JSON and YAML configuration file formats support comments"
#   (eslint.org/docs/user-guide/configuring/configuration-files#comments-in-configuration-files).
# Babel reads ``.babelrc``, ``.babelrc.json`` and ``babel.config.json`` as JSON5
# (babeljs.io/docs/en/config-files#supported-file-extensions): those, and ``*.json5``
# (renovate.json5), are JSON5 files, read by pyjson5 (json5_.py).
_JSONC_NAMES = frozenset({
    "tsconfig.json", "jsconfig.json", "devcontainer.json", ".devcontainer.json", ".eslintrc.json",
})
_JSON5_NAMES = frozenset({".babelrc", ".babelrc.json", "babel.config.json"})
_JSONC_PREFIXES = ("tsconfig.", "jsconfig.")
_JSONC_DIRS = frozenset({".vscode", ".devcontainer"})


def detect_format(name: str) -> str | None:
    """The format a file name implies: ``.env``, ``prod.env`` and ``.env.local`` are dotenv files;
    JSON files of tools that allow comments (above) are JSONC. ``name`` may hold directories."""
    base = PurePosixPath(name).name
    if base == ".env" or base.startswith(".env.") or base.endswith(".env"):
        return "dotenv"
    if base in _JSON5_NAMES:
        return "json5"
    if base == "Kustomization":  # kustomize's third recognised name, with no suffix: YAML
        return "yaml"
    suffix = PurePosixPath(base).suffix.lower()
    fmt = _SUFFIX_FORMATS.get(suffix)
    if fmt == "json" and _is_jsonc(name, base.lower()):
        return "jsonc"
    return fmt


def _is_jsonc(name: str, base: str) -> bool:
    if base in _JSONC_NAMES or base.startswith(_JSONC_PREFIXES):
        return True
    parts = name.rsplit("/", 2)
    return len(parts) > 1 and parts[-2] in _JSONC_DIRS


def known_files(root: Path, display: str, special: list[tuple[str, str]] | None = None
                ) -> Iterator[tuple[Path, str]]:
    """(path, path under ``root``) of the files under ``root`` whose names are walked formats;
    ``special`` collects those names that are FIFOs, sockets or devices (never opened)."""
    found: list[tuple[str, str]] = []
    for path, rel in iter_files(root, display, found):
        if detect_format(rel) in WALKED_FORMATS or rel.lower().endswith(WALKED_SUFFIXES):
            yield path, rel
    if special is not None:
        special.extend((rel, kind) for rel, kind in found
                       if detect_format(rel) in WALKED_FORMATS or rel.lower().endswith(WALKED_SUFFIXES))


def format_module(fmt: str) -> Any:
    return importlib.import_module(f".{FORMAT_MODULES[fmt]}", __name__)


def read_text(path: Path, file: str, limits: Limits = Limits()) -> str:
    """The file's text as str: refuses oversized, binary and non-UTF-8 files; drops a BOM."""
    return decode(read_bytes(path, file, limits), file)


def read_bytes(path: Path, file: str, limits: Limits = Limits()) -> bytes:
    """The file's bytes, refused with a ParseError when missing, unreadable, not a regular file or
    over the size cap. Opened without blocking (a FIFO swapped in after a check cannot hang the
    run) and checked on the open descriptor; the cap counts the bytes actually read (a device's
    size reads 0)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise ParseError("is a directory, not a file", file) from None
    except FileNotFoundError:
        raise ParseError("no such file", file) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a -> b -> a: names no file
            raise ParseError(f"{LOOP}: refused, not followed", file) from None
        raise ParseError(f"cannot read: {exc.strerror or exc}", file) from None
    try:
        kind = special_kind(os.fstat(fd).st_mode)
        if kind == "directory":
            raise ParseError("is a directory, not a file", file)
        if kind is not None:
            raise ParseError(f"not a regular file (a {kind}); not read", file)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limits.max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limits.max_bytes:
                raise ParseError(
                    f"file is over the {limits.max_bytes}-byte limit (raise max_file_bytes to read it)", file)
    except OSError as exc:
        raise ParseError(f"cannot read: {exc.strerror or exc}", file) from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def decode(data: bytes, file: str) -> str:
    nul = data.find(b"\x00")
    if nul != -1 and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        line = data.count(b"\n", 0, nul) + 1
        raise ParseError("binary file (NUL byte), not text", file, line)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start]
        raise ParseError(f"not UTF-8 text (byte 0x{byte:02x})", file, line, column) from None


def load_text(
    text: str,
    *,
    file: str,
    name: str,
    fmt: str,
    limits: Limits = Limits(),
    line_map: list[int] | None = None,
    kind: str | None = None,
    positions: bool = False,
) -> Loaded:
    """Parse ``text`` as ``fmt`` into Documents and duplicate-key findings; raises ParseError.
    ``positions``: lines will be looked up soon (a file checked on its own), so a format that can
    keep what its parse composed for that does (YAML's node graphs), until the caller calls
    ``Source.forget_positions``; otherwise lines are found by reading the text again, on demand."""
    module = format_module(fmt)
    locator = None
    try:
        if positions and hasattr(module, "parse_with_positions"):
            parsed, locator = module.parse_with_positions(text, file, limits)
        else:
            parsed = module.parse(text, file, limits)
    except UnicodeEncodeError as exc:  # a lone surrogate (a template can render one): no file holds it
        line = text.count("\n", 0, exc.start) + 1
        raise ParseError("not Unicode text (a lone surrogate)", file, line) from None
    source = Source(
        file=file, name=name, text=text, format=fmt, locator_factory=module.Locator, line_map=line_map,
        _locator=locator,
    )
    documents: list[Document] = []
    for index, data in enumerate(parsed.documents):
        documents.extend(documents_of(source, index, data, parsed.yaml11.get(index), kind))
    findings = [_duplicate_finding(source, dup, documents) for dup in parsed.duplicates]
    return Loaded(source, documents, findings)


def documents_of(source: Source, index: int, data: Any, yaml11: list[tuple[tuple[str, ...], bool]] | None,
                 kind: str | None) -> list[Document]:
    """The Documents of a file's document ``index`` (none for an empty one; a List's items), of the
    given kind or the one its content and file name say."""
    if data is None:
        return []
    doc_kind = kind or detect_kind(source.name, data, source.format)
    if doc_kind == "kubernetes" and yaml11:
        as_yaml11_booleans(data, yaml11)
    return _expand_lists(Document(data, source, index, "", doc_kind))


def load_path(
    path: Path, *, file: str, name: str, fmt: str | None = None, limits: Limits = Limits(),
    kind: str | None = None,
) -> Loaded:
    fmt = fmt or detect_format(name) or "yaml"
    return load_bytes(read_bytes(path, file, limits), path, file=file, name=name, fmt=fmt, limits=limits, kind=kind)


def load_bytes(
    data: bytes, path: Path, *, file: str, name: str, fmt: str, limits: Limits = Limits(), kind: str | None = None,
    positions: bool = False,
) -> Loaded:
    """Parse a file's bytes, read from ``path`` (``positions``: as :func:`load_text`)."""
    loaded = load_text(decode(data, file), file=file, name=name, fmt=fmt, limits=limits, kind=kind,
                       positions=positions)
    bind_source(loaded.source, data, path)
    return loaded


def file_source(data: bytes, path: Path, *, file: str, name: str, fmt: str) -> Source:
    """The Source of a file's bytes without parsing them: a cached result's documents bind to it."""
    source = Source(file=file, name=name, text=decode(data, file), format=fmt,
                    locator_factory=format_module(fmt).Locator)
    bind_source(source, data, path)
    return source


def bind_source(source: Source, data: bytes, path: Path) -> None:
    """Where a file's Source was read from, and the sha256 of its bytes then."""
    source.path = path
    source.digest = hashlib.sha256(data).hexdigest()
    source.bom = data.startswith(b"\xef\xbb\xbf")


def as_yaml11_booleans(data: Any, places: list[tuple[tuple[str, ...], bool]]) -> None:
    """kubectl reads YAML with go-yaml v2 (YAML 1.1): plain ``yes``/``off``/``y`` there are booleans."""
    for path, value in places:
        node = data
        for token in path[:-1]:
            node = node[int(token)] if isinstance(node, list) else node[token]
        last = path[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value


def _expand_lists(doc: Document) -> list[Document]:
    """A Kubernetes ``kind: List`` (``kubectl get -o yaml``) stands for its items."""
    data = doc.data
    if doc.kind == "kubernetes" and isinstance(data, dict) and str(data.get("kind", "")).endswith("List") and isinstance(
        data.get("items"), list
    ):
        return [
            Document(item, doc.source, doc.index, f"/items/{i}", "kubernetes")
            for i, item in enumerate(data["items"])
            if isinstance(item, dict)
        ]
    return [doc]


def _duplicate_finding(source: Source, dup: Duplicate, documents: list[Document]) -> Finding:
    owner = next((d for d in documents if d.index == dup.doc_index and dup.pointer.startswith(d.base)), None)
    line = dup.line
    if source.line_map is not None and 1 <= line <= len(source.line_map):
        line = source.line_map[line - 1]
    return Finding(
        rule="input.duplicate-key",
        severity=Severity.HIGH,
        message=f"duplicate key {dup.key!r}: the later value silently replaces the earlier one",
        target=owner.target if owner is not None else source.name,
        path=dup.pointer[len(owner.base):] if owner is not None else dup.pointer,
        file=source.file,
        line=line,
        column=dup.column,
    )


def relpath(path: Path, root: Path) -> str:
    try:
        return real_path(path).relative_to(real_path(root)).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, root)).as_posix()
