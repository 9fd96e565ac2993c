"""Check packs: the built-in ones (``checks/`` in the repository, ``trueup/checks`` in the wheel),
the user's pack directories, and third-party packs registered as Python entry points.

A pack file is validated against ``schemas/rule-pack.schema.json`` and each rule's
``assert`` against its JSON Schema draft, so a broken pack is a config error that
names the file and line, never a crash in the middle of a run.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from .. import installed
from ..errors import ConfigError, ParseError
from ..load import decode, load_text, read_bytes
from ..model import Document, Finding, Severity
from ..tree import not_found, real_path
from .everywhere import every_value
from .folds import CleanedValues
from .rules import Rule, rule_from_data

ENTRY_POINT_GROUP = "trueup.packs"


def builtin_dir() -> Path:
    """Where the built-in packs are: inside the installed package, or the source tree's ``checks/``."""
    shipped = Path(str(resources.files("trueup"))) / "checks"
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[3] / "checks"


def _pack_schema() -> dict[str, Any]:
    return json.loads(resources.files("trueup.schemas").joinpath("rule-pack.schema.json").read_text("utf-8"))


def load_pack(path: Path, display: str, trusted: bool = False, cache: Path | None = None) -> list[Rule]:
    """A pack's rules. ``trusted`` (the built-in packs, checked by the test suite) skips the schema
    checks that a user's or a plugin's pack gets, which keeps a one-file pre-commit run quick; its
    parsed data and rule lines are kept in ``cache`` (a directory) by the file's content."""
    from ..validate.messages import explain

    if trusted:
        data, lines = _trusted_pack(path, display, cache)
        return [rule_from_data(raw, data["pack"], f"{display}:{line}") for raw, line in zip(data["rules"], lines)]
    doc = _pack_document(_pack_bytes(path, display), display)
    from jsonschema import Draft202012Validator  # a user's or a plugin's pack only
    from jsonschema.exceptions import SchemaError as JsonSchemaError

    problems = explain(Draft202012Validator(_pack_schema()).iter_errors(doc.data))
    if problems:
        pointer, message = problems[0]
        line, column = doc.locate(pointer) or (None, None)
        raise ConfigError(f"check pack: {pointer or '(top level)'}: {message}", display, line, column)
    rules = []
    for index, raw in enumerate(doc.data["rules"]):
        line, column = doc.locate(f"/rules/{index}/assert") or (None, None)
        try:
            Draft202012Validator.check_schema(raw["assert"])
        except JsonSchemaError as exc:
            raise ConfigError(f"check pack: rule {raw['id']}: assert is not a valid JSON Schema: {exc.message}",
                              display, line, column) from None
        rules.append(rule_from_data(raw, doc.data["pack"], f"{display}:{line}"))
    return rules


def _pack_bytes(path: Path, display: str) -> bytes:
    try:
        return read_bytes(path, display)
    except ParseError as exc:
        raise ConfigError(f"check pack: {exc.cause}", exc.file, exc.line, exc.column) from None


def _pack_document(raw: bytes, display: str) -> Document:
    """A pack file's one document; what does not read (a syntax error, a duplicate key, nothing) is a
    config error at its line."""
    try:
        loaded = load_text(decode(raw, display), file=display, name=display, fmt="yaml", kind="config")
    except ParseError as exc:
        raise ConfigError(f"check pack: {exc.cause}", exc.file, exc.line, exc.column) from None
    for finding in loaded.findings:
        raise ConfigError(f"check pack: {finding.message}", display, finding.line, finding.column)
    if not loaded.documents:
        raise ConfigError("check pack is empty", display)
    return loaded.documents[0]


_PACK_CACHE = 1  # the format of a cached pack; the key also holds trueup's own code


