"""The rendered-to-template line map (trueup.render_lines.line_map): literal, expression and loop lines."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


LINE = st.sampled_from(["a: 1", "b: 2", "  c: 3", "- d", "", "# note", "e: {{ x }}", "f:", "  - g: 1", "---"])
LINES = st.lists(LINE, min_size=1, max_size=12)
UNIQUE_LINES = st.lists(LINE, min_size=1, max_size=10, unique=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(UNIQUE_LINES, st.data())
def test_a_template_with_lines_left_out_maps_monotonically_onto_them(tmp_path: Path, source: list[str],
                                                                      data: st.DataObject) -> None:
    # Conditionals that are false leave lines out: every kept line is literal, and maps to the
    # template line holding that text, in increasing order. (Unique lines: with repeated ones the
    # alignment can pick another copy of a line, so only unique lines are generated here.)
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
