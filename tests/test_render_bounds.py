"""Every string (and list) a sandboxed template builds is bounded by the output cap, before allocation."""
from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from trueup.cli import main

ATTACKS = [
    '{{ "{:>1500000000}".format(1) }}',
    '{{ "{:1500000000}".format("a") }}',
    '{{ "{:.1500000000f}".format(1.5) }}',
    '{{ "{x:>1500000000}".format_map({"x": 1}) }}',
    '{{ ("{:>9000000}" * 3).format(1, 2, 3) }}',
    '{{ "%1500000000d" % 1 }}',
    '{{ "%-1500000000s" % "a" }}',
    '{{ "%.1500000000f" % 1.0 }}',
    '{{ "%*d" % (1500000000, 1) }}',
    '{{ "x".center(1500000000) }}',
    '{{ "x".ljust(1500000000) }}',
    '{{ "x".rjust(1500000000) }}',
    '{{ "1".zfill(1500000000) }}',
    '{{ "\\t".expandtabs(1500000000) }}',
    '{{ ("x"|attr("center"))(1500000000) }}',
    '{{ ("x" * 1000000).replace("x", "y" * 1000000) }}',
    '{{ ("x" * 1000).translate({120: "y" * 1000000}) }}',
    '{{ ("x" * 1000000).join(["y"] * 1000000) }}',
    '{{ "".join(range(100000) | map("string") | map("center", 100000)) }}',
    '{{ "x" | center(1500000000) }}',
    '{{ "x" | indent(1500000000, first=true) }}',
    '{{ ("x " * 500000) | wordwrap(1, wrapstring="y" * 1000) }}',
    '{{ "%1500000000d" | format(1) }}',
    '{{ range(100000) | map("string") | map("center", 100000) | join }}',
    '{{ range(100000) | map("string") | map("center", 100000) | list | length }}',
    '{{ range(100000) | map("string") | map("center", 100000) | sort | first }}',
    '{{ ("x" * 1000000) | replace("x", "y" * 1000) }}',
    '{{ range(1500000000) | list | length }}',
    '{{ [1] | batch(1500000000, "x") | list | length }}',
    '{{ ([[0] * 1000000] * 1000) | sum(start=[]) | length }}',
    '{{ {"a": [1, 2, 3]} | tojson(1500000000) }}',
    '{{ {"a": [1, 2, 3]} | to_json(1500000000) }}',
    '{% set ns = namespace(s="x" * 1000000) %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}',
    '{% set ns = namespace(s="x" * 1000000) %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s | length }}',
    '{% macro m() %}{% for i in range(100000) %}{{ "x" * 1000000 }}{% endfor %}{% endmacro %}{% set y = m() %}{{ y | length }}',
    '{% set y %}{% for i in range(100000) %}{{ "x" * 1000000 }}{% endfor %}{% endset %}{{ y | length }}',
    '{% filter upper %}{% for i in range(100000) %}{{ "x" * 1000000 }}{% endfor %}{% endfilter %}',
    # in combination
    '{% set w = "{:>%d}" % 1500000000 %}{{ w.format(1) }}',
    '{{ ("{:>%d}" | format(1000000000)).format("x") | center(10) }}',
    '{{ ("%" ~ 1500000000 ~ "d") % 1 }}',
    '{% for i in range(3) %}{{ "x".center(2 ** 31) }}{% endfor %}',
]


@pytest.mark.parametrize("body", ATTACKS)
def test_string_bombs_fail_fast_with_bounded_memory(write, tmp_path: Path, body: str) -> None:
    write("t/app.yaml.j2", "name: {{ name }}\nbomb: " + body + "\n")
    write("values.yaml", "name: api\n")
    import io

    out, err = io.StringIO(), io.StringIO()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    previous = Path.cwd()
    try:
        import os

        os.chdir(tmp_path)
        code = main(["render", "--templates", "t", "--values", "values.yaml"], stdout=out, stderr=err)
    finally:
        os.chdir(previous)
    elapsed = time.monotonic() - started
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    text = (out.getvalue() + err.getvalue()).strip()
    assert code == 2, text[:300]
    assert len(text.splitlines()) == 1 and "Traceback" not in text, text[:300]
    assert text.startswith("trueup: t/app.yaml.j2:2: "), text
    assert elapsed < 2, elapsed
    assert grown_kib < 100 * 1024, grown_kib