def _trusted_pack(path: Path, display: str, cache: Path | None) -> tuple[dict[str, Any], list[int | None]]:
    """A built-in pack's data and the line of each rule. Parsing the packs (and composing them again
    for the lines) is most of a one-file run's own work, so the result is kept by the file's
    content and trueup's code as ``marshal`` data (plain data: reading it runs no code), written
    whole or not at all (``safefs.write_atomic``); an entry that cannot be read is parsed again."""
    import hashlib
    import marshal

    from ..cache import code_signature

    raw = _pack_bytes(path, display)
    key = hashlib.sha256(b"%d\0%s\0" % (_PACK_CACHE, code_signature().encode()) + raw).hexdigest()
    name = f"{key}.marshal"
    entry = cache / "packs" / name if cache is not None else None
    if entry is not None:
        try:
            data, lines = marshal.loads(entry.read_bytes())
            if isinstance(data, dict) and isinstance(lines, list) and len(lines) == len(data["rules"]):
                return data, lines
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            pass
    doc = _pack_document(raw, display)
    lines = [(doc.locate(f"/rules/{i}") or (None,))[0] for i in range(len(doc.data["rules"]))]
    if cache is not None:
        from .. import safefs

        try:  # written whole or not at all; a cache that cannot be written is simply not used
            safefs.write_atomic(cache, ("packs", name), marshal.dumps((doc.data, lines)))
        except (OSError, safefs.Unsafe):
            pass
    return doc.data, lines


def _pack_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise ConfigError(not_found(directory, "check pack directory not found"), str(directory))
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def entry_point_dirs() -> Iterator[Path]:
    """Directories (or files) that installed third-party packages register under ``trueup.packs``."""
    for entry in installed.entry_points(ENTRY_POINT_GROUP):
        try:
            target = entry.load()
            found = target() if callable(target) else target
        except Exception as exc:  # a broken plugin is the user's config problem, not a crash
            raise ConfigError(f"check pack entry point {entry.name!r} failed to load: {exc}") from None
        for item in [found] if isinstance(found, (str, Path)) else list(found):
            yield Path(item)


@dataclass
class PolicySettings:
    profile: str = "standard"
    only: tuple[str, ...] = ()  # rule id globs (--rule): these run, whatever the profile, and no others
    skip: tuple[str, ...] = ()  # rule id globs (--skip-rule, alongside the config's disable)
    packs: tuple[str, ...] | None = None
    paths: tuple[Path, ...] = ()
    disable: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    entry_points: bool = True
    raw: dict[str, Any] = field(default_factory=dict)
    cache: Path | None = None  # where the built-in packs' parsed data is kept (None: nowhere)


def load_rules(settings: PolicySettings, root: Path) -> list[Rule]:
    sources: list[tuple[Path, str, bool]] = []
    for path in _pack_files(builtin_dir()):
        if settings.packs is None or path.stem in settings.packs:
            sources.append((path, f"trueup:checks/{path.name}", True))
    for directory in settings.paths:
        full = directory if directory.is_absolute() else root / directory
        sources.extend((p, _display(p, root), False) for p in _pack_files(full))
    if settings.entry_points:
        for item in entry_point_dirs():
            files = _pack_files(item) if item.is_dir() else [item]
            sources.extend((p, str(p), False) for p in files)
    rules: dict[str, Rule] = {}
    for path, display, trusted in sources:
        for rule in load_pack(path, display, trusted, settings.cache):
            if rule.id in rules:
                raise ConfigError(f"rule {rule.id} is defined twice (first in {rules[rule.id].source})", display)
            rules[rule.id] = rule
    for rule_id, severity in settings.severity.items():
        if rule_id in rules:
            rules[rule_id].severity = Severity.parse(severity)
    return [r for r in rules.values() if selected(r, settings)]


# Profiles, each running its own rules and those of the ones before it: minimal (what is a breach
# or an outage on its own), standard (the default: what a reviewer would ask to fix), strict
# (conventions and hardening that many teams choose to skip).
PROFILES = ("minimal", "standard", "strict")


def in_profile(rule: Any, profile: str) -> bool:
    return PROFILES.index(getattr(rule, "profile", "standard")) <= PROFILES.index(profile)


def named(rule_id: str, globs: Sequence[str]) -> bool:
    """Whether a ``--rule``/``--skip-rule`` glob names ``rule_id`` (case ignored)."""
    from fnmatch import fnmatchcase

    return any(fnmatchcase(rule_id.upper(), glob.upper()) for glob in globs)


