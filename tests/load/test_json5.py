"""JSON5 files (renovate.json5, Babel's configs) read by pyjson5, with lines for findings."""
from __future__ import annotations

import pytest

from trueup.errors import ParseError
from trueup.load import detect_format, load_text

RENOVATE = """\
{
  // Renovate's own config format is JSON5
  extends: ['config:recommended'],
  "packageRules": [
    {"matchPackageNames": ["redis"], automerge: true,},
  ],
  "prConcurrentLimit": 0x0A,
}
"""


def _load(text: str, name: str = "renovate.json5"):
    return load_text(text, file=name, name=name, fmt="json5")


def test_json5_data_is_read_with_its_extras() -> None:
    [doc] = _load(RENOVATE).documents
    assert doc.data == {
        "extends": ["config:recommended"],
        "packageRules": [{"matchPackageNames": ["redis"], "automerge": True}],
        "prConcurrentLimit": 10,
    }


@pytest.mark.parametrize("pointer, position", [
    ("/packageRules", (4, 3)), ("/packageRules/0/matchPackageNames", (5, 6)), ("/prConcurrentLimit", (7, 3)),
])
def test_double_quoted_keys_have_their_lines(pointer: str, position: tuple[int, int]) -> None:
    [doc] = _load(RENOVATE).documents
    assert doc.locate(pointer) == position


@pytest.mark.parametrize("text, line, column", [
    ("{\n  a: 1,\n  b: [1 2]\n}\n", 3, 9),
    ("{\n  'a': 1\n  'b': 2\n}\n", 3, 3),
])
def test_malformed_json5_names_its_line(text: str, line: int, column: int) -> None:
    with pytest.raises(ParseError) as caught:
        _load(text)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert caught.value.cause.startswith("invalid JSON5: ")


def test_duplicate_keys_are_found() -> None:
    loaded = _load('{\n  "a": 1,\n  // again\n  "a": 2,\n}\n')
    assert [(f.rule, f.line) for f in loaded.findings] == [("input.duplicate-key", 4)]


@pytest.mark.parametrize("name, fmt", [
    ("renovate.json5", "json5"), ("config/app.JSON5", "json5"), (".babelrc", "json5"),
    ("web/babel.config.json", "json5"), ("package.json", "json"),
])
def test_json5_names(name: str, fmt: str) -> None:
    assert detect_format(name) == fmt