@pytest.mark.parametrize(
    "body, expected",
    [
        ('{{ "{:>6}|{:<4}|{:^5}|{:08.3f}|{:,}".format("a", "b", "c", 3.14159, 1234567) }}', "     a|b   |  c  |0003.142|1,234,567"),
        ('{{ "{x:>3}".format_map({"x": 7}) }}', "  7"),
        ('{{ "%5d|%-4s|%.2f|%*d|%(n)s" % (1, "ab", 2.5, 3, 4, 9) if false else "%5d|%-4s|%.2f|%*d" % (1, "ab", 2.5, 3, 4) }}', "    1|ab  |2.50|  4"),
        ('{{ "ab".center(6) }}|{{ "ab".ljust(4) }}|{{ "ab".rjust(4) }}|{{ "7".zfill(3) }}|{{ "a\\tb".expandtabs(4) }}', "  ab  |ab  |  ab|007|a   b"),
        ('{{ "-".join(["a", "b"]) }}|{{ "aXa".replace("X", "YY") }}|{{ "ab" ~ 1 ~ "c" }}|{{ "x" * 3 }}|{{ "a" + "b" }}', "a-b|aYYa|ab1c|xxx|ab"),
        ('{{ "ab" | center(6) }}|{{ "%03d" | format(7) }}|{{ [1, 2] | join(",") }}|{{ "aa" | replace("a", "b", 1) }}', "  ab  |007|1,2|ba"),
        ('{{ "a\\nb" | indent(2) }}|{{ "hello world" | wordwrap(5) }}|{{ "hello world" | truncate(9) }}|{{ "hello world" | truncate(7, leeway=0) }}', "a\n  b|hello\nworld|hello world|hell..."),
        ('{{ range(3) | list }}|{{ [3, 1, 2] | sort | list }}|{{ range(3) | reverse | list }}|{{ [1, 2, 3, 4] | batch(3, 0) | list }}', "[0, 1, 2]|[1, 2, 3]|[2, 1, 0]|[[1, 2, 3], [4, 0, 0]]"),
        ('{{ [[1], [2]] | sum(start=[]) }}|{{ [1, 2] | sum }}|{{ {"a": [1]} | tojson(2) }}|{{ {"a": 1} | to_json(1) }}', '[1, 2]|3|{\n  "a": [\n    1\n  ]\n}|{\n "a": 1\n}'),
        ('{{ "" }}{% set y %}a{{ 1 }}b{% endset %}{% macro m(x) %}<{{ x }}>{% endmacro %}{{ y }}{{ m(2) }}{% filter upper %}z{% endfilter %}', "a1b<2>Z"),
        ('{{ range(3) | map("string") | join("+") }}|{{ "%s" % "x" }}|{{ 7 % 3 }}|{{ 1 + 2 }}|{{ [1] + [2] }}', "0+1+2|x|1|3|[1, 2]"),
    ],
)
def test_legitimate_templates_render_unchanged(trueup, write, tmp_path: Path, body: str, expected: str) -> None:
    write("t/app.yaml.j2", "")
    (tmp_path / "t" / "app.yaml.j2").write_text("v: |\n  " + body + "\n", encoding="utf-8")
    write("values.yaml", "name: api\n")
    result = trueup("render", "--templates", "t", "--values", "values.yaml", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert result.out == "# Source: app.yaml\nv: |\n  " + expected + "\n"


def test_a_smaller_output_cap_bounds_intermediate_strings_too(trueup, write, tmp_path: Path) -> None:
    write("trueup.yaml", "version: 1\ntemplates: t\nenvironments:\n  prod:\n    values: [values.yaml]\nlimits:\n  max_file_bytes: 1000\n")
    write("values.yaml", "name: api\n")
    write("t/app.yaml.j2", 'a: {{ "x".center(5000) | length }}\n')
    result = trueup("render", "--env", "prod", cwd=tmp_path)
    text = (result.out + result.err).strip()
    assert result.code == 2 and text == (
        "trueup: t/app.yaml.j2:1: rendered output exceeds 1000 bytes (str.center would build 5000 characters)"
    ), text
