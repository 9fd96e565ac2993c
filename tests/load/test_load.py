"""load/__init__.py: formats by name, safe byte reads, decoding, Documents of a text, List items, duplicates."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from trueup.errors import ParseError
from trueup.load import (
    Limits,
    as_yaml11_booleans,
    decode,
    detect_format,
    file_source,
    format_module,
    known_files,
    load_bytes,
    load_path,
    load_text,
    read_bytes,
    read_text,
    relpath,
)


@pytest.mark.parametrize("name, expected", [
    (".env", "dotenv"), ("prod.env", "dotenv"), (".env.local", "dotenv"), ("deploy/.env", "dotenv"),
    ("tsconfig.json", "jsonc"), ("tsconfig.base.json", "jsonc"), ("Tsconfig.json", "jsonc"),
    ("jsconfig.json", "jsonc"), (".vscode/settings.json", "jsonc"), ("a/.devcontainer/devcontainer.json", "jsonc"),
    (".devcontainer.json", "jsonc"), ("x/.eslintrc.json", "jsonc"), ("a.jsonc", "jsonc"),
    ("vscode/settings.json", "json"), ("package.json", "json"),
    ("renovate.json5", "json5"), (".babelrc", "json5"), (".babelrc.json", "json5"), ("babel.config.json", "json5"),
    ("Kustomization", "yaml"), ("a.YAML", "yaml"), ("x.yml", "yaml"), ("a.toml", "toml"),
    ("a.ini", "ini"), ("setup.cfg", "ini"), ("nginx.conf", "ini"), ("README.md", None), ("Makefile", None),
], ids=lambda v: str(v))
def test_detect_format(name: str, expected: str | None) -> None:
    assert detect_format(name) == expected


@pytest.mark.parametrize("fmt, module", [("yaml", "yaml_"), ("json5", "json5_"), ("dotenv", "dotenv")],
                         ids=["yaml", "json5", "dotenv"])
def test_format_module(fmt: str, module: str) -> None:
    assert format_module(fmt).__name__ == f"trueup.load.{module}"


@pytest.mark.parametrize("data, expected", [
    (b"\xef\xbb\xbfa: 1\n", "a: 1\n"),
    (b"a: \xc3\xa9\r\n", "a: \u00e9\r\n"),
    (b"", ""),
], ids=["bom-dropped", "utf8-crlf", "empty"])
def test_decode(data: bytes, expected: str) -> None:
    assert decode(data, "f") == expected


@pytest.mark.parametrize("data, message", [
    (b"a\nb\x00", "f:2: binary file (NUL byte), not text"),
    (b"ab\n\xffc", "f:2:1: not UTF-8 text (byte 0xff)"),
    (b"ok: 1\nv: x\xc3", "f:2:5: not UTF-8 text (byte 0xc3)"),
    (b"\xff\xfea\x00", "f:1:1: not UTF-8 text (byte 0xff)"),
], ids=["nul", "bad-byte", "truncated-sequence", "utf16-bom"])
def test_decode_refuses(data: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        decode(data, "f")
    assert str(caught.value) == message


def test_read_bytes_and_read_text(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert read_bytes(path, "a.yaml") == b"\xef\xbb\xbfa: 1\n"
    assert read_text(path, "a.yaml") == "a: 1\n"


def test_the_size_cap_counts_bytes_read(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"x" * 11)
    assert read_bytes(path, "a.yaml", Limits(max_bytes=11)) == b"x" * 11
    with pytest.raises(ParseError) as caught:
        read_bytes(path, "a.yaml", Limits(max_bytes=10))
    assert str(caught.value) == "a.yaml: file is over the 10-byte limit (raise max_file_bytes to read it)"


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "f: no such file"),
    (lambda p: p.mkdir(), "f: is a directory, not a file"),
    (lambda p: os.mkfifo(p), "f: not a regular file (a FIFO); not read"),
], ids=["missing", "directory", "fifo"])
def test_read_bytes_refuses(tmp_path: Path, make: Any, message: str) -> None:
    path = tmp_path / "x"
    make(path)
    with pytest.raises(ParseError) as caught:
        read_bytes(path, "f")
    assert str(caught.value).lower() == message.lower()


LIST = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a}
- 3
- apiVersion: v1
  kind: Secret
  metadata: {name: b, namespace: ns}
"""


