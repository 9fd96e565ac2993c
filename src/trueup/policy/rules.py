"""A rule is data: match a document, select values by pointer glob, assert a JSON Schema on each.

The interpreter compiles each rule's schema once; ``Rule.check(doc)`` yields a
finding per selected value that fails, at the failing value's own pointer (a
``required`` failure points at the value that lacks the field). A required key whose
value is null counts as absent, as Kubernetes and compose read it (``folds.without_nulls``).

A rule's ``message`` says what is wrong, with the value: ``{value}`` is the failing value
(masked when secret, quoted when a string), ``{key}`` the last step of its pointer, ``{name}``
the ``name`` of the selected value or of the nearest object around it that has one (a
container's, a volume's, an env entry's; else its own key), ``{container}`` the name of the
container it is in, ``{service}`` the compose service it is in. A message may be two: ``absent`` (the field is missing or null) and ``present``
(it holds a wrong value). The title says the goal and names the rule in docs.

``match.kinds`` may name ``@workloads`` (every kind with a pod template, ReplicationController
included) and ``@namespaced`` (every kind not cluster-scoped).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterator


from ..globs import match_any
from ..mask import display_value
from ..model import CLUSTER_SCOPED_KINDS, Document, Finding, Severity, finding_at
from ..pointer import array_index, join_pointer, split_pointer, value_at
from .bestmatch import best_path
from .fastcheck import Unsupported, compile_check
from .folds import CleanedValues
from .select import POD_SPEC, expand, select


@dataclass
class Rule:
    id: str
    title: str
    severity: Severity
    description: str
    remediation: str
    pack: str
    kinds: tuple[str, ...]
    object_kinds: tuple[str, ...]
    api_versions: tuple[str, ...]
    files: tuple[str, ...]
    selects: tuple[str, ...]
    schema: Any
    message: str | dict[str, str] | None = None
    fix: tuple[dict, ...] = ()
    source: str = ""
    fold: tuple[str, ...] = ()
    peers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    namespaced: bool = False  # ``@namespaced``: every kind that is not cluster-scoped
    not_files: tuple[str, ...] = ()  # globs over the file's path that the rule leaves alone
    not_objects: tuple[str, ...] = ()  # globs over a Kubernetes object's Kind/name that the rule leaves alone
    profile: str = "standard"  # the smallest profile that runs it: minimal, standard or strict
    _validator: Any = None
    _required: Any = None
    _fast: Any = False  # False: not compiled yet; None: no fast check for this schema

    @property
    def by_name(self) -> bool:
        """Whether ``applies`` reads the file's name or the object's name (not only the kinds)."""
        return bool(self.files or self.not_files or self.not_objects)

    def applies(self, doc: Document) -> bool:
        if self.kinds and doc.kind not in self.kinds:
            return False
        data = doc.data if isinstance(doc.data, dict) else {}
        kind = data.get("kind")
        if self.namespaced and (not isinstance(kind, str) or kind in CLUSTER_SCOPED_KINDS) \
                and kind not in self.object_kinds:
            return False
        if self.object_kinds and not self.namespaced and kind not in self.object_kinds:
            return False
        if self.api_versions and data.get("apiVersion") not in self.api_versions:
            return False
        if self.not_files and match_any(self.not_files, doc.source.name):
            return False
        named = _object_name(data) if self.not_objects else None
        if named is not None and match_any(self.not_objects, named):
            return False
        return not self.files or match_any(self.files, doc.source.name)

    @property
    def validator(self) -> Any:
        if self._validator is None:
            from jsonschema import Draft202012Validator  # only for what fastcheck cannot explain

            self._validator = Draft202012Validator(self.schema)
        return self._validator

    @property
    def required_names(self) -> frozenset[str]:
        """Every name a ``required`` of the rule's schema lists."""
        if self._required is None:
            self._required = frozenset(_required_names(self.schema))
        return self._required

    @property
    def fast(self) -> Any:
        """A plain-Python yes for values that pass (``fastcheck``); jsonschema explains the rest."""
        if self._fast is False:
            self._fast = compile_check(self.schema)
        return self._fast

    @property
    def forbidden(self) -> str | None:
        """The pattern of a rule that only forbids strings matching it (``not: {type: string,
        pattern: P}``): the one-walk pass tests all such patterns with one search per string."""
        schema = self.schema
        if isinstance(schema, dict) and schema.keys() == {"not"}:
            inner = schema["not"]
            if isinstance(inner, dict) and inner.keys() == {"type", "pattern"} and inner["type"] == "string":
                return str(inner["pattern"])
        return None

    @property
    def everywhere(self) -> bool:
        """Whether the rule looks at every value (``/**``) with a fast check: ``Policy`` walks
        each document once for all such rules instead of once per rule."""
        return self.selects == ("/**",) and self.fast is not None

    def check(self, doc: Document, cleaned: CleanedValues | None = None) -> Iterator[Finding]:
        """``cleaned``: the document's :class:`~.folds.CleanedValues`, shared by its rules (each
        selected value is cleaned of nulls and folded once for all of them)."""
        kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
        fast = self.fast
        cleaned = cleaned if cleaned is not None else CleanedValues()
        for pattern in self.selects:
            for concrete in expand(pattern, kind):
                for pointer, value in select(doc.data, concrete):
                    value = cleaned(value)
                    for name in self.fold:
                        value = cleaned.fold(name, value, pointer, doc)
                    if fast is not None and fast(value):
                        continue
                    finding = self.explain(doc, pointer, value)
                    if finding is not None:
                        yield finding

    def explain(self, doc: Document, pointer: str, value: Any) -> Finding | None:
        """The finding for ``value`` (at ``pointer``) if it fails the rule's schema, else None."""
        try:
            path = best_path(self.schema, value)
        except Unsupported:
            from jsonschema.exceptions import best_match

            error = best_match(self.validator.iter_errors(value))
            path = None if error is None else tuple(error.absolute_path)
        if path is None:
            return None
        at = pointer + join_pointer(path)
        failing = value_at(doc.data, at)
        if isinstance(failing, dict):  # a required key written with no value: point at it
            written = next((k for k, v in failing.items() if v is None and k in self.required_names), None)
            if written is not None:
                at, failing = at + join_pointer((written,)), None
        shown = None if isinstance(failing, (dict, list)) else display_value(doc.data, at, failing, doc.kind)
        template = self.message
        if isinstance(template, dict):
            template = template["absent" if failing is None or isinstance(failing, (dict, list)) else "present"]
        folded = value_at(value, join_pointer(path)) if isinstance(failing, str) and "interpolate" in self.fold else None
        resolved = display_value(doc.data, at, folded, doc.kind) if isinstance(folded, str) and folded != failing else None
        message = self.title if template is None else _message(template, shown, at, doc.data, pointer, resolved)
        return finding_at(doc, at, rule=self.id, severity=self.severity, message=message, desired=shown)


