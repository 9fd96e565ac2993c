"""The sandbox's bounded filters and globals (trueup.render_filters): sizes known before the text is built."""
from __future__ import annotations

import random
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.utils import generate_lorem_ipsum
from markupsafe import Markup, escape

from trueup.errors import RenderError
from trueup.render_filters import BoundedWriter, bounded_dict, bounded_lipsum, escaped_size, lipsum_size


def test_bounded_writer() -> None:
    writer = BoundedWriter(5, "the to_yaml filter")
    writer.write("abc")
    writer.write("de")
    writer.flush()
    assert writer.text() == "abcde"
    with pytest.raises(RenderError) as caught:
        writer.write("f")
    assert str(caught.value) == "rendered output exceeds 5 bytes (the to_yaml filter would build 6 characters)"
    assert writer.text() == "abcde"


@pytest.mark.parametrize("n, html, low, high", [(1, False, 20, 100), (3, True, 5, 6), (5, True, 20, 100), (2, False, 1, 2)])
def test_lipsum_size_bounds_what_lipsum_writes(n: int, html: bool, low: int, high: int) -> None:
    random.seed(n)
    for _ in range(50):
        assert len(generate_lorem_ipsum(n, html, low, high)) <= lipsum_size(n, html, low, high)


@pytest.mark.parametrize("args, size", [((0,), 0), ((-3,), 0), ((1, True, 20, 1), 0), ((2, False, 20, 21), 2 * (20 * 15 + 2)),
                                        ((1, True, 20, 21), 20 * 15 + 9)])
def test_lipsum_size(args: tuple, size: int) -> None:
    assert lipsum_size(*args) == size


def test_bounded_lipsum() -> None:
    lipsum = bounded_lipsum(SimpleNamespace(max_bytes=1000))
    assert len(lipsum(1, False, 5, 6).split()) == 5
    with pytest.raises(RenderError) as caught:
        lipsum(10)
    assert str(caught.value) == "rendered output exceeds 1000 bytes (lipsum would build 14940 characters)"


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("ab<>&'\"ü")))
def test_escaped_size_is_what_escape_writes(text: str) -> None:
    assert escaped_size(text) == len(escape(text))


def test_escaped_size_of_markup_and_other_values() -> None:
    assert escaped_size(Markup("<b>")) == 3           # already escaped: written as it is
    assert escaped_size([1, "<"]) == 5 * len("[1, '<']")  # an upper bound on the text's escape


def test_bounded_dict() -> None:
    make = bounded_dict(SimpleNamespace(max_bytes=20))
    assert make(a=1, b=[2]) == {"a": 1, "b": [2]}
    with pytest.raises(RenderError) as caught:
        make(a=[0] * 5, b=[0] * 5)
    assert str(caught.value) == "rendered output exceeds 20 bytes (a dict would build 44 characters)"
