"""drift.compose_units: compose byte sizes, durations and CPU counts read as the numbers compose holds."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.drift.compose_units import SERVICE_UNITS, apply_units, parse_bytes, parse_cpus, parse_duration

KI, MI, GI = 1024, 1024 ** 2, 1024 ** 3
SECOND = 1_000_000_000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("512M", 512 * MI), ("512m", 512 * MI), ("512mb", 512 * MI), ("512MiB", 512 * MI), ("512mib", 512 * MI),
        ("1g", GI), ("1GB", GI), ("1 KB", KI), ("10b", 10), ("10", 10), ("  42 ", 42), ("0", 0),
        ("-1", -1), ("2tb", 2 * 1024 ** 4), ("1p", 1024 ** 5), ("1.5g", 3 * GI // 2),
        ("0.1k", 102),  # go-units RAMInBytes truncates to int64
        ("1.5", 1),
        (536870912, 536870912), (-1, -1), (0, 0),
        ("1e3", "1e3"), ("abc", "abc"), ("", ""), ("1 k b", "1 k b"), ("1x", "1x"), ("-1k", "-1k"),
        (3.5, 3.5), (True, True), (False, False), (None, None), ([1], [1]), ({"a": 1}, {"a": 1}),
    ],
    ids=lambda v: repr(v),
)
def test_parse_bytes(value: Any, expected: Any) -> None:
    got = parse_bytes(value)
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("90s", 90 * SECOND), ("1m30s", 90 * SECOND), ("1m0s", 60 * SECOND), ("1h5m30s", 3930 * SECOND),
        ("500ms", SECOND // 2), ("10us", 10_000), ("10µs", 10_000), ("10μs", 10_000), ("5ns", 5),
        ("1.5h", 5400 * SECOND), (".5s", SECOND // 2), ("1.s", SECOND), ("1d", 86400 * SECOND),
        ("1w", 7 * 86400 * SECOND), ("0", 0), ("-0", 0), ("-1s", -SECOND), ("+2s", 2 * SECOND),
        ("  10s ", 10 * SECOND), ("1h1h", 7200 * SECOND),
        ("abc", "abc"), ("", ""), ("s", "s"), ("10", "10"), ("1s2", "1s2"), ("1 s", "1 s"), ("-", "-"),
        ("1S", "1S"),  # units are lower case only
        (10, 10), (1.5, 1.5), (None, None), (True, True), (["1s"], ["1s"]),
    ],
    ids=lambda v: repr(v),
)
def test_parse_duration(value: Any, expected: Any) -> None:
    got = parse_duration(value)
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.5", 0.5), (" 2 ", 2.0), ("1e-3", 0.001), ("abc", "abc"), ("", ""),
        (1, 1), (0.5, 0.5), (None, None), (True, True), ([0.5], [0.5]),
    ],
    ids=lambda v: repr(v),
)
def test_parse_cpus(value: Any, expected: Any) -> None:
    got = parse_cpus(value)
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize(
    ("written", "config"),
    [
        ("90s", "1m30s"), ("1h", "1h0m0s"), ("1500ms", "1.5s"), ("0s", "0s"), ("30s", "30s"), ("2m", "2m0s"),
    ],
    ids=["90s", "1h", "1500ms", "0s", "30s", "2m"],
)
def test_a_duration_and_what_compose_config_writes_for_it_are_one_number(written: str, config: str) -> None:
    assert parse_duration(written) == parse_duration(config)


@pytest.mark.parametrize(
    ("written", "config"), [("512M", "536870912"), ("1g", "1073741824"), ("64m", "67108864")],
    ids=["512M", "1g", "64m"],
)
def test_a_size_and_what_compose_config_writes_for_it_are_one_number(written: str, config: str) -> None:
    assert parse_bytes(written) == parse_bytes(config)


def test_apply_units_rewrites_every_unit_field_of_a_service() -> None:
    service = {
        "image": "1g",  # not a unit field
        "mem_limit": "1g", "mem_reservation": "512m", "memswap_limit": -1, "shm_size": "64m",
        "cpus": "1.5", "cpu_percent": "50",
        "build": {"context": ".", "shm_size": "2m"},
        "healthcheck": {"interval": "90s", "timeout": "5s", "start_period": "1m", "start_interval": "500ms",
                        "retries": 3, "test": ["CMD", "true"]},
        "stop_grace_period": "1m30s",
        "volumes": {"/a": {"type": "tmpfs", "tmpfs": {"size": "1k"}}, "/b": "plain", "/c": {"type": "bind"}},
        "deploy": {
            "resources": {"limits": {"cpus": "0.5", "memory": "1m"}, "reservations": {"cpus": "0.25", "memory": "1k"}},
            "restart_policy": {"delay": "5s", "window": "2m"},
            "update_config": {"delay": "10s", "monitor": "1m"},
            "rollback_config": {"delay": "1s", "monitor": "1h"},
        },
    }
    apply_units(service)
    assert service == {
        "image": "1g",
        "mem_limit": GI, "mem_reservation": 512 * MI, "memswap_limit": -1, "shm_size": 64 * MI,
        "cpus": 1.5, "cpu_percent": 50.0,
        "build": {"context": ".", "shm_size": 2 * MI},
        "healthcheck": {"interval": 90 * SECOND, "timeout": 5 * SECOND, "start_period": 60 * SECOND,
                        "start_interval": SECOND // 2, "retries": 3, "test": ["CMD", "true"]},
        "stop_grace_period": 90 * SECOND,
        "volumes": {"/a": {"type": "tmpfs", "tmpfs": {"size": KI}}, "/b": "plain", "/c": {"type": "bind"}},
        "deploy": {
            "resources": {"limits": {"cpus": 0.5, "memory": MI}, "reservations": {"cpus": 0.25, "memory": KI}},
            "restart_policy": {"delay": 5 * SECOND, "window": 120 * SECOND},
            "update_config": {"delay": 10 * SECOND, "monitor": 60 * SECOND},
            "rollback_config": {"delay": SECOND, "monitor": 3600 * SECOND},
        },
    }


@pytest.mark.parametrize(
    "service",
    [
        {},
        {"healthcheck": "not a map"},
        {"healthcheck": None},
        {"deploy": {"resources": ["limits"]}},
        {"volumes": ["/data:/data"]},
        {"build": "./web"},
        {"mem_limit": None},
        {"mem_limit": "lots"},
    ],
    ids=["empty", "healthcheck-string", "healthcheck-null", "resources-list", "volumes-list", "build-string",
         "null-value", "unparsable"],
)
def test_apply_units_leaves_other_shapes_as_written(service: dict) -> None:
    before = copy.deepcopy(service)
    apply_units(service)
    assert service == before


def test_every_unit_shape_is_rooted_at_a_service_key() -> None:
    assert {shape[0] for shape in SERVICE_UNITS} == {
        "mem_limit", "mem_reservation", "memswap_limit", "shm_size", "build", "deploy", "volumes", "cpus",
        "cpu_percent", "healthcheck", "stop_grace_period"}


SIZES = st.builds(lambda n, u, i, b: f"{n}{u}{i}{b}", st.integers(0, 10_000), st.sampled_from(["", "k", "M", "g", "T"]),
                  st.sampled_from(["", "i"]), st.sampled_from(["", "b", "B"]))
NANOS = {"h": 3600 * SECOND, "m": 60 * SECOND, "s": SECOND, "ms": 1_000_000, "us": 1_000, "ns": 1}
DURATION_PARTS = st.lists(st.tuples(st.integers(0, 999), st.sampled_from(sorted(NANOS))), min_size=1, max_size=4)


@settings(max_examples=150, deadline=None, database=None)
@given(SIZES)
def test_parse_bytes_is_idempotent_and_a_power_of_1024(text: str) -> None:
    once = parse_bytes(text)
    assert parse_bytes(once) == once
    digits = int("".join(c for c in text if c.isdigit()))
    letter = next((c.lower() for c in text if c.lower() in "kmgt"), None)
    assert once == digits * 1024 ** {None: 0, "k": 1, "m": 2, "g": 3, "t": 4}[letter]


@settings(max_examples=150, deadline=None, database=None)
@given(DURATION_PARTS)
def test_parse_duration_sums_its_parts_and_is_idempotent(parts: list[tuple[int, str]]) -> None:
    text = "".join(f"{n}{unit}" for n, unit in parts)
    once = parse_duration(text)
    assert once == sum(n * NANOS[unit] for n, unit in parts)
    assert parse_duration(once) == once
    assert parse_duration("-" + text) == -once
