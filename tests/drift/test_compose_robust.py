"""Compose normalization and drift never crash on malformed compose files: the schema reports
them; drift compares what it can and treats the rest as plain values."""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trueup.drift import Context, drift
from trueup.drift.normalize_compose import canonical
from trueup.drift.pair import Side
from trueup.model import Document, Source

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 70000), st.text(max_size=6),
                    st.sampled_from(["80:80", "db", "a=b", "/data:/x:ro", "[::1]:80:80/udp", "service_healthy",
                                     "8000-8002:8000-8002", "9-1:1-9", "${A}", "${A:-x}", "${A:?", "$$", "a 'b",
                                     "a && b", "$(x", "512M", "1m30s", "0.5", "./web", "~/x", "no", "default"]))
FIELDS = st.sampled_from(["ports", "volumes", "environment", "labels", "annotations", "extra_hosts", "depends_on",
                          "networks", "env_file", "dns", "dns_search", "tmpfs", "expose", "healthcheck", "test",
                          "condition", "target", "published", "image", "x", "command", "entrypoint", "build",
                          "context", "dockerfile", "args", "restart", "mem_limit", "cpus", "deploy", "resources",
                          "limits", "memory", "secrets", "source", "type", "bind", "name", "external", "path",
                          "required", "sysctls", "logging", "options", "network_mode", "interval"])
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(FIELDS, inner, max_size=3)), max_leaves=12)
SERVICE = st.one_of(VALUES, st.dictionaries(FIELDS, VALUES, max_size=5))
COMPOSE = st.fixed_dictionaries({"services": st.one_of(VALUES, st.dictionaries(st.sampled_from(["db", "web"]), SERVICE, max_size=2))},
                                optional={"volumes": VALUES, "networks": VALUES, "version": SCALARS, "name": SCALARS,
                                          "secrets": VALUES})


def _side(data: Any, root: str) -> Side:
    source = Source(file=f"{root}/compose.yaml", name="compose.yaml", text="", format="yaml")
    return Side("compose.yaml", [Document(data, source, kind="compose")])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(COMPOSE, COMPOSE)
def test_malformed_compose_files_drift_without_crashing(desired: Any, live: Any) -> None:
    canonical(desired)
    for finding in drift([_side(desired, "d")], [_side(live, "l")], Context()):
        assert finding.rule.startswith("drift.")
    assert list(drift([_side(desired, "d")], [_side(desired, "l")], Context())) == []

