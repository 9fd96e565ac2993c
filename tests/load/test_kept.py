"""load.kept: a shard's partial read keeps exactly what a full read would keep, with the same values
and the same lines."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trueup.errors import ParseError
from trueup.load import Limits, load_text
from trueup.load.kept import load_kept
from trueup.load.yaml_units import scan
from trueup.mask import secret_values
from trueup.pointer import escape_token
from trueup.shards import Shard

# Scalars as written: plain ones the schema turns into other types, go-yaml v2's booleans, quoted
# ones, escapes, collections, anchors, aliases, tags and merge keys (each of which the scan must
# see, read right, or leave to a full read).
SCALARS = st.sampled_from([
    "web", "'web'", '"web"', "web-2", "yes", "'yes'", "no", "on", "Off", "y", "true", "123", "0x1F", "1e3",
    "null", "~", "''", '"a\\u0041"', "Secret", "List", "PodList", "v1", "apps/v1", "[a, b]", "{x: 1}",
    "&a web", "*a", "!!str 5", "web # a comment", "'it''s'", '"pass"', "pw-1234567", "|\n    block\n",
])
KEYS = st.sampled_from(["apiVersion", "kind", "metadata", "items", "spec", "data", "password", "<<", "args", "x",
                        "[k]", "{k: 1}", "? q\n"])


@st.composite
def mappings(draw: st.DrawFn, indent: int, depth: int = 0) -> str:
    pad = " " * indent
    lines = []
    for key in draw(st.lists(KEYS, min_size=0, max_size=6)):
        if key == "metadata" and draw(st.booleans()):
            fields = draw(st.lists(st.sampled_from(["name", "namespace", "generateName", "labels"]), max_size=4))
            body = "".join(f"{pad}  {f}: {draw(SCALARS)}\n" for f in fields)
            lines.append(f"{pad}metadata:\n{body}" if body else f"{pad}metadata: {{}}\n")
        elif key == "items" and depth == 0:
            lines.append(draw(item_lists(indent)))
        elif key == "args":
            lines.append(f"{pad}args: [{draw(st.sampled_from(['-p', '--port', 'x']))}, {draw(SCALARS)}]\n")
        elif key == "spec" and depth < 2 and draw(st.booleans()):
            lines.append(f"{pad}spec:\n{draw(mappings(indent + 2, depth + 1)) or pad + '  a: 1' + chr(10)}")
        else:
            lines.append(f"{pad}{key}: {draw(SCALARS)}\n")
    return "".join(lines)


@st.composite
def item_lists(draw: st.DrawFn, indent: int) -> str:
    pad = " " * indent
    step = draw(st.sampled_from([0, 2]))
    out = [f"{pad}items:\n"]
    for _ in range(draw(st.integers(0, 4))):
        lead = f"{pad}{' ' * step}- "
        if draw(st.integers(0, 5)) == 0:
            out.append(f"{lead}{draw(SCALARS)}\n")
            continue
        body = draw(mappings(indent + step + 2, 1)) or f"{' ' * (indent + step + 2)}kind: Pod\n"
        out.append(lead + body[indent + step + 2:])
    if len(out) == 1:
        return f"{pad}items: {draw(st.sampled_from(['[]', 'none', '[{kind: Pod}]']))}\n"
    return "".join(out)


@st.composite
def files(draw: st.DrawFn) -> str:
    docs = [draw(mappings(0)) or draw(st.sampled_from(["", "~\n", "- a\n", "text\n"])) for _ in range(draw(st.integers(1, 3)))]
    text = "---\n".join(docs)
    if draw(st.booleans()):
        text = "# a comment\n" + text
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text


def _pointers(value: Any, pointer: str = "") -> list[str]:
    """Every node's pointer, and one past a leaf (a lookup that stops at its nearest node)."""
    if isinstance(value, dict):
        return [pointer, *(p for k, v in value.items() for p in _pointers(v, f"{pointer}/{escape_token(str(k))}"))]
    if isinstance(value, list):
        return [pointer, *(p for i, v in enumerate(value) for p in _pointers(v, f"{pointer}/{i}"))]
    return [pointer, pointer + "/missing"]


