"""YAML loader: YAML 1.2 scalars, duplicate keys, merges, compose tags, limits, lazy positions."""
from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.errors import ParseError
from trueup.load import Limits, load_text
from trueup.load.yaml_ import Locator, parse


def _data(text: str):
    return parse(text, "t.yaml").documents[0]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("on", "on"), ("yes", "yes"), ("No", "No"), ("true", True), ("False", False),
        ("~", None), ("null", None), ("", None), ("0o17", 15), ("0x1F", 31), ("017", 15), ("0644", 420), ("089", 89), ("0", 0), ("-3", -3),
        ("1.5", 1.5), ("1e3", 1000.0), ("-.inf", -math.inf), ("22:22", "22:22"),
        ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"), ("2024-01-01", "2024-01-01"),
        ("'123'", "123"), ('"true"', "true"), ("!!str 123", "123"), ("!!int '7'", 7),
        ("=", "="), ("1_000", "1_000"), ("0b101", "0b101"), ("!custom 5", 5), ("!custom '5'", "5"),
    ],
)
def test_scalars_follow_yaml_1_2_core(text: str, expected) -> None:
    assert _data(f"k: {text}\n") == {"k": expected}


def test_nan() -> None:
    assert math.isnan(_data("k: .nan\n")["k"])


def test_keys_are_always_strings() -> None:
    assert _data("1: a\ntrue: b\nnull: c\n1.5: d\non: e\n") == {"1": "a", "true": "b", "null": "c", "1.5": "d", "on": "e"}


def test_duplicate_keys_are_reported_with_position_and_last_wins() -> None:
    parsed = parse("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n", "t.yaml")
    assert parsed.documents == [{"a": 3, "b": {"c": 2}}]
    assert [(d.pointer, d.key, d.line, d.column) for d in parsed.duplicates] == [("/b/c", "c", 4, 3), ("/a", "a", 5, 1)]


def test_duplicate_key_in_second_document_names_it() -> None:
    parsed = parse("a: 1\n---\nx/y: 1\nx/y: 2\n", "t.yaml")
    assert [(d.doc_index, d.pointer, d.line) for d in parsed.duplicates] == [(1, "/x~1y", 4)]


def test_merge_keys() -> None:
    text = "base: &b {x: 1, y: 2}\nother: &o {z: 3}\nm:\n  <<: [*b, *o]\n  y: 9\n"
    assert _data(text)["m"] == {"x": 1, "y": 9, "z": 3}


def test_compose_tags_load_as_values() -> None:
    assert _data("ports: !reset []\nenv: !override {A: b}\nx: !reset null\n") == {"ports": [], "env": {"A": "b"}, "x": None}


def test_empty_and_comment_documents() -> None:
    assert parse("", "t").documents == []
    assert parse("# only a comment\n", "t").documents == []
    assert parse("---\n---\na: 1\n", "t").documents == [None, {"a": 1}]


def test_aliases_within_budget_are_shared_not_copied() -> None:
    data = _data("a: &x [1, 2, 3]\nb: *x\nc: *x\n")
    assert data["b"] is data["a"] and data["c"] == [1, 2, 3]


def test_alias_budget_is_configurable() -> None:
    text = "a: &x [1, 2, 3, 4]\nb: [*x, *x, *x]\n"
    assert parse(text, "t", Limits(max_alias_nodes=100)).documents
    with pytest.raises(ParseError, match="aliases expand to more than 10 values"):
        parse(text, "t", Limits(max_alias_nodes=10))


def test_depth_limit_names_line_and_column() -> None:
    with pytest.raises(ParseError) as caught:
        parse("a:\n  b:\n    c: [[1]]\n", "t.yaml", Limits(max_depth=4))
    assert (caught.value.line, caught.value.column) == (3, 9)


def test_complex_key_is_a_clear_error() -> None:
    with pytest.raises(ParseError, match="mapping key must be a plain value") as caught:
        parse("name: {{ replicas }}\n", "t.yaml")
    assert caught.value.line == 1


LOCATE = """\
apiVersion: apps/v1   # comment
kind: Deployment
metadata:
  name: api
  labels: &labels
    app: api
spec:
  template:
    metadata:
      labels:
        <<: *labels
        tier: web
    spec:
      containers:
        - name: api
          image: "api:1"
          env:
            - {name: A, value: "1"}
            - name: B
              value: |
                multi
                line
"""


@pytest.mark.parametrize(
    "pointer, position",
    [
        ("", (1, 1)),
        ("/kind", (2, 1)),
        ("/metadata/name", (4, 3)),
        ("/spec/template/metadata/labels/tier", (12, 9)),
        ("/spec/template/metadata/labels/app", (6, 5)),
        ("/spec/template/spec/containers/0", (15, 11)),
        ("/spec/template/spec/containers/0/image", (16, 11)),
        ("/spec/template/spec/containers/0/env/0/value", (18, 25)),
        ("/spec/template/spec/containers/0/env/1/value", (20, 15)),
        ("/spec/template/spec/containers/0/env/7", (17, 11)),
        ("/spec/nope/deeper", (7, 1)),
    ],
)
def test_locator_finds_key_lines(pointer: str, position: tuple[int, int]) -> None:
    assert Locator(LOCATE).position(0, pointer) == position


@pytest.mark.parametrize("pointer", [
    "/spec/template/spec/containers/00/image",  # RFC 6901: no leading zero
    "/spec/template/spec/containers/²/image",   # str.isdigit() is true for it; int() refuses it
    "/spec/template/spec/containers/٣",
    "/spec/template/spec/containers/-1",
], ids=repr)
def test_the_locator_takes_only_array_indexes_into_a_sequence(pointer: str) -> None:
    # Not an item: the nearest place that resolves, the containers key.
    assert Locator(LOCATE).position(0, pointer) == (14, 7)


