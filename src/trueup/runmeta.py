"""What a report says about the run that made it: when (UTC), which trueup, which commit of which
repository, and in CI the run's page, so a report read the next morning links back to both.

Sources, first found wins: GitHub Actions' default variables (``GITHUB_SHA``, ``GITHUB_HEAD_REF`` or
``GITHUB_REF_NAME``, ``GITHUB_SERVER_URL``/``GITHUB_REPOSITORY``, ``GITHUB_RUN_ID`` and
``GITHUB_RUN_ATTEMPT``: docs.github.com "Variables reference"), GitLab CI's predefined ones
(``CI_COMMIT_SHA``, ``CI_COMMIT_REF_NAME``, ``CI_PROJECT_URL``, ``CI_PIPELINE_URL``), then git itself in
the config's directory. ``SOURCE_DATE_EPOCH`` (reproducible-builds.org) fixes the time. A remote URL is
reported without any user or token it holds, and only when it is a web address or an SSH remote that
maps onto one.
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote, urlsplit, urlunsplit

from . import __version__

_SCP_REMOTE = re.compile(r"^(?:[\w.-]+@)?([\w.-]+):(?!/)(.+)$")  # git@github.com:owner/name.git
_SHA = re.compile(r"^[0-9a-f]{7,64}$")
_EPOCH = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class RunMeta:
    started: str  # ISO 8601, UTC, to the second
    version: str = __version__
    commit: str | None = None
    branch: str | None = None
    repository: str | None = None  # the repository's web address
    ci_run: str | None = None  # the CI run's web page
    prefix: str = ""  # the config's directory within the repository ("" at its top)
    gitlab: bool = False
    shard: str | None = None  # "I/N" for one shard of a run (drift --shard)

    def to_json(self) -> dict[str, Any]:
        out = {"started": self.started, "trueup": self.version, "commit": self.commit, "branch": self.branch,
               "repository": self.repository, "ci_run": self.ci_run}
        return {**out, "shard": self.shard} if self.shard else out

    @property
    def when(self) -> str:
        """``2026-12-06 12:00 UTC``: how a person reads the start."""
        return self.started[:16].replace("T", " ") + " UTC"

    def commit_link(self) -> str | None:
        if not (self.repository and self.commit):
            return None
        return f"{self.repository}{'/-/commit/' if self.gitlab else '/commit/'}{self.commit}"

    def file_link(self, file: str | None, line: int | None = None) -> str | None:
        """The file (relative to the config's directory) at this run's commit, on the repository's web
        pages; None when the repository or commit is not known or the file is not the repository's."""
        if not (self.repository and self.commit and file) or file.startswith(("/", "../")) or "://" in file:
            return None
        path = quote(f"{self.prefix}{file}")
        blob = "/-/blob/" if self.gitlab else "/blob/"
        return f"{self.repository}{blob}{self.commit}/{path}" + (f"#L{line}" if line else "")


def collect(root: Path, env: Mapping[str, str] | None = None) -> RunMeta:
    env = os.environ if env is None else env
    started = _started(env)
    if env.get("GITHUB_ACTIONS") == "true" and env.get("GITHUB_SHA"):
        server, repo = env.get("GITHUB_SERVER_URL", "https://github.com"), env.get("GITHUB_REPOSITORY", "")
        repository = web_address(f"{server}/{repo}") if repo else None
        run_id, attempt = env.get("GITHUB_RUN_ID"), env.get("GITHUB_RUN_ATTEMPT")
        ci_run = None
        if repository and run_id:
            ci_run = f"{repository}/actions/runs/{run_id}" + (f"/attempts/{attempt}" if attempt and attempt != "1" else "")
        return RunMeta(started, commit=_sha(env.get("GITHUB_SHA")),
                       branch=env.get("GITHUB_HEAD_REF") or env.get("GITHUB_REF_NAME") or None,
                       repository=repository, ci_run=ci_run, prefix=git_line(root, "rev-parse", "--show-prefix") or "")
    if env.get("GITLAB_CI") == "true" and env.get("CI_COMMIT_SHA"):
        return RunMeta(started, commit=_sha(env.get("CI_COMMIT_SHA")), branch=env.get("CI_COMMIT_REF_NAME") or None,
                       repository=web_address(env.get("CI_PROJECT_URL", "")), ci_run=web_address(env.get("CI_PIPELINE_URL", "")),
                       prefix=git_line(root, "rev-parse", "--show-prefix") or "", gitlab=True)
    commit = _sha(git_line(root, "rev-parse", "HEAD"))
    if commit is None:
        return RunMeta(started)
    remote = git_line(root, "config", "--get", "remote.origin.url")
    repository = web_address(remote) if remote else None
    return RunMeta(started, commit=commit, branch=git_line(root, "symbolic-ref", "--short", "-q", "HEAD"),
                   repository=repository, prefix=git_line(root, "rev-parse", "--show-prefix") or "",
                   gitlab=bool(repository and "gitlab" in (urlsplit(repository).hostname or "")))


def _started(env: Mapping[str, str]) -> str:
    # reproducible-builds.org: a decimal count of seconds; anything else (or a time past year 9999,
    # which no report can say) is ignored and the clock is read.
    fixed = env.get("SOURCE_DATE_EPOCH", "")
    seconds = int(fixed) if _EPOCH.fullmatch(fixed) and int(fixed) < 253402300800 else time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _sha(text: str | None) -> str | None:
    return text if text and _SHA.match(text) else None


def web_address(remote: str) -> str | None:
    """``remote`` as an https address with no credentials and no ``.git``; None if it is not one."""
    remote = remote.strip()
    scp = _SCP_REMOTE.match(remote) if "://" not in remote else None
    if scp:
        host, path = scp.groups()
    else:
        parts = urlsplit(remote)
        if parts.scheme not in ("https", "http", "ssh", "git") or not parts.hostname:
            return None
        host = parts.hostname + (f":{parts.port}" if parts.port and parts.scheme in ("https", "http") else "")
        path = parts.path
    path = path.strip("/")
    path = path[:-4] if path.endswith(".git") else path
    if not path or any(c in path for c in "?#@ ") or ".." in path.split("/"):
        return None
    return urlunsplit(("https", host, "/" + path, "", ""))


def git_line(root: Path, *args: str) -> str | None:
    """One line git prints in ``root``, or None (not a repository, no git, no answer in 5 s)."""
    import subprocess  # here: most runs never ask git, and the module costs a one-file run 4 ms

    try:
        done = subprocess.run(["git", "-c", "core.fsmonitor=false", "-C", str(root), *args], capture_output=True,
                              text=True, timeout=5, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    except (OSError, subprocess.SubprocessError):
        return None
    out = done.stdout.strip()
    return out if done.returncode == 0 and out and "\n" not in out else None
