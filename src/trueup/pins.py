"""Where the hooks and workflows ``trueup init`` writes get trueup from: a repository and a revision
that exist, so the first ``pre-commit run`` and the first workflow run can fetch them.

The installed trueup says where it came from (PEP 610's ``direct_url.json``): installed from a
git URL, that URL at the commit pip resolved; installed from a local checkout, the checkout's
``origin`` at its HEAD commit; installed from a package index, the published repository at the
release's tag. ``trueup init --repo URL --rev REV`` chooses instead. Workflows need a repository on
github.com for ``uses:``; pinned elsewhere, they use the published repository at the release tag.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import __version__

# The published repository: the one name the README, the hooks file, the action and the scaffold use.
PUBLISHED = "https://github.com/trueup-dev/trueup"


@dataclass(frozen=True)
class Pin:
    repo: str  # a git URL pre-commit and pip can fetch
    rev: str  # a tag or commit in it
    why: str  # how it was chosen, for the line init prints

    @property
    def action(self) -> str | None:
        """``owner/name@rev`` for a workflow's ``uses:``, when the repository is on github.com."""
        parts = urlsplit(self.repo)
        path = parts.path.strip("/").removesuffix(".git")
        if parts.hostname != "github.com" or path.count("/") != 1:
            return None
        return f"{path}@{self.rev}"


def installed_pin(direct_url: str | None = None) -> Pin:
    """The pin the running trueup was installed from (``direct_url``: that file's text, for tests)."""
    from .runmeta import git_line, web_address

    if direct_url is None:
        try:
            from importlib.metadata import PackageNotFoundError, distribution

            direct_url = distribution("trueup").read_text("direct_url.json")
        except (PackageNotFoundError, OSError):
            direct_url = None
    try:
        origin = json.loads(direct_url) if direct_url else {}
    except ValueError:
        origin = {}
    vcs = origin.get("vcs_info") if isinstance(origin, dict) else None
    url = str(origin.get("url", "")) if isinstance(origin, dict) else ""
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and isinstance(vcs.get("commit_id"), str):
        return Pin(web_address(url) or url, vcs["commit_id"], "the commit trueup was installed from")
    if url.startswith("file://"):
        checkout = Path(unquote(urlsplit(url).path))
        commit = git_line(checkout, "rev-parse", "HEAD")
        if commit:
            # Its origin when that is a web address, else the checkout itself (pre-commit clones a
            # local path as well): either holds the commit.
            remote = git_line(checkout, "config", "--get", "remote.origin.url")
            repo = (web_address(remote) if remote else None) or str(checkout)
            return Pin(repo, commit, f"the commit of the checkout trueup runs from ({checkout})")
    return Pin(PUBLISHED, f"v{__version__}", f"the release tag of trueup {__version__}")

