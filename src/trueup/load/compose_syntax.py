"""Compose short syntaxes, parsed into the long forms ``docker compose config`` writes.

Ports (compose-spec ``05-services.md`` "ports"; compose-go ``types.ParsePortConfig`` over
docker/go-connections ``nat.ParsePortSpec``), volumes (``05-services.md`` "volumes";
compose-go ``format/volume.go``) and command strings (compose-go ``types/command.go``, which
splits with mattn/go-shellwords v1.0.12).
"""
from __future__ import annotations

import posixpath
import re
from typing import Any

_RANGE = re.compile(r"(\d+)(?:-(\d+))?")


def scalar_text(value: Any) -> str | None:
    """A compose scalar as the text compose reads it (``true``/``false`` for booleans); None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_ports(item: Any) -> list[dict[str, Any]]:
    """A port entry as the long-form ports it stands for: a range (``"8000-8002:8000-8002"``)
    is one port per number, as nat.ParsePortSpec expands it; a single container port with a
    host range keeps the range as ``published``. Defaults as compose-go transform/ports.go
    (``protocol: tcp``, ``mode: ingress``); ``target`` and ``published`` as text."""
    if isinstance(item, dict):
        return [parse_port(item)]
    text, _, protocol = str(item).partition("/")
    parts = text.split(":")
    target = parts[-1]
    published = parts[-2] if len(parts) >= 2 else ""
    host_ip = ":".join(parts[:-2])
    if host_ip.startswith("[") and host_ip.endswith("]"):
        host_ip = host_ip[1:-1]  # nat.ParsePortSpec strips the brackets of an IPv6 address
    inner, outer = _RANGE.fullmatch(target), _RANGE.fullmatch(published) if published else None
    base = {"protocol": (protocol or "tcp").lower(), "mode": "ingress"}
    if host_ip:
        base["host_ip"] = host_ip
    if inner is None or (published and outer is None):
        return [parse_port(item)]
    start, end = int(inner.group(1)), int(inner.group(2) or inner.group(1))
    count = end - start + 1
    if count < 1 or count > 65536:
        return [parse_port(item)]
    host_start = int(outer.group(1)) if outer else 0
    host_end = int(outer.group(2) or outer.group(1)) if outer else 0
    if outer and count > 1 and host_end - host_start != end - start:
        return [parse_port(item)]  # compose refuses ranges of two sizes
    ports = []
    for i in range(count):
        port = {**base, "target": str(start + i)}
        if outer:
            port["published"] = f"{host_start}-{host_end}" if count == 1 and host_start != host_end \
                else str(host_start + i)
        ports.append(port)
    return ports


def parse_port(item: Any) -> dict[str, Any]:
    """A compose port, short (``[host_ip:][published:]target[/protocol]``) or long, as the long form."""
    if isinstance(item, dict):
        port = {k: v for k, v in item.items() if v is not None}
        port["target"] = scalar_text(port.get("target"))
        if "published" in port:
            port["published"] = scalar_text(port["published"])
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
        if len(parts) >= 3 and ":".join(parts[:-2]):
            port["host_ip"] = ":".join(parts[:-2])
        if protocol:
            port["protocol"] = protocol
    port["protocol"] = str(port.get("protocol", "tcp")).lower()
    port.setdefault("mode", "ingress")
    return port


def port_key(port: dict[str, Any]) -> str:
    return f"{port.get('host_ip', '')}:{port.get('published', '')}:{port['target']}/{port['protocol']}"


def port_text(port: dict[str, Any]) -> str:
    """One long-form port (no other fields) in short syntax."""
    host = port.get("host_ip", "")
    host = f"[{host}]" if ":" in host else host
    head = ":".join(p for p in (host, port.get("published", "")) if p)
    if host and not port.get("published"):
        head += ":"
    protocol = "" if port["protocol"] == "tcp" else f"/{port['protocol']}"
    return f"{head + ':' if head else ''}{port['target']}{protocol}"


_PROPAGATIONS = {"rprivate", "private", "rshared", "shared", "rslave", "slave"}


def is_host_path(source: str) -> bool:
    """format/volume.go isFilePath: a bind mount's source starts with ``.``, ``/`` or ``~``."""
    return source.startswith((".", "/", "~", "\\\\")) or bool(re.match(r"[A-Za-z]:", source))


