"""patch/compose_ops.py: compose drift as edits of the live file, in the live file's own syntax."""
from __future__ import annotations

from typing import Any

import pytest

from trueup.drift import Context, Side, drift
from trueup.load import load_text
from trueup.patch.compose_ops import DEFAULTS, LISTED, SECTIONS, compose_change

S = "services:\n  api:\n    image: x\n"


def _changes(desired: str, live: str) -> list[tuple[str, str, str, Any, str, Any]]:
    """(difference kind, change kind, live pointer, value written, desired pointer, live value) per difference."""
    deltas: list = []
    d = load_text(desired, file="d/compose.yaml", name="compose.yaml", fmt="yaml").documents
    l = load_text(live, file="l/compose.yaml", name="compose.yaml", fmt="yaml").documents
    list(drift([Side("compose.yaml", d)], [Side("compose.yaml", l)], Context(changes=deltas)))
    out = []
    for delta in deltas:
        assert delta.canon is not None
        cd, cl = delta.canon
        change = compose_change(delta.difference, cd, cl, delta.desired, delta.live)
        assert (change.desired, change.live) == (delta.desired, delta.live)
        out.append((delta.difference.kind, change.kind, change.live_path, change.desired_value, change.desired_path,
                    change.live_value))
    return out


ENV = "/services/api/environment"
PORTS = "/services/api/ports"
CASES = [
    (S + "    environment:\n      - A=1\n      - B=2\n", S + "    environment:\n      - A=0\n",
     [("changed", "changed", f"{ENV}/0", "A=1", f"{ENV}/0", "0"), ("missing", "missing", f"{ENV}/-", "B=2", f"{ENV}/1", None)]),
    (S + "    environment:\n      A: 1\n      B: 2\n", S + "    environment:\n      - A=0\n",
     [("changed", "changed", f"{ENV}/0", "A=1", f"{ENV}/A", "0"), ("missing", "missing", f"{ENV}/-", "B=2", f"{ENV}/B", None)]),
    (S + "    environment:\n      - A=1\n", S + "    environment:\n      A: '0'\n      C: x\n",
     [("changed", "changed", f"{ENV}/A", "1", f"{ENV}/0", "0"), ("extra", "extra", f"{ENV}/C", None, f"{ENV}/C", "x")]),
    (S + "    environment:\n      - A=1\n", S + "    environment:\n      - A=1\n      - C=x\n",
     [("extra", "extra", f"{ENV}/1", None, f"{ENV}/C", "x")]),
    (S + "    labels:\n      - a=1\n", S + "    labels:\n      - a=2\n",
     [("changed", "changed", "/services/api/labels/0", "a=1", "/services/api/labels/0", "2")]),
    (S + '    ports:\n      - "80:80"\n      - "443:443"\n', S + '    ports:\n      - "80:80"\n',
     [("missing", "missing", f"{PORTS}/-", "443:443", f"{PORTS}/1", None)]),
    (S + '    ports:\n      - "80-81:80-81"\n', S + '    ports:\n      - "80:80"\n',
     [("missing", "missing", f"{PORTS}/-", "81:81", f"{PORTS}/0", None)]),
    (S + "    ports:\n      - target: 80\n        published: 8080\n", S + '    ports:\n      - "9090:80"\n',
     [("missing", "missing", f"{PORTS}/-", {"target": 80, "published": 8080}, f"{PORTS}/0", None),
      ("extra", "extra", f"{PORTS}/0", None, f"{PORTS}/:9090:80~1tcp",
       {"protocol": "tcp", "mode": "ingress", "target": "80", "published": "9090"})]),
    (S + "    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: d\n",
     S + "    depends_on:\n      - db\n  db:\n    image: d\n",
     [("changed", "changed", "/services/api/depends_on", {"db": {"condition": "service_healthy"}},
       "/services/api/depends_on/db/condition", "service_started")]),
    (S + "    depends_on:\n      - db\n      - c\n  db:\n    image: d\n  c:\n    image: c\n",
     S + "    depends_on:\n      - db\n  db:\n    image: d\n  c:\n    image: c\n",
     [("missing", "missing", "/services/api/depends_on/-", "c", "/services/api/depends_on/1", None)]),
    (S + "    networks:\n      - front\n      - back\nnetworks:\n  front: {}\n  back: {}\n",
     S + "    networks:\n      - front\nnetworks:\n  front: {}\n  back: {}\n",
     [("missing", "missing", "/services/api/networks/-", "back", "/services/api/networks/1", None)]),
    (S + "    volumes:\n      - ./a:/a\n", S + "    volumes:\n      - ./a:/a:ro\n",
     [("extra", "changed", "/services/api/volumes/0", "./a:/a", "/services/api/volumes/0", True)]),
    (S + "    restart: always\n", S, [("missing", "missing", "/services/api/restart", "always", "/services/api/restart", None)]),
    (S, S + "    restart: always\n", [("extra", "extra", "/services/api/restart", None, "/services/api/restart", "always")]),
    (S + "  web:\n    image: w\n", S, [("missing", "missing", "/services/web", {"image": "w"}, "/services/web", None)]),
    (S.replace("image: x", "image: x:1"), S.replace("image: x", "image: x:2"),
     [("changed", "changed", "/services/api/image", "x:1", "/services/api/image", "x:2")]),
]
IDS = ["env-list-item-rewritten-and-appended", "env-map-desired-list-live", "env-map-live", "env-extra-list-item",
       "labels", "port-appended", "one-port-of-a-range", "long-port-short-live", "depends-on-condition-goes-long",
       "depends-on-appended", "network-appended", "volume-mode-rewritten", "field-missing", "field-extra",
       "service-missing", "plain-field"]


@pytest.mark.parametrize("desired, live, expected", CASES, ids=IDS)
def test_compose_change(desired: str, live: str, expected: list) -> None:
    assert _changes(desired, live) == expected


def test_the_sections_it_knows() -> None:
    assert LISTED == {"environment", "labels", "annotations", "extra_hosts", "sysctls"}
    assert SECTIONS == LISTED | {"depends_on", "networks", "ports", "volumes"}
    assert DEFAULTS == {"depends_on": {"condition": "service_started", "required": True}, "networks": {}}
