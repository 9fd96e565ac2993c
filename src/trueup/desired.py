"""Desired state of one environment: merged values, every template rendered, output as Documents."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from .errors import ConfigError, InputError, ParseError
from .globs import match_any
from .load import Limits, Loaded, detect_format, load_path, load_text
from .load.kept import Kept, load_kept
from .mask import add_known_secrets, secret_values
from .model import Document, Finding
from .render import Rendered, is_partial, output_name
from .tree import iter_files, not_found, real_path


@dataclass
class Values:
    data: dict[str, Any]
    findings: list[Finding]
    layers: list[Any] = field(default_factory=list)  # each file's Document, in merge order


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; lists and scalars in ``override`` replace."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def load_values(files: Sequence[Path], root: Path, limits: Limits = Limits()) -> Values:
    merged: dict[str, Any] = {}
    findings: list[Finding] = []
    layers: list[Any] = []
    for path in files:
        display = _display(path, root)
        if not path.is_file():
            raise InputError(not_found(path, "values file not found"), display)
        fmt = detect_format(path.name) or "yaml"
        loaded = load_path(path, file=display, name=display, fmt=fmt, limits=limits, kind="config")
        findings.extend(loaded.findings)
        for doc in loaded.documents:
            if not isinstance(doc.data, dict):
                raise ConfigError("a values file must hold a mapping of names to values", display, 1, 1)
            merged = deep_merge(merged, doc.data)
            layers.append(doc)
            add_known_secrets(secret_values(doc.data))  # a template may write them into any string
    return Values(merged, findings, layers)


def _display(path: Path, root: Path) -> str:
    try:
        return real_path(path).relative_to(real_path(root)).as_posix()
    except ValueError:
        return path.as_posix()


def template_names(templates_root: Path, globs: Sequence[str] = ("**",)) -> list[str]:
    """Templates an environment renders: not partials (a ``_`` path segment), matching ``globs``."""
    if not templates_root.is_dir():
        raise InputError(not_found(templates_root, "templates root not found"), templates_root.as_posix())
    return [
        rel
        for _path, rel in iter_files(templates_root, templates_root.name)
        if not is_partial(rel) and (match_any(globs, rel) or match_any(globs, output_name(rel)))
    ]


def load_rendered(
    rendered: Rendered, display_root: str, limits: Limits = Limits(), kind: str | None = None
) -> Loaded:
    """Parse rendered output; a parse error names the template (the file a person fixes).

    ``kind`` (from the config's target for this output) overrides detection by content.
    """
    file = f"{display_root}/{rendered.template}" if display_root else rendered.template
    fmt = detect_format(rendered.output) or "yaml"
    with _template_errors(rendered, file):
        return load_text(
            rendered.text, file=file, name=rendered.output, fmt=fmt, limits=limits, line_map=rendered.lines,
            kind=kind,
        )


def load_rendered_kept(
    rendered: Rendered, display_root: str, keep: Callable[[Document], bool], limits: Limits = Limits(),
    kind: str | None = None,
) -> Kept:
    """:func:`load_rendered` for a drift shard: only the documents ``keep`` keeps are built."""
    file = f"{display_root}/{rendered.template}" if display_root else rendered.template
    fmt = detect_format(rendered.output) or "yaml"
    with _template_errors(rendered, file):
        return load_kept(rendered.text, file=file, name=rendered.output, fmt=fmt, keep=keep, limits=limits,
                         kind=kind, line_map=rendered.lines)


@contextmanager
def _template_errors(rendered: Rendered, file: str) -> Iterator[None]:
    """A rendered output's parse error, at the template line that wrote the line it names."""
    try:
        yield
    except ParseError as exc:
        line = exc.line
        if line is not None and 1 <= line <= len(rendered.lines):
            line = rendered.lines[line - 1]
        raise ParseError(f"rendered output: {exc.cause}", file, line, exc.column) from None
