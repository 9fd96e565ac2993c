"""Config files drift as their readers read them (trueup.drift.normalize_config)."""
from __future__ import annotations

from pathlib import Path

import pytest

CASES = [
    # (file, desired, live, expected findings: (rule, path, desired, live))
    ("app.ini", "[Server]\nPort = 80\nHost = a\n", "[Server]\nport = 80\nHOST = a\n", []),
    ("app.ini", "[Server]\nPort = 80\n", "[Server]\nport = 81\n", [("drift.changed", "/Server/Port", "80", "81")]),
    ("top.ini", "Debug = true\n[x]\nA = 1\n", "debug = true\n[x]\na = 1\n", []),
    ("sec.ini", "[server]\nport = 80\n", "[Server]\nport = 80\n",
     [("drift.missing", "/server", {"port": "80"}, None), ("drift.extra", "/Server", None, {"port": "80"})]),
    ("a.toml", "workers = 4\n", "workers = 4.0\n", [("drift.changed", "/workers", 4, 4.0)]),
    ("a.toml", "ratio = 0.5\nn = 4\n", "ratio = 0.5\nn = 4\n", []),
    ("a.toml", "on = true\n", "on = 1\n", [("drift.changed", "/on", True, 1)]),
    ("m.yaml", "base: &b {x: 1}\nsvc:\n  <<: *b\n  y: 2\n", "base: {x: 1}\nsvc: {x: 1, y: 2}\n", []),
    ("m.yaml", "base: &b {x: 1}\nsvc:\n  <<: *b\n  x: 3\n", "base: {x: 1}\nsvc: {x: 1}\n",
     [("drift.changed", "/svc/x", 3, 1)]),
    ("j.json", '{"n": 4}', '{"n": 4.0}', []),
]


@pytest.mark.parametrize("name, desired, live, expected", CASES)
def test_config_drift_as_readers_read(trueup, write, tmp_path: Path, name: str, desired: str, live: str,
                                      expected: list) -> None:
    write(f"d/{name}", desired)
    write(f"l/{name}", live)
    result = trueup("drift", "--desired", "d", "--live", "l", "--format", "json", cwd=tmp_path)
    got = [(f["rule"], f["path"], f["desired"], f["live"]) for f in result.json()["findings"]]
    assert got == expected
    assert result.code == (1 if expected else 0)


def test_a_fix_edits_the_live_option_under_its_own_case(trueup, write, tmp_path: Path) -> None:
    write("d/app.ini", "[Server]\nPort = 80\n")
    write("l/app.ini", "[Server]\nport = 81\n")
    result = trueup("drift", "--desired", "d", "--live", "l", "--patches", "out", cwd=tmp_path)
    assert result.code == 1
    patch = (tmp_path / "out" / "l" / "app.ini.patch").read_text()
    assert "-port = 81\n+port = 80\n" in patch
