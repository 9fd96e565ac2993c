"""render.render_template: a template with no Jinja syntax is its own output, uncompiled."""
from __future__ import annotations

import tempfile
from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.errors import RenderError
from trueup.render import make_environment, render_template
from trueup.render_lines import line_map

# Jinja's delimiters' pieces and every character Python, YAML or Jinja reads as a line break.
_PIECES = st.text(st.sampled_from(list("ab {}%#-:\t\r\n\x0b\x0c\x1c\x85\u2028\u2029\ufeff")), max_size=40)


@settings(max_examples=400, deadline=None)
@given(_PIECES)
def test_plain_output_is_what_jinja_writes(text: str) -> None:
    """Whatever is rendered without compiling is exactly Jinja's output and line map."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "t.yaml").write_bytes(text.encode("utf-8"))
        environment = make_environment(root, "templates")
        try:
            rendered = render_template(environment, "t.yaml", {})
        except RenderError:
            return  # a syntax error: compiled, and refused, as before
        expected = "".join(environment.get_template("t.yaml").generate({}))
        assert rendered.text == expected
        assert list(rendered.lines) == line_map(root / "t.yaml", expected)


def test_plain_template_is_not_compiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plain.yaml").write_text("a: 1\r\nb: '}}'\n", encoding="utf-8")
    (tmp_path / "jinja.yaml").write_text("a: {{ n }}\n", encoding="utf-8")
    environment = make_environment(tmp_path, "templates")
    compiled: list[str] = []
    original = jinja2.Environment.get_template

    def spy(self: jinja2.Environment, name: str, *args: object, **kwargs: object) -> jinja2.Template:
        compiled.append(name)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "get_template", spy)
    plain = render_template(environment, "plain.yaml", {})
    assert (plain.text, list(plain.lines), plain.reads) == ("a: 1\nb: '}}'\n", [1, 2], frozenset())
    assert render_template(environment, "jinja.yaml", {"n": 3}).text == "a: 3\n"
    assert compiled == ["jinja.yaml"]


def test_plain_template_keeps_the_output_bound_and_the_root(tmp_path: Path) -> None:
    (tmp_path / "big.yaml").write_text("x" * 100, encoding="utf-8")
    environment = make_environment(tmp_path, "templates")
    with pytest.raises(RenderError, match="exceeds 10 bytes"):
        render_template(environment, "big.yaml", {}, max_bytes=10)
    outside = tmp_path.parent / "outside.yaml"
    outside.write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(outside)
    with pytest.raises(RenderError, match="outside the templates root"):
        render_template(environment, "link.yaml", {})
