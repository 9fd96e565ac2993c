"""Compose: short and long syntax are one thing. Each is turned into one canonical form.

``"8080:80"`` and ``{target: 80, published: "8080"}`` become the same port;
environment and labels as lists or maps become maps of strings; ``depends_on`` as a
list becomes the map with ``condition: service_started``; the obsolete top-level
``version`` goes. Lists with identity become maps keyed by it, so an element on
one side only is one difference; a top-level volume or network declared ``null``
is the same as ``{}``. ``origins`` maps each canonical element's pointer
back to the element's pointer in the file, for findings.

The form is also the one ``docker compose config`` writes, so a live file it produced
compares equal to the hand-written file it came from: the file is interpolated first
(``compose_interpolate``), ``env_file`` is merged into ``environment`` (``compose_env``),
units become numbers (``compose_units``), short syntaxes their long forms
(``compose_syntax``), and what compose fills in by itself is taken out again: the
implicit ``default`` network, ``<project>_<key>`` resource names, ``restart: "no"``.
Where both are possible, a default is *removed* rather than added:
absence then reads as the default on both sides, and a real difference is one ``missing``
or ``extra`` at a pointer the file has, which the patch writer can edit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..pointer import escape_token, split_pointer
from .compose_env import Project, merge_environment, project_name
from ..load.compose_interpolate import Decoded, Tokens, interpolate
from ..load.compose_syntax import SplitError, parse_port, parse_ports, parse_volume, port_key, scalar_text, split_words
from .compose_units import apply_units

__all__ = ["Canonical", "Project", "canonical", "parse_port"]


@dataclass
class Canonical:
    data: Any
    # canonical pointer -> (pointer in the file, whether the original was a short-syntax scalar)
    origins: dict[str, tuple[str, bool]] = field(default_factory=dict)
    # canonical pointer -> what a value with an unresolved ${VAR} may be live (values; and map keys)
    unresolved: dict[str, Decoded] = field(default_factory=dict)
    unresolved_keys: dict[str, Decoded] = field(default_factory=dict)
    # canonical pointers of environments an env_file that could not be read adds to (unknown keys)
    open_maps: set[str] = field(default_factory=set)

    def original(self, pointer: str) -> str:
        element = self.element(pointer)
        if element is None:
            return pointer
        canonical, where, scalar = element
        return where if scalar else where + pointer[len(canonical):]

    def element(self, pointer: str) -> tuple[str, str, bool] | None:
        """The list element ``pointer`` falls in: its canonical pointer, its pointer in the
        file, and whether it is written in short syntax; None outside such elements."""
        probe = pointer
        while probe:
            found = self.origins.get(probe)
            if found is not None:
                return probe, found[0], found[1]
            probe = probe.rsplit("/", 1)[0]
        return None


def _pairs(items: Any) -> Any:
    """``["A=1", "B"]`` or ``{A: 1, B: null}`` -> ``{"A": "1", "B": None}``; other shapes as they are."""
    if isinstance(items, dict):
        return {str(k): scalar_text(v) for k, v in items.items()}
    if not isinstance(items, list):
        return items
    out: dict[str, str | None] = {}
    for item in items:
        key, sep, value = str(item).partition("=")
        out[key] = value if sep else None
    return out


def _equals(text: str) -> tuple[str, str | None]:
    key, sep, value = text.partition("=")
    return key, (value if sep else None)


def _host(text: str) -> tuple[str, str | None]:
    """extra_hosts items: ``host=ip`` or ``host:ip``, ``=`` first (compose-go types/hostList.go)."""
    sep = "=" if "=" in text else ":" if ":" in text else None
    if sep is None:
        return text, None
    host, _, ip = text.partition(sep)
    return host, ip


# Maps of text however they are written (compose-go types: MappingWithEquals for environment,
# Labels, HostsList for extra_hosts, Mapping for sysctls); annotations as labels.
_LISTED: dict[str, Callable[[str], tuple[str, str | None]]] = {
    "environment": _equals, "labels": _equals, "annotations": _equals, "extra_hosts": _host, "sysctls": _equals,
}


class _Builder:
    def __init__(self, project: Project, lookup: Callable[[str], str | None], tokens: Tokens) -> None:
        self.origins: dict[str, tuple[str, bool]] = {}
        self.open_maps: set[str] = set()
        self.project, self.lookup, self.tokens = project, lookup, tokens

    def keyed(self, base: str, items: list, key_of: Callable[[dict], str],
              convert: Callable[[Any], list[dict]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for index, item in enumerate(items):
            for value in convert(item):
                key = key_of(value)
                out[key] = value
                self.origins[f"{base}/{escape_token(key)}"] = (f"{base}/{index}", not isinstance(item, dict))
        return out

    def listed_map(self, base: str, items: Any, split: Callable[[str], tuple[str, str | None]] = _equals,
                   convert: Callable[[Any], Any] = scalar_text) -> dict[str, Any]:
        """A list of names (or ``K=V`` strings) as a map; a map stays a map."""
        if isinstance(items, dict):
            return {str(k): convert(v) for k, v in items.items()}
        out: dict[str, Any] = {}
        for index, item in enumerate(items if isinstance(items, list) else []):
            key, value = split(str(item))
            out[key] = convert(value)
            self.origins[f"{base}/{escape_token(key)}"] = (f"{base}/{index}", True)
        return out

    def service(self, base: str, service: dict[str, Any]) -> dict[str, Any]:
        """One canonical form for each syntax compose accepts; a field of any other shape (an
        invalid file, which the schema reports) is compared as it is written."""
        out = dict(service)
        if isinstance(out.get("ports"), list):
            out["ports"] = self.keyed(f"{base}/ports", out["ports"], port_key, parse_ports)
        if isinstance(out.get("volumes"), list):
            out["volumes"] = self.keyed(f"{base}/volumes", out["volumes"], lambda v: str(v.get("target")),
                                        lambda v: [parse_volume(v)])
        for name, split in _LISTED.items():
            if isinstance(out.get(name), (list, dict)):
                out[name] = self.listed_map(f"{base}/{name}", out[name], split)
        if not merge_environment(out, self.project, self.lookup, self.tokens):
            self.open_maps.add(f"{base}/environment")
        deps = out.get("depends_on")
        if isinstance(deps, (list, dict)):
            if isinstance(deps, list):
                deps = self.listed_map(f"{base}/depends_on", deps, convert=lambda v: {})
            out["depends_on"] = {name: _dependency(spec) for name, spec in deps.items()}
        self._networks(base, out)
        for name in ("env_file", "dns", "dns_search", "tmpfs"):
            if isinstance(out.get(name), str):
                out[name] = [out[name]]
        if isinstance(out.get("expose"), list):
            out["expose"] = [scalar_text(e) for e in out["expose"]]
        for name in ("command", "entrypoint"):
            if name in out:
                out[name] = _words(out[name])
        check = out.get("healthcheck")
        if isinstance(check, dict) and isinstance(check.get("test"), str):
            out["healthcheck"] = {**check, "test": ["CMD-SHELL", check["test"]]}
        _build(out, self.lookup)
        if out.get("restart") == "no":  # 05-services.md "restart": `no` is the default policy
            del out["restart"]
        if out.get("pull_policy") == "if_not_present":  # compose-go loader/normalize.go
            out["pull_policy"] = "missing"
        for name in ("secrets", "configs"):
            if isinstance(out.get(name), list):
                out[name] = [_file_mount(item, name) for item in out[name]]
        if isinstance(out.get("logging"), dict) and isinstance(out["logging"].get("options"), dict):
            out["logging"] = {**out["logging"], "options": _pairs(out["logging"]["options"])}
        apply_units(out)
        return out

    def _networks(self, base: str, out: dict[str, Any]) -> None:
        """compose-go loader/normalize.go normalizeNetworks: a service with no networks (or an
        empty section), and no network_mode or provider, is attached to ``default``; that
        implicit attachment is taken out again, so it reads as absence on both sides."""
        nets = out.get("networks")
        if isinstance(nets, list):
            nets = self.listed_map(f"{base}/networks", nets, convert=lambda v: {})
        elif isinstance(nets, dict):
            nets = {k: (v if v is not None else {}) for k, v in nets.items()}
        if "networks" in out:
            out["networks"] = nets
        if "network_mode" in out or "provider" in out:
            return
        if nets == {"default": {}} or nets == {}:
            del out["networks"]


def _dependency(spec: Any) -> Any:
    """depends_on entry with compose-go transform/dependson.go defaults; ``restart: false`` is absence."""
    if not (isinstance(spec, dict) or spec is None):
        return spec
    out = {"condition": "service_started", "required": True, **(spec or {})}
    if out.get("restart") is False:
        del out["restart"]
    return out


def _words(value: Any) -> Any:
    """command/entrypoint: a string is split as compose splits it (compose_syntax.split_words)."""
    if not isinstance(value, str):
        return value
    try:
        return split_words(value)
    except SplitError:
        return value


def _build(out: dict[str, Any], lookup: Callable[[str], str | None]) -> None:
    """``build: ./web`` is ``{context: ./web}`` (compose-go transform/build.go); ``context``
    defaults to ``.`` and ``dockerfile`` to ``Dockerfile`` (loader/normalize.go fills both in,
    and so does this: a changed Dockerfile is then one ``changed``); ``args`` as a map of text,
    a bare name taking the project variable and going when there is none (``resolve``)."""
    build = out.get("build")
    if isinstance(build, str):
        build = {"context": build}
    if not isinstance(build, dict):
        return
    build = dict(build)
    build.setdefault("context", ".")
    if "dockerfile" not in build and "dockerfile_inline" not in build:
        build["dockerfile"] = "Dockerfile"
    if isinstance(build.get("args"), (list, dict)):
        args = {k: (v if v is not None else lookup(k)) for k, v in _pairs(build["args"]).items()}
        build["args"] = {k: v for k, v in args.items() if v is not None}
    out["build"] = build


def _file_mount(item: Any, section: str) -> Any:
    """A service's secret or config: a name is ``{source: name}`` (compose-go
    transform/secrets.go), a secret's target defaulting to ``/run/secrets/<source>``."""
    mount = {"source": item} if isinstance(item, str) else item
    if section == "secrets" and isinstance(mount, dict) and "target" not in mount \
            and isinstance(mount.get("source"), str):
        mount = {**mount, "target": f"/run/secrets/{mount['source']}"}
    return mount


