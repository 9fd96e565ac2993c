"""patch/changes.py: drift's differences as edits of the live file, and their reverses for --direction adopt."""
from __future__ import annotations

import pytest

from trueup.drift import Context, Delta, Side, drift
from trueup.drift.compare import Difference
from trueup.load import load_text
from trueup.model import Document, Source
from trueup.patch import Change
from trueup.patch.changes import change_of, changes_of


def _deltas(desired: str, live: str, name: str, namespace: str = "default") -> list[Delta]:
    deltas: list[Delta] = []
    d = load_text(desired, file=f"d/{name}", name=name, fmt="yaml").documents
    l = load_text(live, file=f"l/{name}", name=name, fmt="yaml").documents
    list(drift([Side(name, d)], [Side(name, l)], Context(changes=deltas, namespace=namespace)))
    return deltas


def _fields(change: Change) -> tuple:
    return (change.kind, change.desired.source.file, change.live.source.file, change.desired_path, change.live_path,
            change.desired_value, change.live_value, change.namespace)


def test_config_differences_and_their_reverses() -> None:
    changes = changes_of(_deltas("a: 1\nb: 2\nc: 3\n", "a: 5\nc: 3\nz: 9\n", "app.yaml"))
    assert [_fields(c) for c in changes] == [
        ("changed", "d/app.yaml", "l/app.yaml", "/a", "/a", 1, 5, "default"),
        ("missing", "d/app.yaml", "l/app.yaml", "/b", "/b", 2, None, "default"),
        ("extra", "d/app.yaml", "l/app.yaml", "/z", "/z", None, 9, "default"),
    ]
    assert [_fields(c.reverse()) for c in changes] == [
        ("changed", "l/app.yaml", "d/app.yaml", "/a", "/a", 5, 1, "default"),
        ("extra", "l/app.yaml", "d/app.yaml", "/b", "/b", None, 2, "default"),
        ("missing", "l/app.yaml", "d/app.yaml", "/z", "/z", 9, None, "default"),
    ]


SECRET = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"


def test_secret_payloads_are_written_as_the_file_holds_them() -> None:
    desired = SECRET + "stringData:\n  pw: new-value\ndata:\n  bin: AAEC\n"
    live = SECRET + "data:\n  pw: b2xkLXZhbHVl\n  bin: AAED\n"
    changes = changes_of(_deltas(desired, live, "s.yaml", namespace="shop"))
    assert [_fields(c) for c in changes] == [
        ("changed", "d/s.yaml", "l/s.yaml", "/data/bin", "/data/bin", "AAEC", "AAED", "shop"),
        ("changed", "d/s.yaml", "l/s.yaml", "/stringData/pw", "/data/pw", "bmV3LXZhbHVl", "b2xkLXZhbHVl", "shop"),
    ]
    assert [_fields(c.reverse()) for c in changes] == [
        ("changed", "l/s.yaml", "d/s.yaml", "/data/bin", "/data/bin", "AAED", "AAEC", "shop"),
        ("changed", "l/s.yaml", "d/s.yaml", "/data/pw", "/stringData/pw", "old-value", "new-value", "shop"),
    ]


def _doc(text: str, name: str) -> Document:
    return Document(None, Source(file=name, name=name, text=text, format="yaml"))


@pytest.mark.parametrize("pointer, desired, written_at, written", [
    ("/stringData/k", b"caf\xc3\xa9", "/stringData/k", "café"),
    ("/stringData/k", b"\xff\xfe", "/data/k", "//4="),
    ("/data/k", b"text", "/data/k", "dGV4dA=="),
    ("/spec/k", "plain", "/spec/k", "plain"),
], ids=["string-data-text", "string-data-not-utf8-goes-to-data", "data-base64", "not-bytes"])
def test_a_payload_is_text_under_string_data_else_base64(pointer: str, desired: object, written_at: str,
                                                         written: str) -> None:
    delta = Delta(Difference("changed", pointer, pointer, desired, b"old"), _doc("", "d/s.yaml"), _doc("", "l/s.yaml"),
                  pointer, pointer, None, "ns")
    change = change_of(delta)
    assert (change.live_path, change.desired_value, change.namespace) == (written_at, written, "ns")


def test_compose_differences_are_edits_in_the_live_syntax_both_ways() -> None:
    s = "services:\n  api:\n    image: x\n    environment:\n"
    [delta] = _deltas(s + "      - LOG_LEVEL=debug\n", s + "      LOG_LEVEL: info\n", "compose.yaml")
    change = change_of(delta)
    env = "/services/api/environment"
    assert _fields(change) == ("changed", "d/compose.yaml", "l/compose.yaml", f"{env}/0", f"{env}/LOG_LEVEL",
                               "debug", "info", "default")
    assert _fields(change.reverse()) == ("changed", "l/compose.yaml", "d/compose.yaml", f"{env}/LOG_LEVEL", f"{env}/0",
                                         "LOG_LEVEL=info", "debug", "default")


def test_no_deltas_no_changes() -> None:
    assert changes_of([]) == []
