"""trueup.yaml -> Config, validated against the shipped config schema with errors at the key's line."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ConfigError, ParseError
from .load import Limits, load_path
from .pointer import split_pointer
from .policy.baseline import DEFAULT_FILE, DEFAULT_MAX_DAYS
from .tree import real_path

CONFIG_NAMES = ("trueup.yaml", "trueup.yml")


@dataclass(frozen=True)
class Environment:
    name: str
    values: tuple[str, ...] = ()
    templates: tuple[str, ...] = ("**",)
    namespace: str | None = None


@dataclass(frozen=True)
class Target:
    name: str
    kind: str
    desired: tuple[str, ...]
    live: str | None = None
    environments: tuple[str, ...] | None = None
    namespace: str | None = None
    ignore: tuple[dict, ...] = ()
    # Fields other components write live (drift/k8s-written.yaml) are ignored; True compares
    # them all, a tuple of writer names (their ``by``) compares those.
    compare_written: bool | tuple[str, ...] = False

    def applies_to(self, env: str | None) -> bool:
        return self.environments is None or env in self.environments


@dataclass(frozen=True)
class SchemaMapping:
    files: tuple[str, ...]
    schema: str


@dataclass(frozen=True)
class KubernetesSettings:
    version: str | None = None
    # Unknown fields are errors by default, as ``kubectl apply``'s server-side field validation
    # (``--validate=strict``, the default since Kubernetes 1.27) rejects them.
    strict: bool = True
    missing_schemas: str = "ignore"
    crds: tuple[str, ...] = ()  # files or folders of CustomResourceDefinition manifests
    schema_locations: tuple[str, ...] = ()  # local folders laid out as kubeconform's -schema-location

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> "KubernetesSettings":
        data = dict(raw)
        for key in ("crds", "schema_locations"):
            if key in data:
                data[key] = tuple(data[key])
        return cls(**data)


@dataclass(frozen=True)
class AuditSettings:
    """``audit:``: whether runs append a record (``"ci"``: where CI is set), and where the log is."""

    enabled: bool | str = "ci"
    path: str = ".trueup/audit.jsonl"


@dataclass(frozen=True)
class BaselineSettings:
    """``baselines:``: the accepted-findings file, and how many days an entry may be accepted for."""

    file: str = DEFAULT_FILE
    max_days: int = DEFAULT_MAX_DAYS


@dataclass
class Config:
    """A loaded trueup.yaml; paths in it are relative to ``root`` (the file's directory)."""

    root: Path
    path: Path | None = None
    templates: str = "templates"
    environments: dict[str, Environment] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    schemas: list[SchemaMapping] = field(default_factory=list)
    kubernetes: KubernetesSettings = KubernetesSettings()
    limits: Limits = Limits()
    render_timeout: float = 30.0
    fail_on: str | None = None
    secret_keys: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # globs a directory walk leaves out, besides .gitignore's
    appliers: tuple[str, ...] | None = None  # drift.appliers: field managers that apply git (None: the defaults)
    audit: AuditSettings = AuditSettings()
    baselines: BaselineSettings = BaselineSettings()
    # ``policy:`` as written: packs, profile, disable, severity and the cross-file rules' own settings,
    # read by ``policy.packs.settings_from_config`` (the policy package knows its settings' shape)
    policy: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)  # the whole file, for the result cache's key

    @property
    def display(self) -> str:
        return self.path.name if self.path else "trueup.yaml"

    def target_for(self, rendered: str, env: str | None) -> Target | None:
        """The first target of ``env`` whose desired globs take this rendered path."""
        from .globs import match_any

        return next((t for t in self.targets if t.applies_to(env) and match_any(t.desired, rendered)), None)

    def environment(self, name: str) -> Environment:
        try:
            return self.environments[name]
        except KeyError:
            known = ", ".join(sorted(self.environments)) or "none defined"
            raise ConfigError(f"unknown environment {name!r} (known: {known})", self.display) from None


def find_config(start: Path) -> Path | None:
    """The nearest trueup.yaml in ``start`` or a parent directory."""
    for directory in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
    return None