def parse_volume(item: Any) -> dict[str, Any]:
    """A volume mount, short (``source:target[:mode]``) or long, as the long form with compose's
    defaults taken out (absence means the default): ``read_only: false``, a bind's
    ``create_host_path: true`` (05-services.md long syntax: defaults to true; format/volume.go
    sets it for short syntax) and empty ``bind:``/``volume:`` sections. Targets are cleaned as
    compose-go does (``path.Clean``)."""
    if isinstance(item, dict):
        volume: dict[str, Any] = dict(item)
    else:
        parts = _volume_parts(str(item))
        if len(parts) == 1:
            volume = {"type": "volume", "target": parts[0]}
        else:
            volume = {"type": "bind" if is_host_path(parts[0]) else "volume", "source": parts[0], "target": parts[1]}
            for option in (parts[2].split(",") if len(parts) > 2 else []):
                if option == "ro":
                    volume["read_only"] = True
                elif option == "nocopy":
                    volume.setdefault("volume", {})["nocopy"] = True
                elif option in ("z", "Z"):
                    volume.setdefault("bind", {})["selinux"] = option
                elif option in _PROPAGATIONS:
                    volume.setdefault("bind", {})["propagation"] = option
    if isinstance(volume.get("target"), str) and volume["target"]:
        volume["target"] = posixpath.normpath(volume["target"]) if volume["target"].startswith("/") \
            else volume["target"]
    if volume.get("read_only") is False:
        del volume["read_only"]
    bind = volume.get("bind")
    if isinstance(bind, dict):
        bind = {k: v for k, v in bind.items() if not (k == "create_host_path" and v is True)}
        volume["bind"] = bind
    for section in ("bind", "volume", "tmpfs", "image"):
        if volume.get(section) == {} or (section in volume and volume[section] is None):
            del volume[section]
    return volume


def _volume_parts(spec: str) -> list[str]:
    """format/volume.go ParseVolume: colon-separated, but a Windows drive letter is not a separator."""
    if len(spec) <= 2:
        return [spec]
    parts, buffer = [], ""
    for i, char in enumerate(spec):
        if char == ":" and not (len(buffer) == 1 and buffer.isalpha() and i == 1):
            parts.append(buffer)
            buffer = ""
        else:
            buffer += char
    parts.append(buffer)
    return parts


class SplitError(ValueError):
    """A command string compose cannot split (an open quote): it refuses the file."""


def split_words(line: str) -> list[str]:
    """A command string split into words as go-shellwords v1.0.12 ``Parse`` (compose-go
    types/command.go) does, with its defaults (no environment, no backticks run): blanks
    separate words; single quotes keep everything; double quotes keep blanks; a backslash
    outside single quotes takes the next character as it is; ``$(...)`` and backticks stay in
    the word; an unquoted ``;``, ``&``, ``|``, ``<`` or ``>`` ends the command (what follows is
    dropped, as compose drops it)."""
    args: list[str] = []
    buf, got = "", False
    escaped = single = double = backquote = dollar = False
    for char in line:
        if escaped:
            buf, escaped, got = buf + char, False, True
            continue
        if char == "\\":
            if single:
                buf += char
            else:
                escaped = True
            continue
        if char in " \t\r\n":
            if single or double or backquote or dollar:
                buf += char
            elif got:
                args.append(buf)
                buf, got = "", False
            continue
        if char == "`" and not single and not double and not dollar:
            backquote = not backquote
        elif char == ")" and not single and not double and not backquote:
            dollar = not dollar
        elif char == "(" and not single and not double and not backquote:
            if dollar or not buf.endswith("$"):
                raise SplitError(line)
            dollar = True
            buf += char
            continue
        elif char == '"' and not single and not dollar:
            got = got or double
            double = not double
            continue
        elif char == "'" and not double and not dollar:
            got = got or single
            single = not single
            continue
        elif char in ";&|<>" and not (single or double or backquote or dollar):
            if char == ">" and buf[:1].isascii() and buf[:1].isdigit():
                got = False  # "2>file": the descriptor is not a word
            break
        buf, got = buf + char, True
    if got:
        args.append(buf)
    if escaped or single or double or backquote or dollar:
        raise SplitError(line)
    return args


def host_entries(items: Any) -> dict[str, Any] | None:
    """extra_hosts as ``{host: ip}``: compose-go types/hostList.go accepts ``host=ip`` and
    ``host:ip`` items (``=`` first) or a mapping, and config writes ``host=ip``."""
    if isinstance(items, dict):
        return {str(k): scalar_text(v) for k, v in items.items()}
    if not isinstance(items, list):
        return None
    out: dict[str, Any] = {}
    for item in items:
        text = str(item)
        sep = "=" if "=" in text else ":" if ":" in text else None
        host, _, ip = text.partition(sep) if sep else (text, "", None)
        out[host] = ip
    return out
