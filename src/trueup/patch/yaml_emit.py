"""YAML text for values trueup writes into a live file: read back exactly as meant, in the file's style.

PyYAML's dumper resolves with YAML 1.1, while trueup (like the Go readers) reads YAML
1.2 core plus a few 1.1 words in Kubernetes documents; so a string is quoted whenever
either reading would turn it into something else (``"0o17"``, ``"yes"``). Multi-line
strings are written as literal blocks; block sequences under a key follow the file:
indented (``  - a``) or not (``- a``).
"""
from __future__ import annotations

import json
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from ..load.yaml_ import YAML11_BOOLS, plain_scalar
from .ops import NotSurgical


def _needs_quotes(value: str) -> bool:
    return value in YAML11_BOOLS or not isinstance(plain_scalar(value), str)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else ("'" if _needs_quotes(value) else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class _Dumper(yaml.SafeDumper):
    indented_sequences = False

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, indentless and not self.indented_sequences)


class _IndentedDumper(_Dumper):
    indented_sequences = True


for _cls in (_Dumper, _IndentedDumper):
    _cls.add_representer(str, _represent_str)


def dump(value: Any, indented_sequences: bool, flow: bool = False) -> str:
    return yaml.dump(value, Dumper=_IndentedDumper if indented_sequences else _Dumper, sort_keys=False,
                     default_flow_style=flow, allow_unicode=True, width=2**31)


def flow_text(value: Any) -> str:
    """A collection on one line, as it was written: ``{a: 1, b: [x, y]}``."""
    text = dump(value, False, flow=True)
    return text[: -len("...\n")].rstrip("\n") if text.endswith("\n...\n") else text.rstrip("\n")


def plain_ok(value: str, flow: bool = False) -> bool:
    """Whether ``value`` can stand unquoted and read back as this same string."""
    if not value or value != value.strip() or "\n" in value or _needs_quotes(value):
        return False
    if value[0] in "!&*-?{}[],#|>@`\"'%:" or ": " in value or " #" in value or value.endswith(":"):
        return False
    return not (flow and any(c in value for c in ",[]{}"))


def _float_text(value: float) -> str:
    """A float as YAML writes it (YAML 1.2 core schema, and 1.1): ``.inf``, ``-.inf``, ``.nan`` (a plain
    ``inf`` or ``nan`` is a string), else PyYAML's own text (``1.0e+20``: 1.1 wants the dot too)."""
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    return yaml.safe_dump(value, default_flow_style=True).split("\n", 1)[0]


def scalar_text(value: Any, style: str | None, flow: bool = False) -> str:
    """One-line YAML text for a scalar, in the original's quoting style where that reads back the same."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str) or "\n" in value:
        raise NotSurgical("not a one-line scalar")
    if not style and plain_ok(value, flow):
        return value
    if style == "'" and value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)


def key_text(key: str) -> str:
    return key if plain_ok(key) else json.dumps(key, ensure_ascii=False)


def after_key(value: Any, column: int, indented_sequences: bool) -> str:
    """What follows a key written at ``column``: ``": 1"``, ``": |-\\n  text"`` or ``":\\n  a: 1"`` (no final newline)."""
    text = dump({"k": value}, indented_sequences)
    lines = text[1:].rstrip("\n").split("\n")
    return "\n".join([lines[0]] + [" " * column + line if line else line for line in lines[1:]])


def after_dash(value: Any, column: int, indented_sequences: bool) -> str:
    """What follows ``- `` at ``column`` for one list item (no final newline)."""
    text = dump([value], indented_sequences)
    lines = text[2:].rstrip("\n").split("\n")
    return "\n".join([lines[0]] + [" " * column + line if line else line for line in lines[1:]])


def top_level(value: Any, indented_sequences: bool) -> str:
    text = dump(value, indented_sequences)
    return text[: -len("...\n")].rstrip("\n") if text.endswith("\n...\n") else text.rstrip("\n")


def sequences_indented(root: Node) -> bool:
    """Whether the document writes block sequences under a key indented (``  - a``) or not."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(value, SequenceNode) and not value.flow_style and value.value:
                    return value.value[0].start_mark.column - 2 > key.start_mark.column
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return False
