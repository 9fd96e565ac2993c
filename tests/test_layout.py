"""The house (issue 19): imports run one way with no cycle, every module with logic has its own test
file one hop away, and no module holds two ideas' worth of lines.

Imports are read from the source (every ``import`` and ``from ... import``, at module level or
inside a function: an import deferred for start-up time is still a dependency), plus the modules a
package imports by name from a table (``load.FORMAT_MODULES``, ``report.REPORTERS``). The layers are
the README's layout: the CLI, then the commands, then what writes reports and records, then the
stages, then reading, then the data every stage passes on; a module may import its own layer or a
lower one, never a higher.
"""
from __future__ import annotations

import ast
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from conftest import REPO

PACKAGE = REPO / "src" / "trueup"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("entry", ("__main__", "cli")),
    ("commands", ("commands", "maintenance", "wiring", "options", "preview", "preview.*")),
    ("outputs", ("report", "report.*", "audit", "pins")),
    ("stages", ("pipeline", "plainfiles", "filecheck", "checker", "targets", "shards", "desired", "render", "render_*", "drift",
                "drift.*", "patch", "patch.*", "policy", "policy.*", "validate", "validate.*", "cache", "blame",
                "provenance", "config", "changed", "parallel", "kustomize", "walk")),
    ("reading", ("load", "load.*", "tree", "globs")),
    ("data", ("", "model", "objects", "errors", "pointer", "mask", "safefs", "installed", "runmeta", "progress")),
]
# Within the stages, one-way pairs: the second never imports the first.
ONE_WAY = [("patch", "drift"), ("plainfiles", "pipeline"), ("pipeline", "checker"), ("checker", "policy"),
           ("checker", "validate"), ("pipeline", "drift"), ("desired", "render")]
# Modules with no logic of their own to test: the entry script and empty packages.
NO_TESTS = {"__main__", "policy"}
MAX_LINES = 400


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.removeprefix("trueup").lstrip(".") for alias in node.names
                         if alias.name == "trueup" or alias.name.startswith("trueup."))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[:len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module == "trueup" or (node.module or "").startswith("trueup."):
                target = node.module.removeprefix("trueup").lstrip(".")  # type: ignore[union-attr]
            else:
                continue
            for alias in node.names:
                child = f"{target}.{alias.name}" if target else alias.name
                found.add(child if child in MODULES else target)
    return {module for module in found if module in MODULES and module != name}


def _graph() -> dict[str, set[str]]:
    graph = {name: _imports(name, path) for name, path in MODULES.items()}
    from trueup.load import FORMAT_MODULES
    from trueup.report import REPORTERS

    graph["load"] |= {f"load.{module}" for module in FORMAT_MODULES.values()}
    graph["report"] |= {f"report.{module}" for module in REPORTERS.values()}
    return graph


GRAPH = _graph()


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _layer(module: str) -> int:
    for number, (_, patterns) in enumerate(LAYERS):
        if any(fnmatchcase(module, pattern) for pattern in patterns):
            return number
    raise AssertionError(f"trueup.{module} is in no layer of tests/test_layout.py (add it where the README puts it)")


def test_no_import_cycle() -> None:
    assert _cycles(GRAPH) == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_imports_point_down_the_layers() -> None:
    upward = sorted(f"{module} ({LAYERS[_layer(module)][0]}) imports {target} ({LAYERS[_layer(target)][0]})"
                    for module, targets in GRAPH.items() for target in targets if _layer(target) < _layer(module))
    assert upward == []


@pytest.mark.parametrize("higher, lower", ONE_WAY, ids=lambda name: name)
def test_one_way_within_the_stages(higher: str, lower: str) -> None:
    def inside(module: str, prefix: str) -> bool:
        return module == prefix or module.startswith(prefix + ".")

    back = sorted(f"{m} imports {t}" for m, targets in GRAPH.items() if inside(m, lower)
                  for t in targets if inside(t, higher))
    assert back == []


def _test_file(module: str) -> Path:
    """``tests/<package>/test_<module>.py``; a package's own code: ``tests/<package>/test_<package>.py``;
    a trailing or leading underscore (``yaml_``, ``_safe``) dropped."""
    parts = module.split(".")
    folder = parts if MODULES[module].name == "__init__.py" else parts[:-1]
    return REPO.joinpath("tests", *folder, f"test_{parts[-1].strip('_')}.py")


def test_every_module_with_logic_has_its_own_test_file() -> None:
    missing = sorted(f"trueup.{module}: {_test_file(module).relative_to(REPO)}" for module in MODULES
                     if module and module not in NO_TESTS and not _test_file(module).is_file())
    assert missing == []


def test_no_module_holds_two_ideas_worth_of_lines() -> None:
    long = sorted(f"{path.relative_to(REPO)}: {lines}" for path in MODULES.values()
                  if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES)
    assert long == []
