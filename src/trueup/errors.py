"""The TrueupError family: every failure that stops a run carries file, line and cause.

Only the CLI turns these into a message and exit code 2; stages raise them and
never print.
"""
from __future__ import annotations


class TrueupError(Exception):
    """A run could not be done. ``str()`` gives the one-line ``file:line:col: cause`` form."""

    kind = "error"

    def __init__(
        self,
        cause: str,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(cause)
        self.cause = cause
        self.file = file
        self.line = line
        self.column = column

    def where(self) -> str:
        if self.file is None:
            return ""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.cause}" if where else self.cause


class UsageError(TrueupError):
    """The command line asks for something that cannot be done."""


class ConfigError(TrueupError):
    """trueup.yaml, a schema mapping or a referenced file is wrong or missing."""


class InputError(TrueupError):
    """An input path is missing, unreadable, or leaves the root it must stay inside."""


class ParseError(TrueupError):
    """An input file cannot be read as its format; also a finding (``input.parse``)."""


class RenderError(TrueupError):
    """A template failed: syntax error, undefined variable, failed ``required``."""


class TemplateSecurityError(RenderError):
    """A template reached for something the sandbox forbids; nothing was run."""


class SchemaError(TrueupError):
    """A JSON Schema is unreadable or invalid, or no schema exists where one is required."""