def selected(rule: Any, settings: PolicySettings) -> bool:
    """Whether the run runs ``rule``: named by ``--rule`` (else in the profile), neither disabled nor skipped."""
    wanted = named(rule.id, settings.only) if settings.only else in_profile(rule, settings.profile)
    return wanted and rule.id not in settings.disable and not named(rule.id, settings.skip)


def _display(path: Path, root: Path) -> str:
    try:
        return real_path(path).relative_to(real_path(root)).as_posix()
    except ValueError:
        return str(path)


class Policy:
    """Every enabled rule: ``check(doc)`` for one document, ``cross(docs)`` for a whole run."""

    def __init__(self, rules: Iterable[Rule], cross_file: Iterable[Any] = (), settings: dict[str, Any] | None = None) -> None:
        self.rules = list(rules)
        self.cross_file = list(cross_file)
        self.settings = settings or {}
        # Per (document kind, object kind, apiVersion): the rules that may apply, in order. Whether a
        # rule applies depends on those three alone unless it names files or objects; those are
        # always candidates, and asked again for each document.
        self._candidates: dict[tuple[Any, Any, Any], list[Rule]] = {}

    def applicable(self, doc: Document) -> list[Rule]:
        """The rules that apply to ``doc``, in their order (what ``Rule.applies`` says of each)."""
        data = doc.data if isinstance(doc.data, dict) else {}
        key = (doc.kind, data.get("kind"), data.get("apiVersion"))
        try:
            candidates = self._candidates.get(key)
        except TypeError:  # an unhashable kind or apiVersion (an invalid document): ask every rule
            return [rule for rule in self.rules if rule.applies(doc)]
        if candidates is None:
            candidates = [rule for rule in self.rules if rule.by_name or rule.applies(doc)]
            if len(self._candidates) < 10_000:  # kinds are few; a file of made-up ones is not kept
                self._candidates[key] = candidates
        return [rule for rule in candidates if not rule.by_name or rule.applies(doc)]

    def check(self, doc: Document, values_only: bool = False) -> Iterator[Finding]:
        """``values_only``: only the rules for any file (``kind: any``, no object kinds), for a
        document that is part of an object (a kustomize patch)."""
        rules = [rule for rule in self.applicable(doc) if not (values_only and (rule.kinds or rule.object_kinds))]
        walked = [rule for rule in rules if rule.everywhere]
        found = every_value(doc, walked) if walked else {}
        cleaned = CleanedValues()
        for rule in rules:
            if rule.everywhere:
                yield from found.get(rule.id, ())
            else:
                yield from rule.check(doc, cleaned)

    def kept(self, doc: Document, partial: bool = False) -> Document | None:
        """What of ``doc`` the cross-file rules that will run read (None: nothing)."""
        from .crossfile import kept

        return kept(doc, [r for r in self.cross_file if not (partial and r.complete)], self.settings)

    def cross(self, documents: Sequence[Document], partial: bool = False) -> Iterator[Finding]:
        """``partial``: the documents are some files of a repository, not a whole environment."""
        for rule in self.cross_file:
            if not (partial and rule.complete):
                yield from rule.run(documents, self.settings)


def load_policy(settings: PolicySettings, root: Path) -> Policy:
    """Pack rules and cross-file rules, with the config's ``disable`` and ``severity`` applied to both."""
    from dataclasses import replace

    from .crossfile import all_rules

    cross = [
        replace(rule, severity=Severity.parse(settings.severity[rule.id])) if rule.id in settings.severity else rule
        for rule in all_rules(settings.entry_points)
        if selected(rule, settings)
    ]
    return Policy(load_rules(settings, root), cross, settings.raw)


def settings_from_config(raw: dict[str, Any] | None) -> PolicySettings:
    raw = raw or {}
    packs = raw.get("packs")
    return PolicySettings(
        profile=raw.get("profile", "standard"),
        packs=tuple(packs) if packs is not None else None,
        paths=tuple(Path(p) for p in raw.get("paths", ())),
        disable=tuple(raw.get("disable", ())),
        severity=dict(raw.get("severity", {})),
        entry_points=raw.get("entry_points", True),
        raw=raw,
    )

