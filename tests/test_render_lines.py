"""The rendered-to-template line map (trueup.render_lines.line_map): literal, expression and loop lines."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trueup import render_lines
from trueup.render_lines import line_map


def _template(tmp_path: Path, text: str, name: str = "t.yaml.j2") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_literal_and_expression_lines_map_one_to_one(tmp_path: Path) -> None:
    path = _template(tmp_path, """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ name }}
        data:
          level: info
        """)
    rendered = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api\ndata:\n  level: info\n"
    assert line_map(path, rendered) == [1, 2, 3, 4, 5, 6]


def test_a_loop_body_maps_each_item_to_the_body_line(tmp_path: Path) -> None:
    path = _template(tmp_path, """
        a: 1
        list:
        {% for i in xs %}
          - name: {{ i }}
            value: 1
        {% endfor %}
        end: 1
        """)
    rendered = "a: 1\nlist:\n  - name: a\n    value: 1\n  - name: b\n    value: 1\nend: 1\n"
    assert line_map(path, rendered) == [1, 2, 4, 5, 4, 5, 7]


def test_lines_whose_key_is_an_expression_map_to_the_start_of_their_stretch(tmp_path: Path) -> None:
    path = _template(tmp_path, """
        data:
        {% for k, v in items %}
          {{ k }}: "{{ v }}"
        {% endfor %}
          fixed: yes
        """)
    # No template line has the key ``A``: the stretch that wrote it begins at the ``for`` line.
    assert line_map(path, 'data:\n  A: "1"\n  B: "2"\n  fixed: yes\n') == [1, 2, 2, 5]


def test_included_lines_map_to_the_include(tmp_path: Path) -> None:
    path = _template(tmp_path, "a: 1\n{% include '_part.j2' %}\nz: 9\n")
    assert line_map(path, "a: 1\nb: 2\nc: 3\nz: 9\n") == [1, 2, 2, 3]


def test_a_key_is_found_at_its_own_indent_first(tmp_path: Path) -> None:
    path = _template(tmp_path, """
        spec:
          name: {{ a }}
          inner:
            name: {{ b }}
        """)
    # Both rendered ``name`` lines differ from the template; each goes to the template line at its indent.
    assert line_map(path, "spec:\n  name: x\n  inner:\n    name: y\n") == [1, 2, 3, 4]


def test_bom_and_crlf_in_the_template(tmp_path: Path) -> None:
    path = tmp_path / "crlf.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\r\nb: 2\r\n")
    assert line_map(path, "a: 1\nb: 2\n") == [1, 2]


@pytest.mark.parametrize("content, rendered, expected", [
    (None, "a: 1\n", []),               # no template file
    (b"\xff\xfe\x00", "a: 1\n", []),    # not UTF-8
    (b"a: 1\n", "", []),                # nothing rendered
    (b"", "x\ny\n", [1, 1]),            # an empty template: every line clamps to line 1
    (b"a: 1\n", "\n\n", [1, 1]),
], ids=["missing", "not-utf8", "empty-output", "empty-template", "blank-output"])
def test_edges(tmp_path: Path, content: bytes | None, rendered: str, expected: list[int]) -> None:
    path = tmp_path / "edge.j2"
    if content is not None:
        path.write_bytes(content)
    assert line_map(path, rendered) == expected


def test_a_path_with_spaces_and_unicode(tmp_path: Path) -> None:
    path = _template(tmp_path, "ü: {{ x }}\nb: 2\n", name="dir ü.yaml.j2")
    assert line_map(path, "ü: 1\nb: 2\n") == [1, 2]


def test_repeated_lines_map_in_order_onto_lines_with_their_text(tmp_path: Path) -> None:
    path = _template(tmp_path, "a: 1\na: 1\na: 1\nb: 2\n  c: 3\na: 1\n")
    # Only the last ``a: 1`` comes after ``b: 2``: the first copy would break the order.
    assert line_map(path, "b: 2\na: 1\n") == [4, 6]
    assert line_map(path, "a: 1\n  c: 3\n") == [1, 5]
    assert line_map(path, "a: 1\na: 1\nb: 2\na: 1\n") == [1, 2, 4, 6]


def test_a_loop_repeating_a_literal_line_maps_the_first_copy_to_it(tmp_path: Path) -> None:
    path = _template(tmp_path, """
        items:
        {% for i in xs %}
          - enabled: true
            name: {{ i }}
        {% endfor %}
        enabled: true
        """)
    rendered = "items:\n  - enabled: true\n    name: a\n  - enabled: true\n    name: b\nenabled: true\n"
    assert line_map(path, rendered) == [1, 3, 4, 3, 4, 6]


def test_lines_too_frequent_to_align_fall_back_to_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_lines, "MAX_PAIRS", 3)
    path = _template(tmp_path, "a: {{ x }}\n-\n-\nb: 2\n-\nc: {{ y }}\n")
    rendered = "a: 1\n-\n-\nb: 2\n-\nc: 3\n"
    # ``-`` has 3 x 3 pairs, over the budget: it is not aligned, and goes to its stretch's start.
    assert line_map(path, rendered) == [1, 1, 1, 4, 5, 6]
    monkeypatch.setattr(render_lines, "MAX_PAIRS", 10)
    assert line_map(path, rendered) == [1, 2, 3, 4, 5, 6]


LINE = st.sampled_from(["a: 1", "b: 2", "  c: 3", "- d", "", "# note", "e: {{ x }}", "f:", "  - g: 1", "---"])
LINES = st.lists(LINE, min_size=1, max_size=12)
FEW_LINES = st.lists(st.sampled_from(["a: 1", "b: 2", "  c: 3", ""]), min_size=1, max_size=16)  # many repeats


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(LINES, FEW_LINES), st.data())
def test_a_template_with_lines_left_out_maps_monotonically_onto_them(tmp_path: Path, source: list[str],
                                                                      data: st.DataObject) -> None:
    # Conditionals that are false leave lines out: every kept line is literal, and maps to a
    # template line holding that text, in increasing order, repeated lines too.
    path = tmp_path / "mono.j2"
    path.write_text("\n".join(source) + "\n", encoding="utf-8")
    kept = data.draw(st.lists(st.booleans(), min_size=len(source), max_size=len(source)))
    rendered = [line for line, keep in zip(source, kept) if keep]
    mapping = line_map(path, "\n".join(rendered) + "\n" if rendered else "")
    assert len(mapping) == len(rendered)
    assert all(a < b for a, b in zip(mapping, mapping[1:]))
    assert [source[m - 1] for m in mapping] == rendered


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(LINES, st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
                                max_size=10), max_size=15))
def test_every_rendered_line_maps_to_a_template_line(tmp_path: Path, source: list[str], rendered: list[str]) -> None:
    path = tmp_path / "any.j2"
    path.write_text("\n".join(source) + "\n", encoding="utf-8")
    mapping = line_map(path, "\n".join(rendered))
    assert len(mapping) == len("\n".join(rendered).splitlines())
    assert all(1 <= m <= len(source) for m in mapping)
