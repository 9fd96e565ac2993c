"""Commands import only what they need: a fresh interpreter shows which heavy modules were loaded."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ["git", "jinja2", "jsonschema", "yaml"]

PROBE = """
import io, json, sys
from trueup.cli import main
code = main(sys.argv[1:], stdout=io.StringIO(), stderr=io.StringIO())
print(json.dumps([code, sorted({m.split('.')[0] for m in sys.modules} & set(%r))]))
""" % HEAVY


def _imports(*args: str, cwd: Path) -> tuple[int, list[str]]:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True, check=True)
    code, modules = json.loads(out.stdout.strip().splitlines()[-1])
    return code, modules


def test_version_imports_nothing_heavy(tmp_path: Path) -> None:
    assert _imports("--version", cwd=tmp_path) == (0, [])


def test_one_file_validate_skips_templates_git_and_diff(tmp_path: Path) -> None:
    (tmp_path / "svc.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n")
    # python-jsonschema only explains invalid documents: jsonschema-rs vouches for this one
    assert _imports("validate", "svc.yaml", cwd=tmp_path) == (0, ["yaml"])


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "trueup", "--version"], cwd=tmp_path, capture_output=True, text=True)
    assert (out.returncode, out.stdout) == (0, f"trueup {__import__('trueup').__version__}\n")
