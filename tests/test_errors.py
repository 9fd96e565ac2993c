"""The TrueupError family (trueup.errors): where a failure is, and its one-line form."""
from __future__ import annotations

import pytest

from trueup.errors import (
    ConfigError, InputError, ParseError, RenderError, SchemaError, TemplateSecurityError, TrueupError, UsageError,
)


@pytest.mark.parametrize("args, where, text", [
    (("boom",), "", "boom"),
    (("boom", "a.yaml"), "a.yaml", "a.yaml: boom"),
    (("boom", "a.yaml", 3), "a.yaml:3", "a.yaml:3: boom"),
    (("boom", "a.yaml", 3, 7), "a.yaml:3:7", "a.yaml:3:7: boom"),
    (("boom", "a.yaml", None, 7), "a.yaml", "a.yaml: boom"),   # a column without a line is not shown
    (("boom", None, 3, 7), "", "boom"),                      # nor a line without a file
    (("boom", "dir with space/ü.yaml", 1), "dir with space/ü.yaml:1", "dir with space/ü.yaml:1: boom"),
    (("", "a.yaml", 0, 0), "a.yaml:0:0", "a.yaml:0:0: "),    # zero is a position, not "none"
], ids=["cause-only", "file", "file-line", "file-line-column", "column-without-line", "line-without-file",
        "unicode-path", "zeros"])
def test_where_and_str(args: tuple, where: str, text: str) -> None:
    error = TrueupError(*args)
    assert error.where() == where
    assert str(error) == text
    assert error.cause == args[0]
    assert error.args == (args[0],)


def test_keyword_arguments_and_attributes() -> None:
    error = ParseError("not UTF-8 text (byte 0xff)", file="x.json", line=2, column=5)
    assert (error.cause, error.file, error.line, error.column) == ("not UTF-8 text (byte 0xff)", "x.json", 2, 5)
    assert str(error) == "x.json:2:5: not UTF-8 text (byte 0xff)"
    assert error.kind == "error"


@pytest.mark.parametrize("cls, base", [
    (UsageError, TrueupError),
    (ConfigError, TrueupError),
    (InputError, TrueupError),
    (ParseError, TrueupError),
    (RenderError, TrueupError),
    (TemplateSecurityError, RenderError),
    (SchemaError, TrueupError),
], ids=lambda v: v.__name__)
def test_family(cls: type, base: type) -> None:
    assert cls.__bases__ == (base,)
    with pytest.raises(TrueupError) as caught:
        raise cls("why", "f.yaml", 1)
    assert str(caught.value) == "f.yaml:1: why"


def test_a_security_error_is_caught_as_a_render_error() -> None:
    with pytest.raises(RenderError) as caught:
        raise TemplateSecurityError("template reaches for '__class__'", "t/a.j2", 4)
    assert type(caught.value) is TemplateSecurityError
    assert caught.value.where() == "t/a.j2:4"


def test_fields_set_after_construction_show_in_str() -> None:
    # render.py fills in file and line once it knows the template frame.
    error = RenderError("rendered output exceeds 10 bytes")
    assert str(error) == "rendered output exceeds 10 bytes"
    error.file, error.line = "t/app.yaml.j2", 2
    assert str(error) == "t/app.yaml.j2:2: rendered output exceeds 10 bytes"
