"""What a patch is made of, shared by every step that plans, writes or applies one: a Change (one
difference, with its real values), a FileEdit (a live file's new text), and the diffs of them,
masked where they would show a secret."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..errors import TrueupError
from ..load import load_text
from ..mask import holds_secret
from ..model import Document, Source
from . import linediff


@dataclass
class Change:
    """One difference with its real values: where it is live, and what desired wants there."""

    kind: str  # changed | missing | extra
    desired: Document
    live: Document
    desired_path: str
    live_path: str
    desired_value: Any
    live_value: Any
    namespace: str = "default"
    reverse: Any = None  # () -> Change: the edit of the desired file instead, for --direction adopt


def _secret(doc: Document) -> bool:
    return holds_secret(doc.data, doc.kind)


def masked_diff(diff: str, texts: Sequence[str], source: Source) -> str | None:
    """``diff`` with the secret values of every document of ``texts`` masked (None: a text does not parse)."""
    from ..mask import mask_in_text, secret_values

    values: list[Any] = []
    for text in texts:
        if not text:
            continue
        try:
            loaded = load_text(text, file=source.file, name=source.name, fmt=source.format)
        except TrueupError:
            return None
        for doc in loaded.documents:
            values.extend(secret_values(doc.data, kind=doc.kind))
    return mask_in_text(diff, values)


def text_holds_secret(text: str, source: Source) -> bool:
    """Whether any document of the text would be masked on display (unreadable text counts as yes)."""
    try:
        loaded = load_text(text, file=source.file, name=source.name, fmt=source.format)
    except TrueupError:
        return True
    return any(_secret(doc) for doc in loaded.documents)


def unified_diff(old: str, new: str, name: str) -> str:
    """A git-apply-able diff; a last line without a newline gets git's marker."""
    out = []
    for line in linediff.unified(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 f"a/{name}", f"b/{name}"):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def relative_name(name: str) -> str:
    """A file name for diff headers and patch paths: relative to the working directory where it can be."""
    path = Path(name)
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.relative_to(path.anchor).as_posix()


@dataclass
class FileEdit:
    """A live file's new text, and what is needed to write it safely."""

    name: str
    source: Source
    text: str
    secret: bool
    deleted: bool = False  # nothing is left in it: the file goes

    @property
    def diff(self) -> str:
        diff = unified_diff(self.source.text, self.text, self.name)
        return diff.replace(f"+++ b/{self.name}\n", "+++ /dev/null\n", 1) if self.deleted else diff

    def shown_diff(self) -> str | None:
        """The diff as it may be printed: every secret value of the file, before and after, masked;
        None when the file cannot be read well enough to know them (then nothing is shown)."""
        if not self.secret:
            return self.diff
        return masked_diff(self.diff, [self.source.text, self.text], self.source)