def _resources(out: dict[str, Any], name: str | None) -> None:
    """Top-level volumes, networks, configs, secrets: ``null`` is ``{}``; the name compose gives
    by itself (compose-go loader/normalize.go setNameFromKey: ``<project>_<key>``, or the key of
    an external resource) is taken out; ``external: {name: x}`` is ``name: x, external: true``
    (transform/external.go); ``external: false`` is absence; the implicit ``default`` network,
    once nothing is left of it, goes."""
    for section in ("volumes", "networks", "configs", "secrets"):
        if not isinstance(out.get(section), dict):
            continue
        resources = {}
        for key, spec in out[section].items():
            spec = {} if spec is None else spec
            if isinstance(spec, dict):
                spec = dict(spec)
                external = spec.get("external")
                if isinstance(external, dict):
                    spec["external"] = True
                    if "name" in external and "name" not in spec:
                        spec["name"] = external["name"]
                if spec.get("external") is False:
                    del spec["external"]
                implicit = str(key) if spec.get("external") is True else f"{name}_{key}" if name else None
                if implicit is not None and spec.get("name") == implicit:
                    del spec["name"]
            resources[key] = spec
        if section == "networks" and resources.get("default") == {}:
            del resources["default"]
            if not resources:
                del out[section]
                continue
        out[section] = resources


