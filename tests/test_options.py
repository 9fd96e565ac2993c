"""options.py: the command line becomes one frozen, typed value, and no option is lost on the way."""
from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import pytest

from trueup.cli import build_parser
from trueup.options import NOT_OPTIONS, CheckSettings, Options, options_from


def _parsers(parser: argparse.ArgumentParser):
    yield parser
    for action in parser._actions:  # argparse offers no public walk of its subcommands
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_every_option_of_every_command_is_a_field() -> None:
    names = {field.name for field in (*dataclasses.fields(Options), *dataclasses.fields(CheckSettings))}
    dests = {action.dest for parser in _parsers(build_parser()) for action in parser._actions
             if action.dest not in (argparse.SUPPRESS, "help", "version")}
    assert dests - names - NOT_OPTIONS == set()
    assert len(dests) > 55


@pytest.mark.parametrize("argv, expected", [
    (["validate", "--rule", "K8S-*", "--rule", "X", "a.yaml", "b"],
     {"command": "validate", "checks": CheckSettings(rule=("K8S-*", "X")), "paths": (Path("a.yaml"), Path("b")),
      "jobs": 0}),
    (["render", "--env", "prod"], {"command": "render", "environment": "prod", "env": ()}),
    (["audit", "show", "--rule", "R1"], {"command": "audit", "audit_command": "show", "only_rule": "R1",
                                         "checks": CheckSettings()}),
    (["drift", "--shard", "2/4", "--desired", "d", "--live", "l"],
     {"shard": (2, 4), "desired": Path("d"), "live": Path("l"), "namespace": "default"}),
    (["report", "merge", "a.json", "b.json", "--history", "h1", "h2"],
     {"report_command": "merge", "reports": ("a.json", "b.json"), "history": ("h1", "h2")}),
])
def test_the_command_line_as_options(argv: list[str], expected: dict) -> None:
    options = options_from(build_parser().parse_args(argv), argv)
    assert {name: getattr(options, name) for name in expected} == expected
    assert options.argv == tuple(argv)


def test_options_are_frozen_and_checks_are_their_own_value() -> None:
    argv = ["validate", "--no-policy", "--kubernetes-version", "1.29", "--strict", "--skip-rule", "S"]
    options = options_from(build_parser().parse_args(argv), argv)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.format = "json"  # type: ignore[misc]
    assert options.checks == CheckSettings(kubernetes_version="1.29", strict=True, no_policy=True, skip_rule=("S",))


def test_an_option_the_value_lacks_is_an_error_not_a_silent_drop() -> None:
    with pytest.raises(TypeError, match="'brand_new'"):
        options_from(argparse.Namespace(command="validate", brand_new=1), [])
