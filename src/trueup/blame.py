"""Which commit last changed the line that produced a drifted desired value (git blame).

A drift finding points at its template line. When that line takes its values from the
values files (``replicas: {{ replicas.api }}``), the lines that set them (in the last
values file that sets each key) produced the value too: the latest commit among the
template line and those lines is the one blamed. Each file is blamed once per run, as the working tree has it. Outside a git
repository, or in a shallow clone (where blame names the clone's boundary, not the
change), nothing is looked up and findings are left as they are.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Iterator

from .model import Finding
from .pointer import escape_token, resolves
from .tree import real_path

_EXPRESSION = re.compile(r"\{\{-?\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\s*[\"'][^\"']+[\"']\s*\])*)")
_PART = re.compile(r"\.([A-Za-z_]\w*)|\[\s*[\"']([^\"']+)[\"']\s*\]")
BLAMED = ("drift.changed", "drift.missing")


def _pointer(expression: str) -> str:
    head = re.match(r"[A-Za-z_]\w*", expression)
    assert head is not None
    tokens = [head.group(0)] + [a or b for a, b in _PART.findall(expression[head.end():])]
    return "".join("/" + escape_token(t) for t in tokens)


class Blamer:
    """``root``: what findings' file names are relative to; ``search``: where the repository is
    looked for (the root unless given: the desired tree of a config-free drift, say)."""

    def __init__(self, root: Path, search: Path | None = None) -> None:
        self.root = real_path(root)
        self.repo: Any = None
        self.files: dict[str, list[Any]] = {}
        self.texts: dict[str, list[str]] = {}
        self.order: dict[tuple[str, str], bool] = {}
        start = real_path(search or root)
        if not any((folder / ".git").exists() for folder in (start, *start.parents)):
            return  # not a repository: git (and GitPython's import) is not even looked at
        try:
            import git

            repo = git.Repo(start, search_parent_directories=True)
        except Exception:  # not a repository, or git missing: no blame, and no harm
            return
        if not (Path(repo.git_dir) / "shallow").exists():
            self.repo = repo
            self.top = real_path(Path(repo.working_tree_dir))

    def _commits(self, file: str) -> list[Any]:
        """The commit of each line of ``file`` (relative to the root), None where uncommitted."""
        if file not in self.files:
            commits: list[Any] = []
            try:
                rel = real_path(self.root / file).relative_to(self.top).as_posix()
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

    def _newer(self, commit: Any, than: Any) -> bool:
        """Whether ``commit`` came after ``than``: by history where one descends from the other
        (commits of one second are common in scripts), else by commit time."""
        if commit.hexsha == than.hexsha:
            return False
        key = (commit.hexsha, than.hexsha)
        if key not in self.order:
            try:
                if self.repo.is_ancestor(than, commit):
                    self.order[key] = True
                elif self.repo.is_ancestor(commit, than):
                    self.order[key] = False
                else:
                    self.order[key] = commit.committed_date > than.committed_date
            except Exception:  # git failed: fall back on the clock
                self.order[key] = commit.committed_date > than.committed_date
        return self.order[key]

    def sources(self, file: str, line: int, layers: list[Any]) -> list[tuple[str, int]]:
        """The template line, and the values file line that sets each value it uses."""
        found = [(file, line)]
        for expression in _EXPRESSION.findall(self._line_text(file, line)):
            pointer = _pointer(expression)
            for doc in reversed(layers):
                if resolves(doc.data, pointer):
                    where = doc.locate(pointer)
                    if where is not None and (doc.source.file, where[0]) not in found:
                        found.append((doc.source.file, where[0]))
                    break
        return found

    def blame(self, file: str, line: int, layers: list[Any]) -> dict[str, Any] | None:
        """The latest commit among the lines that produce the value (``image: {{ app.image }}:{{ app.tag }}``
        is as new as the newer of its two values); None when one of them is not committed."""
        latest: tuple[Any, str, int] | None = None
        for where, number in self.sources(file, line, layers):
            commits = self._commits(where)
            if not 0 < number <= len(commits):
                continue  # a file git does not know: it says nothing either way
            commit = commits[number - 1]
            if commit is None:
                return None
            if latest is None or self._newer(commit, latest[0]):
                latest = (commit, where, number)
        if latest is None:
            return None
        commit, where, number = latest
        return {"commit": commit.hexsha[:7], "author": commit.author.name,
                "date": commit.authored_datetime.date().isoformat(), "file": where, "line": number}


def with_blame(findings: Iterable[Finding], root: Path, layers: dict[str, list[Any]],
               search: Path | None = None) -> Iterator[Finding]:
    """Findings as they come, drift of a desired value with ``blame`` added where git knows it.

    ``layers``: each environment's values files (their documents), in merge order. Git is asked
    nothing until a finding needs blame."""
    blamer: Blamer | None = None
    for finding in findings:
        if finding.rule in BLAMED and finding.file and finding.line:
            blamer = blamer or Blamer(root, search)
            if blamer.repo is not None:
                finding.blame = blamer.blame(finding.file, finding.line, layers.get(finding.environment or "", []))
        yield finding
