"""Compose scalar units: byte sizes, durations and CPU counts as numbers.

``docker compose config`` writes what it parsed, not what was written: ``mem_limit: 512M``
comes back as ``"536870912"``, ``interval: 90s`` as ``1m30s``, ``cpus: "0.5"`` as ``0.5``.
Each side is read into the number compose holds, so the two spellings compare equal; a
value that does not parse is left as written (the schema reports it).
"""
from __future__ import annotations

import re
from typing import Any

# Byte values. compose-spec 11-extension.md ("Specifying byte values": b, k/kb, m/mb, g/gb);
# compose-go types/bytes.go parses them with docker/go-units RAMInBytes (size.go): powers of
# 1024, the unit letter case-insensitive, an optional "i" and "b", a space allowed before it,
# t and p too; a plain integer (negative included) is a number of bytes.
_SIZE = re.compile(r"(\d+(?:\.\d+)?) ?([kmgtp])?i?b?", re.IGNORECASE)
_POWERS = {None: 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}


def parse_bytes(value: Any) -> Any:
    """``"512M"`` -> 536870912; an int stays; anything else is returned unchanged."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return value
    if isinstance(value, int):
        return value
    text = value.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    found = _SIZE.fullmatch(text)
    if found is None:
        return value
    unit = found.group(2).lower() if found.group(2) else None
    return int(float(found.group(1)) * 1024 ** _POWERS[unit])


# Durations. compose-spec 11-extension.md ("Specifying durations": {value}{unit}, us ms s m h,
# combinable as 1h5m30s); compose-go types/duration.go reads them with go-str2duration (which
# also knows ns, µs, d and w) and writes Go's time.Duration.String() ("1m30s", "1m0s").
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w)")
_NANOS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
          "m": 60_000_000_000, "h": 3_600_000_000_000, "d": 86_400_000_000_000, "w": 604_800_000_000_000}


def parse_duration(value: Any) -> Any:
    """``"90s"`` and ``"1m30s"`` -> 90000000000 (nanoseconds); unparsable values unchanged."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    if body == "0":
        return 0
    if not body or _PART.sub("", body):
        return value
    total = sum(float(n) * _NANOS[u] for n, u in _PART.findall(body))
    return sign * round(total)


def parse_cpus(value: Any) -> Any:
    """``"0.5"`` -> 0.5: compose-go reads cpus into a float32 (types/types.go ``CPUS``,
    types/cpus.go ``NanoCPUs``) and writes it as a number."""
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return value
    return value


# Where each unit applies, as canonical shapes under a service (compose-go types/types.go,
# types/build.go: the UnitBytes, Duration and float32/NanoCPUs fields); "*" is any key.
SERVICE_UNITS: dict[tuple[str, ...], Any] = {
    **{(k,): parse_bytes for k in ("mem_limit", "mem_reservation", "memswap_limit", "shm_size")},
    ("build", "shm_size"): parse_bytes,
    ("deploy", "resources", "limits", "memory"): parse_bytes,
    ("deploy", "resources", "reservations", "memory"): parse_bytes,
    ("volumes", "*", "tmpfs", "size"): parse_bytes,
    ("cpus",): parse_cpus, ("cpu_percent",): parse_cpus,
    ("deploy", "resources", "limits", "cpus"): parse_cpus,
    ("deploy", "resources", "reservations", "cpus"): parse_cpus,
    **{("healthcheck", k): parse_duration for k in ("interval", "timeout", "start_period", "start_interval")},
    ("stop_grace_period",): parse_duration,
    ("deploy", "restart_policy", "delay"): parse_duration, ("deploy", "restart_policy", "window"): parse_duration,
    **{("deploy", c, k): parse_duration for c in ("update_config", "rollback_config") for k in ("delay", "monitor")},
}


def apply_units(service: dict[str, Any]) -> None:
    """Rewrite, in place, every unit-valued field of one canonical service into its number."""
    for shape, parse in SERVICE_UNITS.items():
        _apply(service, shape, parse)


def _apply(node: Any, shape: tuple[str, ...], parse: Any) -> None:
    if not isinstance(node, dict) or not shape:
        return
    head, rest = shape[0], shape[1:]
    keys = list(node) if head == "*" else [head] if head in node else []
    for key in keys:
        if rest:
            _apply(node[key], rest, parse)
        else:
            node[key] = parse(node[key])