def test_a_kubernetes_list_stands_for_its_mapping_items() -> None:
    loaded = load_text(LIST, file="f.yaml", name="f.yaml", fmt="yaml")
    assert [(d.base, d.kind, d.target, d.index, d.locate("/metadata/name")) for d in loaded.documents] == [
        ("/items/0", "kubernetes", "ConfigMap/default/a", 0, (6, 14)),
        ("/items/2", "kubernetes", "Secret/ns/b", 0, (10, 14)),
    ]
    assert loaded.documents[1].data == {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b", "namespace": "ns"}}


@pytest.mark.parametrize("text, bases", [
    ("apiVersion: v1\nkind: ConfigMapList\nitems: [{apiVersion: v1, kind: ConfigMap}]\n", ["/items/0"]),
    ("apiVersion: v1\nkind: List\nitems: {a: 1}\n", [""]),
    ("apiVersion: v1\nkind: List\nitems: []\n", []),
    ("kind: List\nitems: [{a: 1}]\n", [""]),
], ids=["any-list-kind", "items-not-a-list", "empty-list", "not-kubernetes"])
def test_what_a_list_expands_to(text: str, bases: list[str]) -> None:
    assert [d.base for d in load_text(text, file="f.yaml", name="f.yaml", fmt="yaml").documents] == bases


def test_empty_documents_make_no_documents_and_indexes_stay_the_files() -> None:
    loaded = load_text("---\n---\na: 1\n---\n# c\n---\nb: 2\n", file="f.yaml", name="f.yaml", fmt="yaml")
    assert [(d.index, d.data, d.kind) for d in loaded.documents] == [(1, {"a": 1}, "config"), (3, {"b": 2}, "config")]


@pytest.mark.parametrize("name, kind, expected", [
    ("f.yaml", None, {"k": "yes", "n": ["on", "off"], "q": "no"}),
    ("f.yaml", "kubernetes", {"k": True, "n": [True, False], "q": "no"}),
], ids=["config-keeps-strings", "kubernetes-reads-yaml11"])
def test_yaml11_booleans_only_in_kubernetes_documents(name: str, kind: str | None, expected: dict[str, Any]) -> None:
    loaded = load_text("k: yes\nn: [on, off]\nq: 'no'\n", file=name, name=name, fmt="yaml", kind=kind)
    assert loaded.documents[0].data == expected


def test_kubernetes_objects_read_yaml11_booleans_by_content() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {k: yes, j: 'no', n: [on, off, y]}\n"
    data = load_text(text, file="f.yaml", name="f.yaml", fmt="yaml").documents[0].data
    assert data["data"] == {"k": True, "j": "no", "n": [True, False, True]}


def test_compose_documents_keep_yaml11_words_as_strings() -> None:
    data = load_text("services:\n  web:\n    tty: yes\n", file="compose.yaml", name="compose.yaml",
                     fmt="yaml").documents[0]
    assert (data.kind, data.data) == ("compose", {"services": {"web": {"tty": "yes"}}})


def test_as_yaml11_booleans_sets_each_place() -> None:
    data = {"a": ["x", {"b": "y"}], "c": "on"}
    as_yaml11_booleans(data, [(("a", "0"), True), (("a", "1", "b"), False), (("c",), True)])
    assert data == {"a": [True, {"b": False}], "c": True}


def test_a_duplicate_key_is_a_finding_at_the_second_key() -> None:
    loaded = load_text("a: 1\na: 2\n", file="f.yaml", name="f.yaml", fmt="yaml")
    assert loaded.documents[0].data == {"a": 2}
    [finding] = loaded.findings
    assert (finding.rule, str(finding.severity), finding.message, finding.target, finding.path, finding.file,
            finding.line, finding.column) == (
        "input.duplicate-key", "high", "duplicate key 'a': the later value silently replaces the earlier one",
        "f.yaml", "/a", "f.yaml", 2, 1)


def test_a_duplicate_in_a_list_item_names_the_item_and_its_own_path() -> None:
    text = "apiVersion: v1\nkind: ConfigMapList\nitems:\n- kind: ConfigMap\n  apiVersion: v1\n" \
           "  metadata:\n    name: a\n    name: b\n"
    [finding] = load_text(text, file="f.yaml", name="f.yaml", fmt="yaml").findings
    assert (finding.target, finding.path, finding.line, finding.column) == ("ConfigMap/default/b", "/metadata/name", 8, 5)


def test_a_duplicate_line_goes_through_the_line_map() -> None:
    loaded = load_text("a: 1\na: 2\n", file="t.j2", name="f.yaml", fmt="yaml", line_map=[10, 14])
    assert (loaded.findings[0].file, loaded.findings[0].line) == ("t.j2", 14)


def test_a_lone_surrogate_is_a_parse_error_on_its_line() -> None:
    with pytest.raises(ParseError) as caught:
        load_text("a: 1\nb: \ud800\n", file="f.yaml", name="f.yaml", fmt="yaml")
    assert str(caught.value) == "f.yaml:2: not Unicode text (a lone surrogate)"


def test_load_path_binds_where_the_bytes_came_from(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfservices:\n  web: {image: nginx}\n"
    path = tmp_path / "compose.yaml"
    path.write_bytes(data)
    loaded = load_path(path, file="dev/compose.yaml", name="compose.yaml")
    source = loaded.source
    assert (source.format, source.path, source.digest, source.bom, source.text) == (
        "yaml", path, hashlib.sha256(data).hexdigest(), True, "services:\n  web: {image: nginx}\n")
    assert [(d.kind, d.target) for d in loaded.documents] == [("compose", "compose.yaml")]


def test_load_path_reads_unknown_names_as_yaml_and_honours_kind(tmp_path: Path) -> None:
    path = tmp_path / "notes"
    path.write_text("apiVersion: v1\nkind: Pod\n")
    loaded = load_path(path, file="notes", name="notes", kind="config")
    assert (loaded.source.format, loaded.documents[0].kind) == ("yaml", "config")


def test_load_bytes_without_a_bom(tmp_path: Path) -> None:
    loaded = load_bytes(b'{"a": 1}', tmp_path / "x.json", file="x.json", name="x.json", fmt="json")
    assert (loaded.documents[0].data, loaded.source.bom, loaded.source.format) == ({"a": 1}, False, "json")


def test_file_source_binds_without_parsing(tmp_path: Path) -> None:
    source = file_source(b"a: [\n", tmp_path / "a.yaml", file="a.yaml", name="a.yaml", fmt="yaml")
    assert (source.text, source.digest, source.bom) == ("a: [\n", hashlib.sha256(b"a: [\n").hexdigest(), False)


def test_known_files_walks_formats_and_ini_but_not_cfg(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.json", "setup.cfg", "nginx.conf", "c.ini", "README.md", ".env", "sub/d.toml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    os.mkfifo(tmp_path / "pipe.yaml")
    special: list[tuple[str, str]] = []
    found = sorted(rel for _, rel in known_files(tmp_path, "root", special))
    assert found == [".env", "a.yaml", "b.json", "c.ini", "sub/d.toml"]
    assert [rel for rel, _ in special] == ["pipe.yaml"]


def test_relpath(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert relpath(tmp_path / "a" / "b", tmp_path) == "a/b"
    assert relpath(tmp_path / "x", tmp_path / "a" / "b") == "../../x"
