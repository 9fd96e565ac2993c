"""Surgical edits of JSON, .env, INI and TOML text: make the ops, keep every other byte.

``edit_text`` picks the format's editor, makes a list of ``Op`` (set, add, remove) and refuses
(NotSurgical) unless the result reads back as the target data. JSON edits are in json_edit,
TOML edits in toml_edit (tomlkit, and a line swap for one-line scalars), INI edits in ini_edit,
.env edits in env_edit; the line helpers they share are in lines. Messages name pointers, never
values, which may be secrets.
"""
from __future__ import annotations

from typing import Any, Sequence

from .env_edit import edit_dotenv
from .ini_edit import edit_ini
from .json_edit import edit_json
from .lines import read
from .ops import NotSurgical, Op, same_data
from .toml_edit import edit_toml


def edit_text(text: str, fmt: str, ops: Sequence[Op], target: Any) -> str:
    """``text`` (a whole json | dotenv | ini | toml file) with ``ops`` made; ``target`` is
    ``apply_ops(data, ops)``, what the result must read back as. NotSurgical where it cannot."""
    editors = {"json": edit_json, "dotenv": edit_dotenv, "ini": edit_ini, "toml": edit_toml}
    if fmt not in editors:
        raise NotSurgical(f"no text edits for {fmt} files")
    read(text, fmt, "the file does not parse")
    try:
        result = editors[fmt](text, ops)
    except (KeyError, IndexError, TypeError, ValueError) as exc:  # a safety net: never a value in the message
        raise NotSurgical(f"the edit could not be made ({type(exc).__name__})") from None
    _check(result, fmt, target)
    return result


def _check(text: str, fmt: str, target: Any) -> None:
    data = read(text, fmt, "the edited text would not parse")
    if not same_data(data, {} if target is None and fmt != "json" else target):
        raise NotSurgical("the edited text would not read back as the desired data")


