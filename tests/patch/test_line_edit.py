"""Value swaps in JSON, .env, INI and TOML: exact texts, refusals, and git apply end to end."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from trueup.patch.line_edit import replace_values
from trueup.patch.yaml_edit import NotSurgical

CASES = [
    ("json", '{\n  "port": 8080,\n  "name": "a" , "x": [1, 2]\n}\n', [("/port", 9090), ("/name", 'b"c'), ("/x/1", True)],
     '{\n  "port": 9090,\n  "name": "b\\"c" , "x": [1, true]\n}\n'),
    ("dotenv", "# env\nexport A=1\nB = \"two words\"   # note\nC='x'\r\n", [("/A", "hello world"), ("/B", "three"), ("/C", "y")],
     "# env\nexport A=\"hello world\"\nB = \"three\"   # note\nC='y'\r\n"),
    ("ini", "; app\n[server]\nport = 8080\nhost: db\n", [("/server/port", 9090), ("/server/host", "x")],
     "; app\n[server]\nport = 9090\nhost: x\n"),
    ("toml", 'title = "t"\n\n[server]\nport = 8080  # p\nopts = [1,2]\n', [("/server/port", 9090), ("/title", "new")],
     'title = "new"\n\n[server]\nport = 9090  # p\nopts = [1,2]\n'),
]


@pytest.mark.parametrize("fmt, text, edits, expected", CASES, ids=[c[0] for c in CASES])
def test_values_are_swapped_and_nothing_else_moves(fmt: str, text: str, edits: list, expected: str) -> None:
    assert replace_values(text, fmt, edits) == expected


@pytest.mark.parametrize("fmt, text, pointer", [
    ("json", '{"a": {"b": 1}}', "/a"),
    ("toml", "[s]\nopts = [1, 2]\n", "/s/opts"),
    ("toml", 's = """\nmulti\n"""\n', "/s"),
    ("dotenv", 'A="line one\nline two"\n', "/A"),
    ("ini", "[s]\nk = 1\n", "/s/missing"),
])
def test_structural_edits_are_refused(fmt: str, text: str, pointer: str) -> None:
    with pytest.raises(NotSurgical):
        replace_values(text, fmt, [(pointer, 2)])


FILES = {
    "app.json": ('{\n  "port": 8080,\n  "debug": false\n}\n', '{\n  "port": 8081,\n  "debug": true\n}\n'),
    "prod.env": ("# prod\nLOG_LEVEL=info\nWORKERS=4\n", "# prod\nLOG_LEVEL=debug\nWORKERS=4\n"),
    "db.ini": ("[pool]\nsize = 10\n", "[pool]\nsize = 25\n"),
    "limits.toml": ("[api]\nrate = 100\n", "[api]\nrate = 50\n"),
}


def test_patches_for_every_line_format_apply_with_git(trueup, tmp_path: Path) -> None:
    targets = "".join(f"  - {{name: {n.split('.')[0]}, kind: config, desired: '{n}', live: 'live/{n}'}}\n" for n in FILES)
    (tmp_path / "trueup.yaml").write_text(f"version: 1\nenvironments:\n  prod: {{}}\ntargets:\n{targets}policy: {{packs: []}}\n")
    for name, (desired, live) in FILES.items():
        (tmp_path / "templates").mkdir(exist_ok=True)
        (tmp_path / "live").mkdir(exist_ok=True)
        (tmp_path / "templates" / name).write_text(desired)
        (tmp_path / "live" / name).write_text(live)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    first = trueup("drift", "--patches", "out", "--format", "json", cwd=tmp_path)
    assert first.code == 1
    assert len(first.json()["findings"]) == 5
    patches = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "out").rglob("*.patch"))
    assert patches == [f"out/live/{n}.patch" for n in sorted(FILES)]
    subprocess.run(["git", "apply", *patches], cwd=tmp_path, check=True)
    for name, (desired, _) in FILES.items():
        assert (tmp_path / "live" / name).read_text() == desired
    second = trueup("drift", "--format", "json", cwd=tmp_path)
    assert (second.code, second.json()["findings"]) == (0, [])