def test_list_items_become_documents_with_base_pointer() -> None:
    text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n    namespace: x\n"
    loaded = load_text(text, file="l.yaml", name="l.yaml", fmt="yaml")
    assert [d.target for d in loaded.documents] == ["Service/default/a", "ConfigMap/x/b"]
    assert [d.base for d in loaded.documents] == ["/items/0", "/items/1"]
    assert loaded.documents[1].locate("/metadata/name") == (10, 5)


# YAML forbids raw control characters that JSON strings may carry; everything else must round-trip.
printable = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Zl", "Zp")), max_size=20)
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, allow_infinity=False), printable,
)
json_data = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(printable, inner, max_size=5)),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(json_data)
def test_any_json_text_loads_as_the_same_data(data) -> None:
    """JSON is YAML 1.2: our YAML loader must read any JSON document exactly."""
    for text in (json.dumps(data, ensure_ascii=False), json.dumps(data, indent=2, ensure_ascii=False)):
        assert parse(text, "t.json").documents == [data]


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True), json_data, min_size=1, max_size=8))
def test_locator_finds_every_top_level_key(data: dict) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False)
    lines = text.splitlines()
    for key in data:
        line, column = Locator(text).position(0, "/" + key)
        assert lines[line - 1][column - 1 :].startswith(json.dumps(key, ensure_ascii=False))


def test_libyaml_parser_is_used_when_present() -> None:
    import yaml

    from trueup.load import yaml_compose

    if yaml.__with_libyaml__:
        assert yaml_compose.YamlComposer.__mro__[1].__module__ in ("yaml._yaml", "_yaml")


def test_yaml11_booleans_only_in_kubernetes_documents() -> None:
    k8s = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: yes\n  b: 'yes'\n  c: [on, N, \"off\"]\n"
    [doc] = load_text(k8s, file="c", name="c.yaml", fmt="yaml").documents
    assert doc.data["data"] == {"a": True, "b": "yes", "c": [True, False, "off"]}
    compose = "services:\n  web:\n    environment:\n      DEBUG: yes\n"
    [doc] = load_text(compose, file="c", name="compose.yaml", fmt="yaml").documents
    assert doc.data["services"]["web"]["environment"] == {"DEBUG": "yes"}


@pytest.mark.parametrize("text, expected", [
    # The first value's go-yaml v2 boolean is gone with it: the last value wins whole.
    ("spec:\n  paused: yes\nspec: web\n", {"spec": "web"}),
    ("spec: {paused: yes}\nspec: {paused: 'yes'}\n", {"spec": {"paused": "yes"}}),
    # An explicit key overrides the merged value, and its quoting stands.
    ("base: &b {paused: 1}\nspec:\n  <<: {paused: yes}\n  paused: 'yes'\n", {"base": {"paused": 1}, "spec": {"paused": "yes"}}),
    ("spec:\n  <<: {paused: yes}\n", {"spec": {"paused": True}}),
])
def test_yaml11_booleans_follow_the_value_that_wins(text: str, expected: dict) -> None:
    from trueup.load import load_text

    [doc] = load_text(text, file="k.yaml", name="k.yaml", fmt="yaml", kind="kubernetes").documents
    assert doc.data == expected


@pytest.mark.parametrize("text", ["- a\n", "kind: [a, b]\nmetadata: {name: web}\nmetadata: {name: shop}\n"])
def test_a_kubernetes_file_of_any_shape_loads(text: str) -> None:
    from trueup.load import load_text

    loaded = load_text(text, file="k.yaml", name="k.yaml", fmt="yaml", kind="kubernetes")
    assert [doc.base for doc in loaded.documents] == [""]
    assert [f.target for f in loaded.findings] == ([] if text.startswith("-") else ["['a', 'b']/default/shop"])


def _pointers(value, pointer: str = ""):
    yield pointer
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _pointers(child, pointer + "/" + str(key).replace("~", "~0").replace("/", "~1"))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _pointers(child, f"{pointer}/{index}")


@settings(max_examples=150, deadline=None)
@given(st.lists(json_data, min_size=1, max_size=3), st.sampled_from(["block", "flow", "anchors"]))
def test_positions_from_the_first_parse_are_those_a_second_composition_finds(docs: list, style: str) -> None:
    """``load_text(positions=True)`` keeps the node graphs its parse composed for line look-ups; every
    pointer of every document must then be where the lazy locator (a second composition) puts it."""
    import yaml

    if style == "anchors":  # the same mapping twice through an alias, and a merge key
        text = "base: &b {x: 1, y: [2]}\nuse: *b\nmerged: {<<: *b, y: 3}\n---\n" + yaml.safe_dump_all(docs)
    else:
        text = yaml.safe_dump_all(docs, default_flow_style=style == "flow", allow_unicode=True)
    seeded = load_text(text, file="t.yaml", name="t.yaml", fmt="yaml", kind="config", positions=True)
    lazy = load_text(text, file="t.yaml", name="t.yaml", fmt="yaml", kind="config")
    assert seeded.source._locator is not None and lazy.source._locator is None
    for one, other in zip(seeded.documents, lazy.documents, strict=True):
        for pointer in [*_pointers(one.data), "/missing", "/0/9"]:
            assert one.locate(pointer) == other.locate(pointer), pointer
    seeded.source.forget_positions()
    assert seeded.source._locator is None
    if seeded.documents:  # forgotten, the positions come back from a second composition
        assert seeded.documents[-1].locate("") == lazy.documents[-1].locate("")