def _config_schema() -> dict[str, Any]:
    text = resources.files("trueup.schemas").joinpath("config.schema.json").read_text("utf-8")
    return json.loads(text)


def _tuple(value: Any) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _compare_written(value: Any) -> bool | tuple[str, ...]:
    """A target's ``compare_written``: true, false, or the writers (k8s-written.yaml ``by``) to compare."""
    return value if isinstance(value, bool) else _tuple(value)


def load_config(path: Path) -> Config:
    display = path.name
    try:
        loaded = load_path(path, file=display, name=display, fmt="yaml", kind="config")
    except ParseError as exc:
        raise ConfigError(exc.cause, exc.file, exc.line, exc.column) from None
    for finding in loaded.findings:
        raise ConfigError(finding.message, display, finding.line, finding.column)
    if not loaded.documents:
        raise ConfigError("the config is empty", display)
    doc = loaded.documents[0]
    data = doc.data
    _check_schema(data, doc, display)
    for index, location in enumerate((data.get("kubernetes") or {}).get("schema_locations", ())):
        if "://" in location and not location.startswith("file://"):
            line, column = doc.locate(f"/kubernetes/schema_locations/{index}") or (None, None)
            raise ConfigError(f"kubernetes.schema_locations: {location!r} is not a local folder; nothing is "
                              "downloaded at run time (check out the catalog and name the folder)", display, line, column)
    root = real_path(path.parent)
    limits_raw = data.get("limits", {})
    defaults = Limits()
    return Config(
        root=root,
        path=real_path(path),
        templates=data.get("templates", "templates"),
        environments={
            name: Environment(
                name=name,
                values=tuple(env.get("values", ())),
                templates=_tuple(env.get("templates", "**")),
                namespace=env.get("namespace"),
            )
            for name, env in (data.get("environments") or {}).items()
        },
        targets=[
            Target(
                name=t["name"],
                kind=t["kind"],
                desired=_tuple(t["desired"]),
                live=t.get("live"),
                environments=tuple(t["environments"]) if "environments" in t else None,
                namespace=t.get("namespace"),
                ignore=tuple(t.get("ignore", ())),
                compare_written=_compare_written(t.get("compare_written", False)),
            )
            for t in data.get("targets", [])
        ],
        schemas=[SchemaMapping(_tuple(m["files"]), m["schema"]) for m in data.get("schemas", [])],
        kubernetes=KubernetesSettings.from_raw(data.get("kubernetes") or {}),
        exclude=tuple(data.get("exclude", ())),
        appliers=tuple(data["drift"]["appliers"]) if "appliers" in (data.get("drift") or {}) else None,
        limits=Limits(
            max_bytes=limits_raw.get("max_file_bytes", defaults.max_bytes),
            max_depth=limits_raw.get("max_depth", defaults.max_depth),
        ),
        render_timeout=limits_raw.get("render_timeout", 30.0),
        fail_on=data.get("fail_on"),
        secret_keys=tuple((data.get("secrets") or {}).get("keys", ())),
        audit=AuditSettings(**(data.get("audit") or {})),
        baselines=BaselineSettings(**(data.get("baselines") or {})),
        policy=data.get("policy") or {},
        raw=data,
    )


def _check_schema(data: Any, doc: Any, display: str) -> None:
    from jsonschema import Draft202012Validator

    from .validate.messages import explain

    if not isinstance(data, dict):
        raise ConfigError("the config must be a mapping of settings", display, 1, 1)
    validator = Draft202012Validator(_config_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    problems = explain(validator.iter_errors(data))
    if problems:
        pointer, message = problems[0]
        line, column = doc.locate(pointer) or (None, None)
        key = ".".join(split_pointer(pointer)) or "(top level)"  # as written: ``bad/name``, not ``bad~1name``
        raise ConfigError(f"{key}: {message}", display, line, column)


def config_free(root: Path) -> Config:
    """The settings a run has without any trueup.yaml."""
    return Config(root=real_path(root))
