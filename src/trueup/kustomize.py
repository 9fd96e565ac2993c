"""Kustomize, understood without the kustomize binary: what a tree's kustomizations say about its files.

A kustomization (``kustomization.yaml``, ``kustomization.yml`` or ``Kustomization``, as
kustomize's ``konfig.RecognizedKustomizationFileNames`` lists them) changes how the files it
names are to be read:

- files under ``patches``, ``patchesStrategicMerge`` and ``patchesJson6902`` are partial
  objects (or JSON 6902 operation lists): their fields must exist and have the right types,
  but required fields may be left out, and strategic-merge directives (``$patch``,
  ``$retainKeys``, ``$setElementOrder/...``, ``$deleteFromPrimitiveList/...``) and ``null``
  (which deletes a field) are allowed;
- ``namespace:`` sets the namespace of every resource the kustomization builds, its bases' and
  components' included; the outermost kustomization's wins, as kustomize applies an overlay's
  namespace transformer last;
- ``configMapGenerator`` and ``secretGenerator`` make ConfigMaps and Secrets that exist for the
  reference rules, under their own names (kustomize rewrites references to them) and with the
  kustomization's ``namePrefix``/``nameSuffix``.

Remote resources (URLs, ``github.com/...``) are not fetched. Sources: the kustomization field
reference (kubectl.docs.kubernetes.io/references/kustomize/kustomization/) and kustomize's
``api/types/kustomization.go``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .errors import ParseError
from .load import Limits, load_path
from .model import Document

NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_GENERATORS = (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret"))
# Keys of a strategic merge patch that are directives, not fields (k8s.io/apimachinery
# pkg/util/strategicpatch: directiveMarker, retainKeysDirective, setElementOrderDirectivePrefix,
# deleteFromPrimitiveListDirectivePrefix).
DIRECTIVE_PREFIX = "$"


@dataclass
class Kustomized:
    """What the kustomizations of a run say: patch files, namespaces set on resource files,
    and the ConfigMaps and Secrets their generators make (as documents for the reference rules)."""

    patches: set[Path] = field(default_factory=set)
    resources: set[Path] = field(default_factory=set)  # files listed as whole objects
    namespaces: dict[Path, str] = field(default_factory=dict)
    generated: list[Document] = field(default_factory=list)

    def namespace_of(self, path: Path) -> str | None:
        return self.namespaces.get(_key(path))

    def is_patch(self, path: Path) -> bool | None:
        """True for a patch, False for a resource (a whole object), None for a file no kustomization lists."""
        key = _key(path)
        return True if key in self.patches else False if key in self.resources else None


def _key(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def is_kustomization(path: Path) -> bool:
    return path.name in NAMES


def _remote(entry: str) -> bool:
    return "://" in entry or entry.startswith(("github.com/", "git@", "gitlab.com/", "bitbucket.org/"))


@dataclass
class _Kustomization:
    path: Path
    data: dict
    source: Any  # the loaded file's Source, for generated documents

    @property
    def directory(self) -> Path:
        return self.path.parent

    def entries(self, key: str) -> list[str]:
        value = self.data.get(key)
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    def children(self) -> Iterable[Path]:
        """Resource files, and the kustomizations of listed directories (resources, bases, components)."""
        for key in ("resources", "bases", "components"):
            for entry in self.entries(key):
                if _remote(entry):
                    continue
                yield _key(self.directory / entry)

    def patch_files(self) -> Iterable[Path]:
        for key in ("patches", "patchesJson6902"):
            items = self.data.get(key)
            for item in items if isinstance(items, list) else ():
                if isinstance(item, dict) and isinstance(item.get("path"), str):
                    yield _key(self.directory / item["path"])
                elif isinstance(item, str) and "\n" not in item:
                    yield _key(self.directory / item)
        for entry in self.entries("patchesStrategicMerge"):
            if "\n" not in entry and not entry.lstrip().startswith(("apiVersion", "kind", "{")):
                yield _key(self.directory / entry)


def _kustomization_in(directory: Path) -> Path | None:
    return next((directory / n for n in NAMES if (directory / n).is_file()), None)


def read(paths: Iterable[Path], limits: Limits = Limits()) -> Kustomized:
    """Read the kustomizations among ``paths`` (and those they reach) into a Kustomized.

    A kustomization that cannot be read is left out here: it is reported where it is checked."""
    found: dict[Path, _Kustomization] = {}
    pending = [_key(p) for p in paths if is_kustomization(p)]
    while pending:
        path = pending.pop()
        if path in found or not path.is_file():
            continue
        try:
            loaded = load_path(path, file=path.as_posix(), name=path.name, fmt="yaml", limits=limits, kind="config")
        except ParseError:
            continue
        data = loaded.documents[0].data if loaded.documents else None
        if not isinstance(data, dict):
            continue
        found[path] = _Kustomization(path, data, loaded.source)
        for child in found[path].children():
            if child.is_dir():
                inner = _kustomization_in(child)
                if inner is not None:
                    pending.append(_key(inner))
    out = Kustomized()
    reached: set[Path] = set()
    for k in found.values():
        out.patches.update(k.patch_files())
        for child in k.children():
            if child.is_dir():
                inner = _kustomization_in(child)
                if inner is not None:
                    reached.add(_key(inner))
    # Outermost first: a kustomization no other one reaches sets the namespace of all it builds.
    roots = sorted(p for p in found if p not in reached) or sorted(found)
    done: set[Path] = set()
    for root in roots:
        _assign(found, root, None, out, done)
    for path in sorted(found):  # kustomizations reached only through a cycle
        _assign(found, path, None, out, done)
    return out


def _assign(found: dict[Path, _Kustomization], path: Path, outer: str | None, out: Kustomized,
            done: set[Path]) -> None:
    """Give the files ``path`` builds the namespace in force (the outermost one set), once each."""
    if path in done or path not in found:
        return
    done.add(path)
    k = found[path]
    own = k.data.get("namespace") if isinstance(k.data.get("namespace"), str) else None
    namespace = outer or own
    for child in k.children():
        if child.is_dir():
            inner = _kustomization_in(child)
            if inner is not None:
                _assign(found, _key(inner), namespace, out, done)
        else:
            out.resources.add(child)
            if namespace and child not in out.namespaces:
                out.namespaces[child] = namespace
    for patch in k.patch_files():  # a patch edits objects in the namespace they are built in
        if namespace and patch not in out.namespaces:
            out.namespaces[patch] = namespace
    out.generated.extend(_generated(k, namespace))


def _generated(k: _Kustomization, namespace: str | None) -> list[Document]:
    """The ConfigMaps and Secrets a kustomization's generators make, by their own name and by the
    name kustomize gives them (``namePrefix`` + name + ``nameSuffix``; the content hash it appends
    is rewritten into every reference, so references use the plain name)."""
    prefix = k.data.get("namePrefix") if isinstance(k.data.get("namePrefix"), str) else ""
    suffix = k.data.get("nameSuffix") if isinstance(k.data.get("nameSuffix"), str) else ""
    docs = []
    for key, kind in _GENERATORS:
        items = k.data.get(key)
        for item in items if isinstance(items, list) else ():
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            ns = item.get("namespace") if isinstance(item.get("namespace"), str) else namespace
            for name in dict.fromkeys((item["name"], f"{prefix}{item['name']}{suffix}")):
                metadata: dict[str, Any] = {"name": name}
                if ns:
                    metadata["namespace"] = ns
                docs.append(Document({"apiVersion": "v1", "kind": kind, "metadata": metadata}, k.source, 0, "",
                                     "kubernetes"))
    return docs


def near(paths: Iterable[Path]) -> list[Path]:
    """Kustomizations in the directories of files named on the command line and above them: the
    ones that may list those files as patches or resources."""
    out: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        for directory in list(path.absolute().parents)[:4]:
            if directory in seen:
                continue
            seen.add(directory)
            found = _kustomization_in(directory)
            if found is not None:
                out.append(found)
    return out