def _object_name(data: dict[str, Any]) -> str | None:
    meta = data.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    return f"{data.get('kind')}/{name}" if isinstance(name, str) else None


def _required_names(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        required = schema.get("required")
        if isinstance(required, list):
            yield from (n for n in required if isinstance(n, str))
        for value in schema.values():
            yield from _required_names(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _required_names(value)


_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


def _message(template: str, shown: Any, at: str, data: Any, pointer: str, resolved: Any = None) -> str:
    """The rule's message with ``{value}``, ``{key}``, ``{name}``, ``{container}`` and ``{service}`` filled in."""
    tokens, own = split_pointer(at), split_pointer(pointer)
    container = service = name = None
    chain = [data]  # chain[n]: the value at own[:n], as value_at finds it (None where it does not resolve)
    for token in own:
        node = chain[-1]
        if isinstance(node, dict):
            chain.append(node.get(token))
        elif isinstance(node, list) and (index := array_index(token, len(node))) is not None:
            chain.append(node[index])
        else:
            chain.append(None)
    for end in range(len(own), 0, -1):
        here = chain[end]
        named = here.get("name") if isinstance(here, dict) else None
        if name is None and isinstance(named, str):
            name = named
        if container is None and end >= 2 and own[end - 2] in _CONTAINER_LISTS and isinstance(named, str):
            container = named
    if len(own) >= 2 and own[0] == "services":
        service = own[1]
    value = json.dumps(shown, ensure_ascii=False) if isinstance(shown, str) or shown is None else (
        json.dumps(shown) if isinstance(shown, bool) else str(shown))
    if resolved is not None:  # a compose value with ${VAR}: what compose runs, beside what is written
        value += f" (compose resolves it to {json.dumps(resolved, ensure_ascii=False)})"
    fields = {"{value}": value, "{key}": tokens[-1] if tokens else "", "{container}": container or "",
              "{service}": service or "", "{name}": name or service or (own[-1] if own else "")}
    for placeholder, text in fields.items():
        template = template.replace(placeholder, text)
    return template


def rule_from_data(raw: dict[str, Any], pack: str, source: str) -> Rule:
    match = raw["match"]
    kind = match["kind"]
    kinds = () if kind == "any" else (kind,) if isinstance(kind, str) else tuple(kind)
    selects = raw["select"]

    def strings(value: Any) -> tuple[str, ...]:
        return () if value is None else (value,) if isinstance(value, str) else tuple(value)

    object_kinds: list[str] = []
    for kind_name in strings(match.get("kinds")):
        object_kinds += list(POD_SPEC) if kind_name == "@workloads" else [] if kind_name == "@namespaced" else [kind_name]
    return Rule(
        id=raw["id"], title=raw["title"], severity=Severity.parse(raw["severity"]),
        description=raw["description"].strip(), remediation=raw["remediation"].strip(), pack=pack,
        kinds=kinds, object_kinds=tuple(dict.fromkeys(object_kinds)), api_versions=strings(match.get("apiVersions")),
        files=strings(match.get("files")), selects=strings(selects), schema=raw["assert"],
        message=raw.get("message"), fix=tuple(raw.get("fix", ())), source=source, fold=strings(raw.get("fold")),
        peers={tool: strings(ids) for tool, ids in (raw.get("peers") or {}).items()},
        namespaced="@namespaced" in strings(match.get("kinds")), profile=raw.get("profile", "standard"),
        not_files=strings(match.get("not_files")), not_objects=strings(match.get("not_objects")),
    )
