"""JSONC loader: comments and trailing commas blanked to spaces, then the JSON decoder and scanner."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.cli import main
from trueup.errors import ParseError
from trueup.load import Limits, detect_format, load_path, load_text
from trueup.load import json_ as strict
from trueup.load import jsonc
from trueup.load.jsonc import Locator, blank, parse
from trueup.patch.ops import Op
from trueup.patch.plan import edited_text
from trueup.patch.ops import NotSurgical

TEXT = """// tsconfig with everything JSONC allows
/* a block
   comment */
{
  "compilerOptions": { // trailing line comment
    "target": "es2020", /* inline */ "strict": true,
    "paths": {
      "@/*": ["./src/*",], // glob with /* inside a string
    },
  },
  "include": [
    "src", // first
    /* second */ "tests",
  ],
  "url": "https://example.com//x", "n": -1.5e3,
}
"""


def test_data_of_the_full_example() -> None:
    assert parse(TEXT, "tsconfig.json").documents == [{
        "compilerOptions": {"target": "es2020", "strict": True, "paths": {"@/*": ["./src/*"]}},
        "include": ["src", "tests"],
        "url": "https://example.com//x",
        "n": -1500.0,
    }]


@pytest.mark.parametrize(
    "pointer, position",
    [
        ("", (4, 1)), ("/compilerOptions", (5, 3)), ("/compilerOptions/target", (6, 5)),
        ("/compilerOptions/strict", (6, 38)), ("/compilerOptions/paths", (7, 5)),
        ("/compilerOptions/paths/@~1*", (8, 7)), ("/compilerOptions/paths/@~1*/0", (8, 15)),
        ("/include", (11, 3)), ("/include/0", (12, 5)), ("/include/1", (13, 18)), ("/url", (15, 3)),
        ("/n", (15, 36)), ("/include/5", (11, 3)), ("/missing", (4, 1)),
    ],
)
def test_positions_after_comments_and_trailing_commas(pointer: str, position: tuple[int, int]) -> None:
    assert Locator(TEXT).position(0, pointer) == position


@pytest.mark.parametrize(
    "jsonc, plain",
    [
        ('{"a": 1} // line comment', '{"a": 1}'),
        ('/* block */ {"a": /* inside */ 1}', '{"a": 1}'),
        ('{"a": 1,}', '{"a": 1}'),
        ('[1, 2, 3,]', '[1, 2, 3]'),
        ('[1, 2,\n  // last item was 2\n]', '[1, 2]'),
        ('{"a": [1,], "b": {"c": 2,},}', '{"a": [1], "b": {"c": 2}}'),
        ('[1, /* , ] */ 2 /* ] */,]', '[1, 2]'),
        ('{"u": "https://example.com/a"}', '{"u": "https://example.com/a"}'),
        ('{"c": "// not a comment", "d": "/* nor this */"}', '{"c": "// not a comment", "d": "/* nor this */"}'),
        ('{"e": "\\"// still a string", "f": "\\\\"} // a comment', '{"e": "\\"// still a string", "f": "\\\\"}'),
        ('["a,]", "{,}",]', '["a,]", "{,}"]'),
        ('{"k": "v" /* "quoted" in a comment */}', '{"k": "v"}'),
        ('{"a": {"b": [{"c": [1, /* x */ [2, 3,],],},],},}', '{"a": {"b": [{"c": [1, [2, 3]]}]}}'),
        ('// crlf\r\n{"a": 1, // x\r\n "b": 2,\r\n}\r\n', '{"a": 1, "b": 2}'),
        ('{"a":1}/**/', '{"a":1}'),
        ('"/* a string at the top */" // then a comment', '"/* a string at the top */"'),
        ('\ufeff{"bom": true}', '{"bom": true}'),
    ],
)
def test_data_equals_the_json_without_comments(jsonc: str, plain: str) -> None:
    assert parse(jsonc, "f.jsonc").documents == [json.loads(plain)]


def test_blanking_keeps_every_offset_and_newline() -> None:
    text = '{"a": 1, /* two\nlines */ "b": "//",\r\n// end\n}'
    blanked, unclosed = blank(text)
    assert blanked == '{"a": 1,       \n         "b": "//" \r\n      \n}'
    assert len(blanked) == len(text) and unclosed is None


@pytest.mark.parametrize("text", ["", "  \n", "// only a comment\n", "/* only\n a block */", "\ufeff"])
def test_empty_file_is_an_empty_document(text: str) -> None:
    assert parse(text, "empty.jsonc").documents == [None]


def test_bom_keeps_positions() -> None:
    assert Locator('\ufeff{\n  "a": 1 // c\n}').position(0, "/a") == (2, 3)
    assert parse('\ufeff{"a": 1}', "f").documents == [{"a": 1}]


def test_bom_in_a_file_is_dropped_by_the_loader(tmp_path: Path) -> None:
    path = tmp_path / "tsconfig.json"
    path.write_bytes(b'\xef\xbb\xbf// c\n{"compilerOptions": {"strict": true,},}\n')
    loaded = load_path(path, file="tsconfig.json", name="tsconfig.json")
    assert loaded.source.format == "jsonc"
    assert [d.data for d in loaded.documents] == [{"compilerOptions": {"strict": True}}]
    assert loaded.source.position(0, "/compilerOptions/strict") == (2, 22)


def test_duplicate_keys_found_with_their_lines() -> None:
    parsed = parse('{\n  // first\n  "a": 1,\n  /* again */ "a": 2,\n  "b": {"x": 1, /**/ "x": 2,},\n}', "d.jsonc")
    assert parsed.documents == [{"a": 2, "b": {"x": 2}}]
    assert [(d.pointer, d.key, d.line, d.column) for d in parsed.duplicates] == [
        ("/a", "a", 4, 15), ("/b/x", "x", 5, 22),
    ]


def test_duplicate_key_becomes_a_finding_with_its_line() -> None:
    loaded = load_text('{\n  "a": 1, // one\n  "a": 2,\n}', file="f.jsonc", name="f.jsonc", fmt="jsonc")
    assert [(f.rule, f.path, f.line, f.column) for f in loaded.findings] == [("input.duplicate-key", "/a", 3, 3)]


@pytest.mark.parametrize(
    "text, line, column, cause",
    [
        ('{\n  // c\n  "a": 1\n  "b": 2\n}', 4, 3, "invalid JSONC: Expecting ',' delimiter"),
        ('{\n  "a": 1 /* never closed\n}', 2, 10, "invalid JSONC: unclosed /* comment"),
        ('[\n  1,\n  ,\n]', 3, 3, "invalid JSONC: Expecting value"),
        ("[,]", 1, 2, "invalid JSONC: Expecting value"),
        ("{,}", 1, 2, "invalid JSONC: Expecting property name enclosed in double quotes"),
        ("[1,,]", 1, 4, "invalid JSONC: Expecting value"),
        ("// c\n{'single': 1}", 2, 2, "invalid JSONC: Expecting property name enclosed in double quotes"),
        ("{unquoted: 1}", 1, 2, "invalid JSONC: Expecting property name enclosed in double quotes"),
        ('{"a": 0x10}', 1, 8, "invalid JSONC: Expecting ',' delimiter"),
        ('{"a": 1/**/2}', 1, 12, "invalid JSONC: Expecting ',' delimiter"),
        ('{\n "a": "not closed // here\n}', 2, 26, "invalid JSONC: Invalid control character at"),
        ('{"a": 1} /', 1, 10, "invalid JSONC: Extra data"),
        ('{"a": 1} */', 1, 10, "invalid JSONC: Extra data"),
        ('{"a": 1},', 1, 9, "invalid JSONC: Extra data"),
    ],
)
def test_malformed_jsonc_is_a_parse_error_at_its_line(text: str, line: int, column: int, cause: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, "bad.jsonc")
    assert (caught.value.file, caught.value.line, caught.value.column) == ("bad.jsonc", line, column)
    assert caught.value.cause == cause


def test_depth_limit_counts_through_comments() -> None:
    with pytest.raises(ParseError, match="nesting deeper than 5 levels"):
        parse("[ // 1\n[[[[[1,],],],],],]", "deep.jsonc", Limits(max_depth=5))
    assert parse("[[[[1,],],],] // four", "ok.jsonc", Limits(max_depth=5)).documents == [[[[[1]]]]]


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "[/**/" * 100_000])
def test_nesting_too_deep_for_the_decoder_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError, match="nesting too deep to parse"):
        parse(text, "deep.jsonc")


@pytest.mark.skipif(not hasattr(sys, "get_int_max_str_digits"), reason="no integer digit limit")
@pytest.mark.parametrize("module", [strict, jsonc])
def test_an_integer_too_long_to_convert_is_a_parse_error(module) -> None:
    digits = sys.get_int_max_str_digits() + 1
    with pytest.raises(ParseError) as caught:
        module.parse('{"n": ' + "1" * digits + "} // big", "big.json")
    assert caught.value.cause.endswith(": an integer has too many digits to read")


@pytest.mark.parametrize(
    "text",
    ['"' + '\\"' * 200_000, "/*" * 200_000, '["' + ",]" * 200_000 + '"]', "[1" + "/**/," * 100_000 + "]"],
)
def test_hostile_text_is_read_in_linear_time(text: str) -> None:
    """Blanking stops at the first unclosed string or comment; nothing is scanned again and again."""
    try:
        parse(text, "hostile.jsonc")
    except ParseError:
        pass


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("a.jsonc", "jsonc"), ("dir/settings.JSONC", "jsonc"), ("tsconfig.json", "jsonc"),
        ("a/tsconfig.base.json", "jsonc"), ("packages/web/tsconfig.build.json", "jsonc"), ("jsconfig.json", "jsonc"),
        ("src/jsconfig.app.json", "jsonc"), (".vscode/settings.json", "jsonc"), ("x/.vscode/settings.json", "jsonc"),
        ("x/.vscode/launch.json", "jsonc"), (".devcontainer/devcontainer.json", "jsonc"),
        (".devcontainer/python/devcontainer.json", "jsonc"), (".devcontainer/extra.json", "jsonc"),
        (".devcontainer.json", "jsonc"), ("devcontainer.json", "jsonc"), (".eslintrc.json", "jsonc"),
        ("web/.babelrc.json", "json5"), ("babel.config.json", "json5"), ("renovate.json5", "json5"),
        ("package.json", "json"), ("x/vscode/settings.json", "json"), ("settings.json", "json"),
        (".vscode/sub/settings.json", "json"), ("x/.vscode.json", "json"), ("tsconfig.yaml", "yaml"),
        ("mytsconfig.json", "json"), ("tsconfig", None), (".vscode/settings.yaml", "yaml"),
        (".devcontainer/sub/other.json", "json"), (".babelrc", "json5"), ("composer.json", "json"),
        ("a/b/.env", "dotenv"), ("x.toml", "toml"),
    ],
)
def test_detect_format(name: str, fmt: str | None) -> None:
    assert detect_format(name) == fmt


def test_kind_is_detected_as_for_json() -> None:
    loaded = load_text('// a manifest\n{"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b",},}',
                       file="cm.jsonc", name="cm.jsonc", fmt="jsonc")
    assert [d.kind for d in loaded.documents] == ["kubernetes"]
    loaded = load_text('{"compilerOptions": {},}', file="tsconfig.json", name="tsconfig.json", fmt="jsonc")
    assert [d.kind for d in loaded.documents] == ["config"]


def test_a_jsonc_live_file_is_not_edited() -> None:
    """Patches refuse JSONC (comments would have to be kept): a note, not a crash."""
    text = '{\n  // keep\n  "compilerOptions": {"target": "es2020",},\n}\n'
    source = load_text(text, file="tsconfig.json", name="tsconfig.json", fmt="jsonc").source
    data = {"compilerOptions": {"target": "es2020"}}
    with pytest.raises(NotSurgical, match="no text edits for jsonc files"):
        edited_text(source, {(0, ""): (data, [Op("set", "/compilerOptions/target", "es2022")])})
    with pytest.raises(NotSurgical, match="no text edits for jsonc files"):
        edited_text(source, {(0, "/compilerOptions"): (data["compilerOptions"], [Op("set", "/target", "es2022")])})


@settings(max_examples=150, deadline=None)
@given(st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(alphabet='ab/*,"\\]} \n', max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=25,
))
def test_comments_and_trailing_commas_change_neither_data_nor_positions(data) -> None:
    """Every line gets a comment and every last item a trailing comma: the data and the
    position of every pointer are those of the plain JSON."""
    plain = json.dumps(data, indent=1)
    lines = plain.split("\n")
    out = []
    for i, line in enumerate(lines):
        closing = i + 1 < len(lines) and lines[i + 1].lstrip()[:1] in ("]", "}")
        if closing and not line.endswith(("[", "{")):
            line += ","
        out.append(line + ' // "x" /* ],')
    text = "/* head */\n" + "\n".join(out)
    assert parse(text, "p.jsonc").documents == [data]
    shifted = strict.Locator("\n" + plain)
    located = Locator(text)
    for pointer in shifted.positions:
        assert located.position(0, pointer) == shifted.position(0, pointer)


def _validate(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, list]:
    monkeypatch.chdir(tmp_path)
    code = main(["validate", "--format", "json", "--no-cache", "repo"])
    return code, json.loads(capsys.readouterr().out)["findings"]


def test_validate_reads_tsconfig_with_comments(tmp_path: Path, capsys, monkeypatch) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "tsconfig.json").write_text(
        '// generated by tsc --init\n{\n  "compilerOptions": {\n    "target": "es2020", /* or later */\n'
        '    "strict": true,\n  },\n  "include": ["src/**/*",],\n}\n'
    )
    (repo / "package.json").write_text('{"name": "web", "version": "1.0.0", "scripts": {"build": "tsc"}}\n')
    code, findings = _validate(tmp_path, capsys, monkeypatch)
    assert [f for f in findings if f["rule"] == "input.parse"] == []
    assert code == 0


def test_validate_reports_a_jsonc_syntax_error_at_its_line(tmp_path: Path, capsys, monkeypatch) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "tsconfig.json").write_text('{\n  // fine\n  "compilerOptions": {},\n}\n')
    (repo / "settings.jsonc").write_text('{\n  // a setting\n  "a": 1\n  "b": 2\n}\n')
    code, findings = _validate(tmp_path, capsys, monkeypatch)
    parse_errors = [(f["file"], f["line"], f["column"], f["message"]) for f in findings if f["rule"] == "input.parse"]
    assert parse_errors == [("repo/settings.jsonc", 4, 3, "invalid JSONC: Expecting ',' delimiter")]
    assert code != 0


def test_validate_reads_vscode_settings_with_comments(tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / "repo" / ".vscode").mkdir(parents=True)
    (tmp_path / "repo" / ".vscode" / "settings.json").write_text('{\n  // tabs\n  "editor.tabSize": 2,\n}\n')
    code, findings = _validate(tmp_path, capsys, monkeypatch)
    assert [f for f in findings if f["rule"] == "input.parse"] == []
