"""Hostile desired and live trees, generated: whatever the files hold and whatever their names, kinds
and links, `trueup drift` (with and without `--patches`) and `trueup validate` over them end with exit
0, 1 or 2, never a traceback, never print a secret the trees hold (plain or base64) in any format,
and write nothing outside the patches directory."""
from __future__ import annotations

import base64
import io
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trueup.cli import main

SECRET = "Fuzz-S3cret-9a7b"
SUFFIXES = [".yaml", ".yml", ".json", ".toml", ".ini", ".env", ".conf", ".jsonc"]
NAMES = st.one_of(
    st.from_regex(r"[a-z][a-z0-9_.-]{0,10}", fullmatch=True),
    st.sampled_from(["..yaml", "-x.yaml", "a b.yaml", "é.yaml", "a`b.yaml", "@team.yaml", "x|y.json", "%2e.yaml",
                     "UPPER.YAML", "Upper.yaml", ".env", "app.yaml.trueup-bak", "#x.toml", "a\u202eb.yaml",
                     "a\\b.yaml", "a\nb.yaml", "a\tb.yaml"]),
)
PIECES = st.sampled_from([
    "a", ": ", "- ", "{", "}", "[", "]", ",", '"', "'", "=", "\n", "  ", "#", "---\n", "&x ", "*x", "<<: *x\n",
    "!!binary ", "\\u0000", "\"\\ud800\"", "9" * 5000, "1e999", "[s]\n", "x = 1\n", "export ", "${X}",
    f"password: {SECRET}\n", f"TOKEN={SECRET}\n", f'"api_key": "{SECRET}"', f"url: redis://:{SECRET}@c:1/0\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a.b, namespace: ns}\n",
    "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {k: " + SECRET + "}\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n",
    "data:\n  k: `x` @here <b>\n", "\x00", "\ufeff", "é", "\r\n",
])
CONTENT = st.one_of(st.lists(PIECES, max_size=25).map("".join), st.binary(max_size=64))
ENTRY = st.tuples(
    st.lists(st.sampled_from(["sub", "..", "a.b", "x y", "deep"]), max_size=2),
    NAMES, st.sampled_from(SUFFIXES + [""]), CONTENT,
    st.sampled_from(["file"] * 8 + ["fifo", "link-in", "link-out", "dir-link-out"]),
)
TREE = st.lists(ENTRY, max_size=6)
FORMATS = ["text", "json", "sarif", "junit", "markdown", "github", "html"]


def _build(root: Path, entries: list, outside: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for dirs, name, suffix, content, kind in entries:
        directory = root.joinpath(*[d for d in dirs if d != ".."])
        if "\n" in name or "\\" in name:
            name = name.replace("\n", "_").replace("\\", "_")
        path = directory / (name + suffix if not name.endswith(suffix) else name)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            if path.exists() or path.is_symlink():
                continue
            if kind == "fifo":
                os.mkfifo(path)
            elif kind == "link-in":
                os.symlink(".", path) if not path.name.startswith(".") else None
            elif kind == "link-out":
                os.symlink(outside / "secret.yaml", path)
            elif kind == "dir-link-out":
                os.symlink(outside, path)
            else:
                path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
        except (OSError, ValueError):
            continue


def _run(args: list[str], cwd: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        code = main(args, stdout=out, stderr=err)
    finally:
        os.chdir(previous)
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(desired=TREE, live=TREE, patches=st.booleans())
def test_drift_over_hostile_trees_is_an_exit_code_never_a_traceback_nor_a_secret(
        fmt: str, desired: list, live: list, patches: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="trueup-tree-fuzz-"))
    try:
        outside = work / "outside"
        outside.mkdir()
        (outside / "secret.yaml").write_text(f"password: {SECRET}\n")
        _build(work / "d", desired, outside)
        _build(work / "l", live, outside)
        args = ["drift", "--desired", "d", "--live", "l", "--format", fmt]
        if patches:
            args += ["--patches", "p"]
        for run in (args, ["validate", "d", "l", "--format", fmt]):
            code, said = _run(run, work)
            assert code in (0, 1, 2), said
            assert "Traceback" not in said
            for form in (SECRET, base64.b64encode(SECRET.encode()).decode()):
                assert form not in said
        for written in (work / "p").rglob("*") if patches else ():
            assert work / "p" in written.resolve().parents or written.resolve() == work / "p"
        assert sorted(p.name for p in outside.iterdir()) == ["secret.yaml"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
