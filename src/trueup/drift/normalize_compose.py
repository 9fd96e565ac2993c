"""Compose: short and long syntax are one thing. Each is turned into one canonical form.

``"8080:80"`` and ``{target: 80, published: "8080"}`` become the same port;
environment and labels as lists or maps become maps of strings; ``depends_on`` as a
list becomes the map with ``condition: service_started``; the obsolete top-level
``version`` goes. Lists with identity become maps keyed by it, so an element on
one side only is one difference; a top-level volume or network declared ``null``
is the same as ``{}``. ``origins`` maps each canonical element's pointer
back to the element's pointer in the file, for findings.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..pointer import escape_token


@dataclass
class Canonical:
    data: Any
    # canonical pointer -> (pointer in the file, whether the original was a short-syntax scalar)
    origins: dict[str, tuple[str, bool]] = field(default_factory=dict)

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


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_port(item: Any) -> dict[str, Any]:
    """A compose port, short (``[host_ip:][published:]target[/protocol]``) or long, as the long form."""
    if isinstance(item, dict):
        port = {k: v for k, v in item.items() if v is not None}
        port["target"] = _text(port.get("target"))
        if "published" in port:
            port["published"] = _text(port["published"])
    else:
        text, _, protocol = str(item).partition("/")
        if text.startswith("["):
            host, _, rest = text[1:].partition("]:")
            parts = [host, *rest.split(":")]
        else:
            parts = text.split(":")
        port = {"target": parts[-1]}
        if len(parts) >= 2 and parts[-2]:
            port["published"] = parts[-2]
        if len(parts) >= 3 and parts[0]:
            port["host_ip"] = parts[0]
        if protocol:
            port["protocol"] = protocol
    port["protocol"] = str(port.get("protocol", "tcp")).lower()
    port.setdefault("mode", "ingress")
    return port


def _port_key(port: dict[str, Any]) -> str:
    return f"{port.get('host_ip', '')}:{port.get('published', '')}:{port['target']}/{port['protocol']}"


def _volume(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return dict(item)
    parts = str(item).split(":")
    if len(parts) == 1:
        return {"type": "volume", "target": parts[0]}
    source, target = parts[0], parts[1]
    kind = "bind" if source.startswith((".", "/", "~")) else "volume"
    volume: dict[str, Any] = {"type": kind, "source": source, "target": target}
    modes = parts[2].split(",") if len(parts) > 2 else []
    if "ro" in modes:
        volume["read_only"] = True
    return volume


def _pairs(items: Any) -> dict[str, str | None]:
    """``["A=1", "B"]`` or ``{A: 1, B: null}`` -> ``{"A": "1", "B": None}``."""
    if isinstance(items, dict):
        return {str(k): _text(v) for k, v in items.items()}
    out: dict[str, str | None] = {}
    for item in items or []:
        key, sep, value = str(item).partition("=")
        out[key] = value if sep else None
    return out


class _Builder:
    def __init__(self) -> None:
        self.origins: dict[str, tuple[str, bool]] = {}

    def keyed(self, base: str, items: Any, key_of: Any, convert: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for index, item in enumerate(items):
            value = convert(item)
            key = key_of(value, item)
            out[key] = value
            self.origins[f"{base}/{escape_token(key)}"] = (f"{base}/{index}", not isinstance(item, dict))
        return out

    def listed_map(self, base: str, items: Any, convert: Any) -> dict[str, Any]:
        """A list of names (or ``K=V`` strings) as a map; a map stays a map."""
        if isinstance(items, dict):
            return {str(k): convert(v) for k, v in items.items()}
        out: dict[str, Any] = {}
        for index, item in enumerate(items if isinstance(items, list) else []):
            key, sep, value = str(item).partition("=")
            out[key] = convert(value if sep else None)
            self.origins[f"{base}/{escape_token(key)}"] = (f"{base}/{index}", True)
        return out

    def service(self, base: str, service: dict[str, Any]) -> dict[str, Any]:
        """One canonical form for each syntax compose accepts; a field of any other shape (an
        invalid file, which the schema reports) is compared as it is written."""
        out = dict(service)
        if isinstance(out.get("ports"), list):
            out["ports"] = self.keyed(f"{base}/ports", out["ports"], lambda p, _: _port_key(p), parse_port)
        if isinstance(out.get("volumes"), list):
            out["volumes"] = self.keyed(f"{base}/volumes", out["volumes"], lambda v, _: str(v.get("target")), _volume)
        for name in ("environment", "labels", "annotations", "extra_hosts"):
            if name in out and isinstance(out[name], list):
                out[name] = self.listed_map(f"{base}/{name}", out[name], lambda v: v)
            elif name in out and isinstance(out[name], dict):
                out[name] = _pairs(out[name])
        deps = out.get("depends_on")
        if isinstance(deps, (list, dict)):
            if isinstance(deps, list):
                deps = self.listed_map(f"{base}/depends_on", deps, lambda v: {})
            out["depends_on"] = {
                name: {"condition": "service_started", "required": True, **(spec or {})}
                if isinstance(spec, dict) or spec is None else spec
                for name, spec in deps.items()
            }
        if isinstance(out.get("networks"), list):
            out["networks"] = self.listed_map(f"{base}/networks", out["networks"], lambda v: {})
        elif isinstance(out.get("networks"), dict):
            out["networks"] = {k: (v or {}) for k, v in out["networks"].items()}
        for name in ("env_file", "dns", "dns_search", "tmpfs"):
            if isinstance(out.get(name), str):
                out[name] = [out[name]]
        if isinstance(out.get("expose"), list):
            out["expose"] = [_text(e) for e in out["expose"]]
        check = out.get("healthcheck")
        if isinstance(check, dict) and isinstance(check.get("test"), str):
            out["healthcheck"] = {**check, "test": ["CMD-SHELL", check["test"]]}
        return out


def canonical(data: Any) -> Canonical:
    if not isinstance(data, dict):
        return Canonical(data)
    builder = _Builder()
    out = {k: v for k, v in data.items() if k != "version"}
    for section in ("volumes", "networks", "configs", "secrets"):
        if isinstance(out.get(section), dict):
            out[section] = {name: (spec if spec is not None else {}) for name, spec in out[section].items()}
    services = out.get("services")
    if isinstance(services, dict):
        out["services"] = {
            name: builder.service(f"/services/{escape_token(name)}", svc) if isinstance(svc, dict) else svc
            for name, svc in services.items()
        }
    return Canonical(out, builder.origins)
