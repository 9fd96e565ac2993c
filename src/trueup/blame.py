"""Which commit last changed the line that produced a drifted desired value (git blame).

A drift finding points at its template line. When that line takes its value from the
values files (``replicas: {{ replicas.api }}``), the line that sets the value is the
one a person changed, so that is the line blamed: the last values file that sets the
key. Each file is blamed once per run, as the working tree has it. Outside a git
repository, or in a shallow clone (where blame names the clone's boundary, not the
change), nothing is looked up and findings are left as they are.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Iterator

from .model import Finding
from .pointer import escape_token, resolves

_EXPRESSION = re.compile(r"\{\{-?\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\s*[\"'][^\"']+[\"']\s*\])*)")
_PART = re.compile(r"\.([A-Za-z_]\w*)|\[\s*[\"']([^\"']+)[\"']\s*\]")
BLAMED = ("drift.changed", "drift.missing")


def _pointer(expression: str) -> str:
    head = re.match(r"[A-Za-z_]\w*", expression)
    assert head is not None
    tokens = [head.group(0)] + [a or b for a, b in _PART.findall(expression[head.end():])]
    return "".join("/" + escape_token(t) for t in tokens)


class Blamer:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.repo: Any = None
        self.files: dict[str, list[Any]] = {}
        self.texts: dict[str, list[str]] = {}
        try:
            import git

            repo = git.Repo(self.root, search_parent_directories=True)
        except Exception:  # not a repository, or git missing: no blame, and no harm
            return
        if not (Path(repo.git_dir) / "shallow").exists():
            self.repo = repo
            self.top = Path(repo.working_tree_dir).resolve()

    def _commits(self, file: str) -> list[Any]:
        """The commit of each line of ``file`` (relative to the root), None where uncommitted."""
        if file not in self.files:
            commits: list[Any] = []
            try:
                rel = (self.root / file).resolve().relative_to(self.top).as_posix()
                for commit, lines in self.repo.blame(None, rel):
                    last = None if set(commit.hexsha) == {"0"} else commit
                    commits.extend([last] * len(lines))
            except Exception:  # untracked, outside the repository, or git failed: unknown
                commits = []
            self.files[file] = commits
        return self.files[file]

    def _line_text(self, file: str, line: int) -> str:
        if file not in self.texts:
            try:
                self.texts[file] = (self.root / file).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                self.texts[file] = []
        lines = self.texts[file]
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def source(self, file: str, line: int, layers: list[Any]) -> tuple[str, int]:
        """The values file line that sets what the template line uses, else the template line."""
        for expression in _EXPRESSION.findall(self._line_text(file, line)):
            pointer = _pointer(expression)
            for doc in reversed(layers):
                if resolves(doc.data, pointer):
                    where = doc.locate(pointer)
                    if where is not None:
                        return doc.source.file, where[0]
        return file, line

    def blame(self, file: str, line: int, layers: list[Any]) -> dict[str, Any] | None:
        where, number = self.source(file, line, layers)
        commits = self._commits(where)
        commit = commits[number - 1] if 0 < number <= len(commits) else None
        if commit is None:
            return None
        return {"commit": commit.hexsha[:7], "author": commit.author.name,
                "date": commit.authored_datetime.date().isoformat(), "file": where, "line": number}


def with_blame(findings: Iterable[Finding], root: Path, layers: dict[str, list[Any]]) -> Iterator[Finding]:
    """Findings as they come, drift of a desired value with ``blame`` added where git knows it.

    ``layers``: each environment's values files (their documents), in merge order."""
    blamer = Blamer(root)
    for finding in findings:
        if blamer.repo is not None and finding.rule in BLAMED and finding.file and finding.line:
            finding.blame = blamer.blame(finding.file, finding.line, layers.get(finding.environment or "", []))
        yield finding
