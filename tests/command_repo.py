"""A tiny GitOps repository the command-layer tests share: one environment (prod) rendering app.yaml
from a template and values, one config-file target whose live file drifts at /port."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Callable

from trueup.cli import build_parser
from trueup.options import options_from

CONFIG_NO_POLICY = """\
version: 1
environments:
  prod:
    values: [values.yaml]
targets:
  - name: app
    kind: config
    desired: "app.yaml"
    live: "live/app.yaml"
    environments: [prod]
"""
CONFIG = CONFIG_NO_POLICY + "policy:\n  packs: [secrets]\n"


def write_repo(write: Callable[[str, str], Path], config: str = CONFIG, name: bool = True) -> None:
    """The files: prod renders port 8080 (and, with ``name``, name: shop); live has port 9090."""
    extra = "name: shop\n" if name else ""
    write("trueup.yaml", config)
    write("values.yaml", "port: 8080\n" + extra)
    write("templates/app.yaml.j2", "port: {{ port }}\n" + ("name: {{ name }}\n" if name else ""))
    write("live/app.yaml", "port: 9090\n" + extra)


def run(handler: Callable, *argv: str) -> tuple[int, str, str]:
    """A command handler run on the parsed command line: exit code, standard output, standard error."""
    options = options_from(build_parser().parse_args(list(argv)), list(argv))
    out, err = io.StringIO(), io.StringIO()
    code = handler(options, out, err)
    return code, out.getvalue(), err.getvalue()