def canonical(data: Any, project: Project | None = None) -> Canonical:
    """The canonical form of one compose file; ``project`` gives its ``.env`` variables and
    where its ``env_file`` entries are read (none: defaults only, env files unknown)."""
    if not isinstance(data, dict):
        return Canonical(data)
    project = project or Project()
    tokens = Tokens()
    env = dict(project.env)
    raw_name = data.get("name")
    name = interpolate(raw_name, env.get, tokens) if isinstance(raw_name, str) else None
    effective = project_name({"name": name} if not tokens.holds(name) else {}, env)
    if effective is not None:  # 04-version-and-name.md: exposed to interpolation
        env["COMPOSE_PROJECT_NAME"] = effective
    data = interpolate(data, env.get, tokens)
    builder = _Builder(project, env.get, tokens)
    out = {k: v for k, v in data.items() if k != "version"}
    services = out.get("services")
    if isinstance(services, dict):
        out["services"] = {
            name: builder.service(f"/services/{escape_token(str(name))}", svc) if isinstance(svc, dict) else svc
            for name, svc in services.items()
        }
    own = project_name(out, project.env) if not tokens.holds(out.get("name")) else None
    if own is not None:
        out["name"] = own
    _resources(out, own or project.fallback_name)
    result = Canonical(out, builder.origins, open_maps=builder.open_maps)
    if tokens.table:
        result.data = _decode(result, tokens, result.data, "")
        result.origins = {_decoded_pointer(tokens, k): v for k, v in result.origins.items()}
    return result


def _decode(result: Canonical, tokens: Tokens, value: Any, pointer: str) -> Any:
    """Tokens of unresolved references back to the text as written; what they may match is
    kept in ``result.unresolved`` (values) and ``result.unresolved_keys`` (map keys)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            text, decoded = tokens.decode(key) if isinstance(key, str) else (key, None)
            here = f"{pointer}/{escape_token(str(text))}"
            if decoded is not None:
                result.unresolved_keys[here] = decoded
            out[text] = _decode(result, tokens, item, here)
        return out
    if isinstance(value, list):
        return [_decode(result, tokens, item, f"{pointer}/{i}") for i, item in enumerate(value)]
    if isinstance(value, str):
        text, decoded = tokens.decode(value)
        if decoded is not None:
            result.unresolved[pointer] = decoded
        return text
    return value


def _decoded_pointer(tokens: Tokens, pointer: str) -> str:
    if not tokens.holds(pointer):
        return pointer
    return "".join("/" + escape_token(tokens.decode(t)[0]) for t in split_pointer(pointer))

