"""Config files compared as their readers read them.

- INI: option names are case-insensitive (Python's configparser passes every option name
  through ``optionxform``, ``str.lower`` by default), section names are not (``[Server]`` and
  ``[server]`` are two sections). Source: the configparser documentation, "Customizing Parser
  Behaviour" (``optionxform``) and "Mapping Protocol Access" (sections are case-sensitive).
- TOML: integers and floats are different types (TOML 1.0.0, "Integer" and "Float"): ``4`` and
  ``4.0`` are two values, where a YAML or JSON reader would take either for the number 4 in
  most languages.
- YAML merge keys (``<<: *base``) are resolved by the loader before anything is compared.
"""
from __future__ import annotations

from typing import Any

from .compare import Rules, Shape


class ConfigRules(Rules):
    def __init__(self, fmt: str) -> None:
        self.fmt = fmt

    def key_fold(self, shape: Shape, key: str, value: Any) -> str:
        if self.fmt == "ini" and not isinstance(value, dict):  # an option, at the top or in a section
            return key.lower()
        return key

    def equal(self, shape: Shape, desired: Any, live: Any) -> bool | None:
        if self.fmt == "toml" and not isinstance(desired, bool) and not isinstance(live, bool) and (
                {type(desired), type(live)} == {int, float}):
            return False
        return None