def _seen(doc: Any) -> tuple:
    """What a reader of the document gets: its place, kind, values and every node's line."""
    return doc.index, doc.base, doc.kind, doc.data, [doc.locate(p) for p in _pointers(doc.data)]


def _read(text: str, keep: Any, kind: str | None) -> tuple[list, int, list]:
    loaded = load_text(text, file="f.yaml", name="f.yaml", fmt="yaml", kind=kind)
    kept = [doc for doc in loaded.documents if keep(doc)]
    left = [v for doc in loaded.documents if doc not in kept for v in secret_values(doc.data, kind=doc.kind)]
    return [_seen(d) for d in kept], len(loaded.documents), sorted(map(repr, left))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files(), st.integers(1, 3), st.sampled_from([None, "kubernetes"]))
def test_a_partial_read_is_a_full_read_filtered(text: str, index: int, kind: str | None) -> None:
    shard = Shard(index, 3)

    def keep(doc: Any) -> bool:
        return shard.keeps(doc, "target", "f.yaml", "default")

    try:
        expected = _read(text, keep, kind)
    except ParseError as exc:
        with pytest.raises(ParseError) as raised:
            load_kept(text, file="f.yaml", name="f.yaml", fmt="yaml", keep=keep, kind=kind)
        assert str(raised.value) == str(exc)
        return
    kept = load_kept(text, file="f.yaml", name="f.yaml", fmt="yaml", keep=keep, kind=kind)
    got = [_seen(d) for d in kept.loaded.documents]
    assert (got, kept.total, sorted(map(repr, kept.left))) == expected


LIST = """\
apiVersion: v1
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    namespace: shop
  spec: {replicas: 2}
- just a string
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: settings}
  data:
    password: hunter2-secret
kind: List
metadata:
  resourceVersion: ""
"""


def test_a_list_is_scanned_into_its_items_spans() -> None:
    [document] = scan(LIST, Limits().max_depth)
    assert [place for place, _ in document.items] == [0, 2]
    first = document.items[0][1]
    assert first.names.top == {"apiVersion": ("apps/v1", True), "kind": ("Deployment", True)}
    assert first.names.meta == {"name": ("web", True), "namespace": ("shop", True)}
    assert first.span.text(LIST).splitlines()[2:5] == ["  apiVersion: apps/v1", "  kind: Deployment", "  metadata:"]


def test_objects_another_shard_keeps_are_not_built_but_their_secrets_are_known() -> None:
    built: list[str] = []
    import trueup.load.kept as kept_module

    original = kept_module.parse

    def counting(text: str, file: str, limits: Limits) -> Any:
        built.append(text)
        return original(text, file, limits)

    kept_module.parse = counting
    try:
        kept = load_kept(LIST, file="live.yaml", name="live.yaml", fmt="yaml", keep=lambda doc: False)
    finally:
        kept_module.parse = original
    assert (kept.loaded.documents, kept.total, kept.left) == ([], 2, ["hunter2-secret"])
    assert len(built) == 1 and "ConfigMap" in built[0]  # the Deployment holds no secret word: never built


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n", "a: !!str 1\n", "<<: {a: 1}\n", "%YAML 1.2\n---\na: 1\n", "? [a]\n: 1\n", "a: [1\n",
])
def test_what_a_span_alone_could_misread_is_read_whole(text: str) -> None:
    assert scan(text, Limits().max_depth) is None


def test_nesting_past_the_limit_is_read_whole() -> None:
    assert scan("a: {b: {c: 1}}\n", 3) is not None
    assert scan("a: {b: {c: {d: 1}}}\n", 3) is None
