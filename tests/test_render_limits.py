"""String and list bounds in the sandbox (trueup.render_limits): sizes known from arguments, refused before allocation."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from trueup import render_limits
from trueup.errors import RenderError, TemplateSecurityError
from trueup.render import make_environment, render_template
from trueup.render_limits import (
    BoundedBuffer, BoundedFormatter, bounded_concat, bounded_format, bounded_items, bounded_join, check_binop,
    format_spec_size, guard_call, printf_size, refuse, string_method_size,
)

HUGE = 1_500_000_000_000  # far past any memory: a test passes only if nothing of that size is built


def _env(max_bytes: int = 100) -> Any:
    """The little of the sandbox these functions use: its cap and its attribute and item lookups."""
    return SimpleNamespace(max_bytes=max_bytes, getattr=getattr, getitem=lambda obj, key: obj[key])


def _over(limit: int, what: str, size: int) -> str:
    return f"rendered output exceeds {limit} bytes ({what} would build {size} characters)"


def test_refuse() -> None:
    refuse(100, 100, "a join")  # at the cap: allowed
    with pytest.raises(RenderError) as caught:
        refuse(100, 101, "a join")
    assert str(caught.value) == _over(100, "a join", 101)


@pytest.mark.parametrize("spec, size", [
    ("", 0), (">10", 10), ("0>10", 10), ("*^7", 7), ("10.5f", 15), (".5f", 5), ("+#010_.3e", 13), (",d", 0),
    ("x<5", 5), (">1500000000", 1500000000), ("1" * 30, 10**18), ("%Y-%m-%d", 0), ("%H:%M:%S.10", 10),
], ids=["empty", "width", "fill-zero", "fill-star", "width-precision", "precision", "all-options", "grouping",
        "fill-x", "huge", "more-digits-than-fit", "date", "date-with-number"])
def test_format_spec_size(spec: str, size: int) -> None:
    assert format_spec_size(spec) == size


@pytest.mark.parametrize("fmt, args, size", [
    ("", (), 0),
    ("%%", (), 2),
    ("%d", 1, 2),
    ("%10d", 1, 14),
    ("%-10.5f", 1.0, 22),
    ("%(a)20s", {"a": 1}, 27),
    ("%*d", (50, 1), 54),
    ("%*.*f", (3, -40, 1.0), 48),   # a negative star width pads as much as its absolute value
    ("%*d", (True, 1), 4),          # with a star every int argument may be a width; a bool is none
    ("%1500000000d", 1, 1500000000 + 12),
], ids=["empty", "percent", "plain", "width", "width-precision", "mapping", "star", "two-stars", "bool-star", "huge"])
def test_printf_size(fmt: str, args: Any, size: int) -> None:
    assert printf_size(fmt, args) == size


@pytest.mark.parametrize("s, name, args, kwargs, size", [
    ("ab", "center", (10,), {}, 10),
    ("abcdef", "ljust", (3,), {}, 6),
    ("ab", "rjust", (), {"width": 7}, 7),
    ("7", "zfill", (HUGE,), {}, HUGE),
    ("a\tb\t", "expandtabs", (), {}, 4 + 2 * 8),
    ("a\tb", "expandtabs", (-5,), {}, 3),
    ("xxx", "replace", ("x", "yy"), {}, 6),
    ("xxx", "replace", ("x", "yy", 1), {}, 4),
    ("abc", "replace", ("", "--"), {}, 3 + 4 * 2),   # "" matches between every character
    ("xxx", "replace", ("x", ""), {}, 3),            # shrinking: the original length bounds it
    ("xxx", "replace", (1, 2), {}, 3),
    ("ab", "__mul__", (3,), {}, 6),
    ("ab", "__rmul__", (-3,), {}, 0),
    ("ab", "__add__", ("cde",), {}, 5),
    ("%5d", "__mod__", (1,), {}, 8),
    ("xax", "translate", ({120: "yyy"},), {}, 3 + 2 * 3),  # an upper bound: each x adds all of "yyy"
    ("xax", "translate", ({120: None, -1: "zz"},), {}, 3),
    ("abc", "upper", (), {}, 3),
    ("straße", "upper", (), {}, 7),                 # "ß".upper() == "SS"
    ("ab", "title", (), {}, 2),
    ("aß", "title", (), {}, 6),                     # title looks at neighbours: three a character at most
    ("aü", "encode", (), {}, 8),
    ("abc", "split", (), {}, None),
], ids=["center", "ljust-shorter", "rjust-keyword", "zfill-huge", "expandtabs-default", "expandtabs-negative",
        "replace", "replace-count", "replace-empty-old", "replace-shrinks", "replace-non-str", "mul", "rmul-negative",
        "add", "mod", "translate", "translate-ignored", "upper", "upper-grows", "title", "title-non-ascii", "encode",
        "split"])
def test_string_method_size(s: str, name: str, args: tuple, kwargs: dict, size: int | None) -> None:
    assert string_method_size(s, name, args, kwargs) == size


@pytest.mark.parametrize("s, name, args, exact", [
    ("ab", "center", (9,), True),
    ("xyx", "replace", ("x", "zz"), True),
    ("abc", "replace", ("", "-"), True),
    ("ab", "__mul__", (4,), True),
    ("a\tb\t", "expandtabs", (4,), False),
    ("xax", "translate", ({120: "yyy"},), False),
], ids=["center", "replace", "replace-empty", "mul", "expandtabs", "translate"])
def test_string_method_size_bounds_the_real_result(s: str, name: str, args: tuple, exact: bool) -> None:
    real = len(getattr(s, name)(*args))
    estimate = string_method_size(s, name, args, {})
    assert estimate == real if exact else estimate is not None and estimate > real


@pytest.mark.parametrize("bound, args, what, size", [
    ("x".center, (HUGE,), "str.center", HUGE),
    ("x".ljust, (HUGE,), "str.ljust", HUGE),
    ("1".zfill, (HUGE,), "str.zfill", HUGE),
    ("\t".expandtabs, (HUGE,), "str.expandtabs", 1 + HUGE),
    (("x" * 50).replace, ("x", "y" * 50), "str.replace", 2500),
], ids=["center", "ljust", "zfill", "expandtabs", "replace"])
def test_guard_call_refuses_growing_methods_before_they_run(bound: Any, args: tuple, what: str, size: int) -> None:
    # Each call would need terabytes: only a refusal before running it lets the test end.
    with pytest.raises(RenderError) as caught:
        guard_call(_env(), bound, args, {})
    assert str(caught.value) == _over(100, what, size)


@pytest.mark.parametrize("bound, args, kwargs, result", [
    ("ab".center, (6,), {}, "  ab  "),
    ("-".join, (["a", "b", "c"],), {}, "a-b-c"),
    ("-".join, ((c for c in "xyz"),), {}, "x-y-z"),
    ("{}:{:>4}".format, ("a", 7), {}, "a:   7"),
    ("{x}".format_map, ({"x": "y"},), {}, "y"),
    ("a\tb".expandtabs, (2,), {}, "a b"),
], ids=["center", "join", "join-generator", "format", "format-map", "expandtabs"])
def test_guard_call_runs_what_fits(bound: Any, args: tuple, kwargs: dict, result: str) -> None:
    assert guard_call(_env(), bound, args, kwargs) == (True, result)


@pytest.mark.parametrize("obj", ["abc".strip, [1].append, len, lambda: 1, b"x".center, "ab".__mul__],
                         ids=["non-growing-str-method", "list-method", "builtin-function", "lambda", "bytes-method",
                              "method-wrapper"])  # dunders are unreachable from templates; * is check_binop's
def test_guard_call_leaves_other_calls_to_the_sandbox(obj: Any) -> None:
    assert guard_call(_env(), obj, (), {}) == (False, None)


def test_guard_call_join_counts_separators() -> None:
    with pytest.raises(RenderError) as caught:
        guard_call(_env(10), "--".join, (["a"] * 5,), {})
    assert str(caught.value) == _over(10, "a join", 13)


def test_bounded_format_counts_each_field_and_the_running_total() -> None:
    env = _env(100)
    with pytest.raises(RenderError) as field:
        bounded_format(env, "{:>200}", False)(1)
    assert str(field.value) == _over(100, "a format field", 7 + 200 + 1)  # the string, the width, the value
    with pytest.raises(RenderError) as nested:
        bounded_format(env, "{:{}}", False)(1, HUGE)  # a width given as an argument
    # the format string (5), the width as formatted on the way (13 digits), then the width itself
    assert str(nested.value) == _over(100, "a format field", 5 + 13 + HUGE + 1)
    with pytest.raises(RenderError) as total:
        bounded_format(env, "{}{}", False)("x" * 60, "y" * 60)
    assert str(total.value) == _over(100, "a format field", 4 + 60 + 60)  # counted before the second is built
    with pytest.raises(RenderError) as long_string:
        bounded_format(env, "{}" * 51, False)(*range(51))
    assert str(long_string.value) == _over(100, "a format string", 102)


def test_bounded_format_map_takes_one_mapping() -> None:
    assert bounded_format(_env(), "{a}-{b[0]}", True)({"a": 1, "b": [2]}) == "1-2"
    with pytest.raises(TypeError) as caught:
        bounded_format(_env(), "{a}", True)({"a": 1}, {"b": 2})
    assert str(caught.value) == "format_map() takes exactly one argument"


def test_the_formatter_looks_attributes_up_through_the_environment() -> None:
    seen: list[tuple[str, Any]] = []
    env = SimpleNamespace(max_bytes=100, getattr=lambda obj, name: seen.append(("attr", name)) or "A",
                          getitem=lambda obj, key: seen.append(("item", key)) or "I")
    assert BoundedFormatter(env).vformat("{0.real}/{0[k]}/{0[1]}", (5,), {}) == "A/I/I"
    assert seen == [("attr", "real"), ("item", "k"), ("item", 1)]


@pytest.mark.parametrize("operator, left, right, what, size", [
    ("*", "ab", 60, "a repetition", 120),
    ("*", 60, "ab", "a repetition", 120),
    ("*", [0, 0], HUGE, "a repetition", 2 + HUGE * 4 + 2 * (HUGE - 1)),  # "[0, 0, 0, ...]"
    ("*", (0,), 101, "a repetition", 2 + 101 + 2 * 100),
    ("*", [[0] * 10] * 10, 3, "a repetition", 2 + 3 * (10 * 30 + 9 * 2) + 2 * 2),  # nested lists multiply
    ("+", "x" * 60, "y" * 41, "a concatenation", 101),
    ("+", [0] * 60, [1] * 41, "a concatenation", 2 + 101 + 2 * 100),
    ("+", [[0] * 10] * 4, [], "a concatenation", 2 + 4 * 30 + 3 * 2 + 2),  # an upper bound: "[]" counted
    ("%", "%200d", 1, "a % format", 205 + 1),
    ("%", "%s", [0] * 40, "a % format", 2 + 2 + 40 + 2 * 39),  # the argument's text
], ids=["str-times", "times-str", "list-huge", "tuple", "nested", "str-plus", "list-plus", "nested-plus", "percent",
        "percent-list"])
def test_check_binop_refuses(operator: str, left: Any, right: Any, what: str, size: int) -> None:
    with pytest.raises(RenderError) as caught:
        check_binop(_env(), operator, left, right)
    assert str(caught.value) == _over(100, what, size)


@pytest.mark.parametrize("operator, left, right", [
    ("*", "ab", 50), ("*", 3, 4), ("+", "x" * 50, "y" * 50), ("+", 1, 2), ("+", "a", [1]), ("%", 10, 3),
    ("%", "%5d", 1), ("-", "x", "y"), ("*", "ab", True),
], ids=["str-at-cap", "numbers", "concat-at-cap", "add-numbers", "mixed", "modulo", "small-format", "other-op",
        "bool-times"])
def test_check_binop_allows(operator: str, left: Any, right: Any) -> None:
    assert check_binop(_env(), operator, left, right) is None


def test_bounded_buffer() -> None:
    buffer = BoundedBuffer(10)
    buffer.append("abcd")
    buffer.extend(["ef", 3, "ghij"])  # a non-string counts as nothing
    assert (list(buffer), buffer.size) == (["abcd", "ef", 3, "ghij"], 10)
    with pytest.raises(RenderError) as caught:
        buffer.append("k")
    assert str(caught.value) == _over(10, "a block", 11)
    assert list(buffer) == ["abcd", "ef", 3, "ghij"]  # the refused item is not kept


def test_bounded_concat() -> None:
    assert bounded_concat(10, ("a", 1, None, "ü")) == "a1Noneü"
    with pytest.raises(RenderError) as caught:
        bounded_concat(10, ("x" * 6, "y" * 5))
    assert str(caught.value) == _over(10, "a ~ concatenation", 11)


def test_bounded_join() -> None:
    assert bounded_join(10, ", ", iter(["a", "b"])) == "a, b"
    assert bounded_join(10, ", ", []) == ""
    with pytest.raises(RenderError) as caught:
        bounded_join(10, "--", ["abc", "def", "g"])
    assert str(caught.value) == _over(10, "a join", 11)


def test_bounded_join_stops_at_the_item_that_passes_the_cap() -> None:
    taken: list[int] = []

    def endless() -> Any:
        n = 0
        while True:
            taken.append(n)
            yield "xxxx"
            n += 1

    with pytest.raises(RenderError):
        bounded_join(10, "", endless())
    assert taken == [0, 1, 2]


def test_bounded_items() -> None:
    existing = [1, 2]
    assert bounded_items(existing, 10) is existing       # a container that exists is left alone
    assert bounded_items("abc", 1) == "abc"
    assert bounded_items({"a": 1}, 1) == {"a": 1}
    assert bounded_items(5, 1) == 5                      # not iterable: left to the filter to refuse
    assert bounded_items((n for n in range(3)), 10) == [0, 1, 2]
    with pytest.raises(RenderError) as caught:
        bounded_items(iter(["abcd", "efgh"]), 8, "the sort filter's input")
    assert str(caught.value) == _over(8, "the sort filter's input", 10)


def test_bounded_items_caps_the_number_of_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_limits, "MAX_ITEMS", 3)
    with pytest.raises(RenderError) as caught:
        bounded_items(iter([None] * 10), 10**9)
    assert str(caught.value) == "a sequence has more than 3 items"
    with pytest.raises(RenderError) as joined:
        bounded_join(10**9, "", iter([""] * 10))
    assert str(joined.value) == "join of more than 3 items"


# The same bounds as a template meets them: the sandbox (trueup.render) wires these functions in.
CAP = 1000
TEMPLATE_ATTACKS = [
    ('"{:>1500000000000}".format(1)', "a format field", 17 + HUGE + 1),
    ('"{:{}}".format(1, 1500000000000)', "a format field", 18 + HUGE + 1),
    ('"{x:>1500000000000}".format_map({"x": 1})', "a format field", 18 + HUGE + 1),
    ('"%1500000000000d" % 1', "a % format", 15 + HUGE + 1),
    ('"%*d" % (1500000000000, 1)', "a % format", 4 + HUGE + 13 + 1),
    ('("%" ~ 1500000000000 ~ "d") % 1', "a % format", 15 + HUGE + 1),
    ('"x".center(1500000000000)', "str.center", HUGE),
    ('("x"|attr("center"))(1500000000000)', "str.center", HUGE),
    ('"\\t\\t".expandtabs(1500000000000)', "str.expandtabs", 2 + 2 * HUGE),
    ('"x" * 1001', "a repetition", 1001),
    ('1001 * "x"', "a repetition", 1001),
    ('["x"] * 1001', "a repetition", 2 + 1001 * 3 + 2 * 1000),
    ('("x" * 600) + ("y" * 600)', "a concatenation", 1200),
    ('("x" * 600) ~ ("y" * 600)', "a ~ concatenation", 1200),
    ('("x" * 100).replace("x", "y" * 100)', "str.replace", 10000),
    ('("x" * 10).translate({120: "y" * 200})', "str.translate", 2010),
    ('("x" * 10).join(["y"] * 200)', "a join", 1002),
    ('range(300) | map("string") | map("center", 10) | join', "a join", 1010),
    ('"x" | center(1500000000000)', "the center filter", HUGE),
    ('"x" | indent(1500000000000, first=true)', "the indent filter", 1 + HUGE),
    ('"%1500000000000d" | format(1)', "the format filter", 15 + HUGE + 1),
    ('("x" * 100) | replace("x", "y" * 100)', "the replace filter", 10000),
    ('("a " * 100) | wordwrap(1, wrapstring="y" * 100)', "the wordwrap filter", 20300),
    ('{"a": [1, 2, 3]} | tojson(1500000000000)', "the tojson filter's indent", 20 * HUGE),
    ('{"a": [1, 2, 3]} | to_json(1500000000000)', "the to_json filter's indent", 20 * HUGE),
    ('range(2000) | list | length', "the list filter", 2000),
    ('range(2000) | sort | length', "the sort filter", 2000),
    ('range(2000) | reverse | list | length', "the list filter's input", 1001),
]


@pytest.mark.parametrize("body, what, size", TEMPLATE_ATTACKS, ids=[a[0] for a in TEMPLATE_ATTACKS])
def test_templates_are_refused_before_allocation(tmp_path: Path, body: str, what: str, size: int) -> None:
    (tmp_path / "bomb.yaml.j2").write_text("a: 1\nb: {{ " + body + " }}\n", encoding="utf-8")
    with pytest.raises(RenderError) as caught:
        render_template(make_environment(tmp_path, "t"), "bomb.yaml.j2", {}, max_bytes=CAP)
    assert str(caught.value) == f"t/bomb.yaml.j2:2: {_over(CAP, what, size)}"


@pytest.mark.parametrize("body, message", [
    ('{% set y %}{% for i in range(20) %}{{ "x" * 100 }}{% endfor %}{% endset %}{{ y | length }}',
     _over(CAP, "a block", 1100)),
    ('{% macro m() %}{% for i in range(20) %}{{ "x" * 100 }}{% endfor %}{% endmacro %}{{ m() | length }}',
     _over(CAP, "a block", 1100)),
    ('{% filter upper %}{% for i in range(20) %}{{ "x" * 100 }}{% endfor %}{% endfilter %}',
     _over(CAP, "a block", 1100)),
    ('{{ [1] | batch(1500000000000, "x") | list | length }}', "batch of more than 1000000 items"),
    ('{{ [1] | slice(1500000000000) | list | length }}', "slice into more than 1000000 parts"),
], ids=["set-block", "macro", "filter-block", "batch", "slice"])
def test_blocks_and_sequence_filters_are_bounded(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "b.j2").write_text("a: 1\n" + body + "\n", encoding="utf-8")
    with pytest.raises(RenderError) as caught:
        render_template(make_environment(tmp_path, "t"), "b.j2", {}, max_bytes=CAP)
    assert str(caught.value) == f"t/b.j2:2: {message}"


def test_a_format_field_cannot_reach_past_the_sandbox(tmp_path: Path) -> None:
    (tmp_path / "f.j2").write_text('{{ "{0.__class__}".format("x") }}\n', encoding="utf-8")
    with pytest.raises(TemplateSecurityError) as caught:
        render_template(make_environment(tmp_path, "t"), "f.j2", {}, max_bytes=CAP)
    assert str(caught.value) == "t/f.j2:1: sandbox refused: access to attribute '__class__' of 'str' object is unsafe."


BENIGN = [
    ('"{:>5}|{:.2f}".format(1, 3.14159)', "    1|3.14"),
    ('"{x}-{y}".format_map({"x": 1, "y": "ü"})', "1-ü"),
    ('"%05d" % 42', "00042"),
    ('"%(a)s=%(b)s" % {"a": 1, "b": 2}', "1=2"),
    ('"ab".center(6, "*")', "**ab**"),
    ('"x" * 3 ~ "y"', "xxxy"),
    ('["a", "b"] | join(",")', "a,b"),
    ('[{"n": "a"}, {"n": "b"}] | join("+", attribute="n")', "a+b"),
    ('"ab" | center(6)', "  ab  "),
    ('"a\\nb" | indent(2)', "a\n  b"),
    ('"a\\nb" | indent("> ", first=true)', "> a\n> b"),
    ('"%s-%s" | format(1, 2)', "1-2"),
    ('"aaa" | replace("a", "bb", 2)', "bbbba"),
    ('"one two three" | wordwrap(7)', "one two\nthree"),
    ('{"a": [1, 2]} | tojson', '{"a": [1, 2]}'),
    ('{"a": 1} | to_json(2)', '{\n  "a": 1\n}'),
    ('range(5) | batch(2, 0) | list', "[[0, 1], [2, 3], [4, 0]]"),
    ('range(5) | slice(2) | list', "[[0, 1, 2], [3, 4]]"),
    ('[[1], [2, 3]] | sum(start=[])', "[1, 2, 3]"),
    ('range(4) | reverse | list', "[3, 2, 1, 0]"),
    ('"abc" | reverse', "cba"),
    ('[3, 1, 2] | sort | list', "[1, 2, 3]"),
    ('[1, 1, 2] | unique | list', "[1, 2]"),
    ('"hello world" | truncate(8, leeway=0)', "hello..."),
    ('[{"k": 1}, {"k": 1}] | groupby("k") | list | length', "1"),
]


@pytest.mark.parametrize("body, output", BENIGN, ids=[b[0] for b in BENIGN])
def test_ordinary_templates_render_as_jinja_renders_them(tmp_path: Path, body: str, output: str) -> None:
    (tmp_path / "ok.j2").write_text("{{ " + body + " }}", encoding="utf-8")
    rendered = render_template(make_environment(tmp_path, "t"), "ok.j2", {}, max_bytes=CAP)
    assert rendered.text == output


# Containers and conversions to text: a value's size is the characters its text takes, shared parts
# counted as often as they are written. Each of these would build far more than the cap (most of them
# gigabytes at the default cap); each is refused before it is built, on the line that builds it.
NS_DOUBLING = ('{% set ns = namespace(a=1) %}{% for i in range(60) %}{% set ns.a = namespace(x=ns.a, y=ns.a) %}'
               '{% endfor %}')
NS_SIZE = 31128880624384868326  # the text of ns.a: 2 ** 60 copies of the innermost 1
HOSTILE = [
    ('{{ ([[[0] * 100] * 100] * 10) | string | length }}', "a repetition", 2 + 100 * 300 + 2 * 99),
    ('{{ ([[[0] * 100] * 100] * 10) | pprint | length }}', "a repetition", 30200),
    ('{{ ([[[0] * 1000] * 1000] * 1000) | tojson }}', "a repetition", 2 + 1000 * 1 + 2 * 999),
    ('{% set a = [0] * 100 %}{{ [a, a, a, a] | length }}', "a list", 2 + 4 * 300 + 2 * 3),
    ('{% set a = [0] * 100 %}{{ (a, a, a, a) | length }}', "a tuple", 2 + 4 * 300 + 2 * 3),
    ('{% set a = [0] * 100 %}{{ {"x": a, "y": a, "z": a, "w": a} | length }}', "a dict", 2 + 4 * (3 + 2 + 300) + 2 * 3),
    ('{% set a = [0] * 100 %}{{ dict(x=a, y=a, z=a, w=a) | length }}', "a dict", 2 + 4 * (3 + 2 + 300) + 2 * 3),
    ('{% set a = [0] * 200 %}{{ (a + a + a) | length }}', "a concatenation", 2 * 600),  # a + a, before + a
    ('{{ {}.fromkeys(range(100), [0] * 10) | length }}', "dict.fromkeys", len(repr({}.fromkeys(range(100), [0] * 10)))),
    ('{{ [1] | batch(40, [0] * 10) | list | length }}', "the batch filter", 2 + 1 + 39 * 30 + 2 * 39),
    ('{{ [1, 2, 3, 4] | slice(3, "x" * 995) | list | length }}', "the slice filter", len(repr([3, "x" * 995]))),
    (NS_DOUBLING + '{{ ns.a }}', "a value written out", NS_SIZE),
    (NS_DOUBLING + '{{ ns.a ~ "" }}', "a ~ concatenation", NS_SIZE),
    (NS_DOUBLING + '{{ ns.a | string }}', "the string filter's input", NS_SIZE),
    (NS_DOUBLING + '{{ ns.a | pprint }}', "the pprint filter's input", NS_SIZE),
    (NS_DOUBLING + '{{ ns.a | upper }}', "the upper filter's input", NS_SIZE),
    (NS_DOUBLING + '{{ ns.a | e }}', "the e filter's input", NS_SIZE),
    (NS_DOUBLING + '{{ ns.a | trim }}', "the trim filter's input", NS_SIZE),
    (NS_DOUBLING + '{{ "x" | indent(ns.a) }}', "the indent filter's input", NS_SIZE),
    (NS_DOUBLING + '{{ ["a", "b"] | join(ns.a) }}', "a join", NS_SIZE),
    (NS_DOUBLING + '{{ "%s" % ns.a }}', "a % format", 2 + NS_SIZE),
    (NS_DOUBLING + '{{ "%s" | format(ns.a) }}', "the format filter's input", NS_SIZE),
    (NS_DOUBLING + '{{ "{}".format(ns.a) }}', "a format field", 2 + NS_SIZE),
    (NS_DOUBLING + '{% set y %}{{ ns.a }}{% endset %}', "a value written out", NS_SIZE),
    (NS_DOUBLING + '{{ [ns.a] | map("string") | first }}', "a list", NS_SIZE + 2),  # [ns.a] is refused first
    ('{{ lipsum(2000, html=false) | length }}', "lipsum", 2000 * (99 * 15 + 2)),  # 99 words of at most 12 letters, a comma, a stop, a space
    ('{{ lipsum(1, max=1500000000000) | length }}', "lipsum", (HUGE - 1) * 15 + 9),
    ('{{ (1).to_bytes(1500000000000, "big") | length }}', "int.to_bytes", HUGE),
    ('{{ ("ß" * 600) | upper }}', "the upper filter", 1200),
    ('{{ ("ß" * 600).upper() }}', "str.upper", 1200),
    ('{{ ("<" * 300) | escape }}', "the escape filter", 1200),
    ('{{ ("ü" * 100) | urlencode }}', "the urlencode filter", 1200),
    ('{{ ("x" * 900) | b64encode }}', "the b64encode filter", 1200),
    ('{{ ("http://a.b " * 10) | urlize(target="x" * 100) }}', "the urlize filter", 2 * 110 + 11 * (100 + 100 + 8)),  # + "noopener"
    ('{{ ("<" * 300) | tojson }}', "the tojson filter", 2 + 300 * 6),   # \\u003c
    ('{{ (\'"\' * 600) | to_json }}', "the to_json filter", 2 + 600 * 2),
    ('{{ ["a\\nb" * 200] | to_yaml }}', "the to_yaml filter", 1001),     # the write that passes the cap
    ('{{ ("x" * 500) | list | string }}', "the string filter's input", 2 + 500 * 3 + 2 * 499),
]


@pytest.mark.parametrize("body, what, size", HOSTILE, ids=[h[0][-60:] for h in HOSTILE])
def test_containers_and_their_text_are_refused_before_they_are_built(tmp_path: Path, body: str, what: str,
                                                                      size: int) -> None:
    (tmp_path / "c.j2").write_text("a: 1\n" + body + "\n", encoding="utf-8")
    with pytest.raises(RenderError) as caught:
        render_template(make_environment(tmp_path, "t"), "c.j2", {}, max_bytes=CAP)
    assert str(caught.value) == f"t/c.j2:2: {_over(CAP, what, size)}"


@pytest.mark.parametrize("body, message", [
    ('{{ ((10 ** 64) ** 64) ** 64 }}', "template arithmetic would make a number of 262134 digits (at most 4300 can be written)"),
    ('{% set ns = namespace(x=10 ** 60) %}{% for i in range(12) %}{% set ns.x = ns.x * ns.x %}{% endfor %}',
     "template arithmetic would make a number of 7682 digits (at most 4300 can be written)"),
    ('{{ 5 | round(-1000000000) }}', "the round filter's precision -1000000000 is more digits than a number can have (4300)"),
    ('{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}',
     "a value written out: a value that contains itself cannot be written as text"),
], ids=["power", "product", "round", "self"])
def test_numbers_and_self_references_are_refused(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "n.j2").write_text("a: 1\n" + body + "\n", encoding="utf-8")
    with pytest.raises(RenderError) as caught:
        render_template(make_environment(tmp_path, "t"), "n.j2", {}, max_bytes=CAP)
    assert str(caught.value) == f"t/n.j2:2: {message}"


def test_an_imported_template_keeps_its_output_within_the_cap(tmp_path: Path) -> None:
    (tmp_path / "_m.j2").write_text('{% macro f() %}ok{% endmacro %}{% for i in range(1000) %}{{ "x" * 900 }}'
                                    '{% endfor %}', encoding="utf-8")
    (tmp_path / "i.j2").write_text('a: 1\n{% import "_m.j2" as m %}{{ m.f() }}\n', encoding="utf-8")
    with pytest.raises(RenderError) as caught:
        render_template(make_environment(tmp_path, "t"), "i.j2", {}, max_bytes=CAP)
    assert str(caught.value) == f"t/i.j2:2: {_over(CAP, 'an imported template', 1800)}"


# Just under the cap, what a template builds renders exactly as Jinja renders it.
NEAR_CAP = [
    ('{{ [[0] * 10] * 30 }}', str([[0] * 10] * 30)),                                  # 998 characters
    ('{% set a = [0] * 100 %}{{ [a, a, a] | string | length }}', "906"),
    ('{% set a = ["x"] * 100 %}{{ (a + a) | length }}', "200"),
    ('{% set a = [0] * 100 %}{{ dict(x=a, y=a, z=a) | length }}', "3"),
    ('{{ {"a": [1, 2]} | pprint }}', "{'a': [1, 2]}"),
    ('{{ (["x" * 40] * 20) | pprint | length }}', str(len(__import__("pprint").pformat(["x" * 40] * 20)))),
    ('{{ ([0] * 300) | tojson | length }}', str(len(str([0] * 300)))),
    ('{{ {"k": ["ü"] * 100} | to_yaml | length }}', str(3 + 100 * 4 - 1)),
    ('{{ [1, 2] ~ "" }}', "[1, 2]"),
    ('{{ ("%s" % ([0] * 300,)) | length }}', "900"),
    ('{{ "{}".format([0] * 300) | length }}', "900"),
    ('{{ [[1], [2]] | join("-") }}', "[1]-[2]"),
    ('{{ lipsum(1, html=false, min=5, max=6) | wordcount }}', "5"),
    ('{{ ("ß" * 400) | upper | length }}', "800"),
    ('{{ [1] | batch(3, 0) | list }}', "[[1, 0, 0]]"),
    ('{{ 2 ** 64 * 2 ** 64 }}', str(2 ** 128)),
    ('{{ 1.25 | round(1, "ceil") }}', "1.3"),
    ('{% set ns = namespace(a=[1]) %}{{ ns }}', "<Namespace {'a': [1]}>"),
]


@pytest.mark.parametrize("body, output", NEAR_CAP, ids=[n[0] for n in NEAR_CAP])
def test_legitimate_values_near_the_cap_render_exactly(tmp_path: Path, body: str, output: str) -> None:
    (tmp_path / "ok.j2").write_text(body, encoding="utf-8")
    assert render_template(make_environment(tmp_path, "t"), "ok.j2", {}, max_bytes=CAP).text == output


@pytest.mark.parametrize("body", [
    '{{ ([[[0] * 1000] * 1000] * 1000) | string | length }}',
    '{% set a = [0] * 3000 %}{{ [a, a, a, a, a, a, a, a] | string | length }}',
    '{% set ns = namespace(a="x" * 1000) %}{% for i in range(30) %}{% set ns.a = namespace(p=ns.a, q=ns.a) %}'
    '{% endfor %}{{ ns.a | string | length }}',
    '{{ lipsum(100000, html=false) | length }}',
    '{{ {}.fromkeys(range(10000), [0] * 1000) | tojson | length }}',
], ids=["nested-repetition", "literal", "namespaces", "lipsum", "fromkeys"])
def test_the_refusal_comes_before_the_allocation(tmp_path: Path, body: str) -> None:
    # Unchecked, each would allocate from tens of megabytes to gigabytes; refused, the render's
    # peak stays within what compiling a template takes.
    import tracemalloc

    (tmp_path / "m.j2").write_text(body, encoding="utf-8")
    environment = make_environment(tmp_path, "t")
    tracemalloc.start()
    try:
        with pytest.raises(RenderError) as caught:
            render_template(environment, "m.j2", {}, max_bytes=10_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(caught.value).startswith("t/m.j2:1: rendered output exceeds 10000 bytes (")
    assert peak < 4 * 1024 * 1024, peak
