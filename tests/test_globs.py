"""Path globs (trueup.globs): ``*`` within a segment, ``**`` across segments, classes, anchors."""
from __future__ import annotations

from fnmatch import fnmatchcase

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.globs import compile_glob, match, match_any


@pytest.mark.parametrize("pattern, path, expected", [
    ("*.yaml", "app.yaml", True),
    ("*.yaml", "k8s/app.yaml", False),              # * stays within a segment
    ("k8s/*.yaml", "k8s/app.yaml", True),
    ("k8s/*.yaml", "k8s/a/app.yaml", False),
    ("k8s/**/*.yaml", "k8s/app.yaml", True),        # **/ matches zero segments
    ("k8s/**/*.yaml", "k8s/a/b/app.yaml", True),
    ("k8s/**/*.yaml", "k8sx/app.yaml", False),
    ("**/*.yaml", "app.yaml", True),
    ("**/*.yaml", "a/b/app.yaml", True),
    ("**", "a/b/c", True),
    ("k8s/**", "k8s/a/b.yaml", True),
    ("k8s/**", "k8s2/a.yaml", False),
    ("config/**.yaml", "config/a/b.yaml", True),   # ** inside a segment crosses segments
    ("?.yaml", "a.yaml", True),
    ("?.yaml", "ab.yaml", False),
    ("a?b", "a/b", False),                          # ? never matches /
    ("[ab].yaml", "b.yaml", True),
    ("[ab].yaml", "c.yaml", False),
    ("[!ab].yaml", "c.yaml", True),
    ("[!ab].yaml", "a.yaml", False),
    ("[a-c]x", "bx", True),
    ("a[b", "a[b", True),                           # an unclosed [ is a literal
    ("a[b", "ab", False),
    ("a+b(c).yaml", "a+b(c).yaml", True),          # regex characters are literal
    ("a+b(c).yaml", "aab(c).yaml", False),
    ("a.yaml", "axyaml", False),
    ("/k8s/*.yaml", "k8s/app.yaml", True),          # a leading / is dropped
    ("//k8s/*.yaml", "k8s/app.yaml", True),
    ("./k8s/*.yaml", "k8s/app.yaml", True),         # so is a leading ./
    ("k8s/*.yaml", "k8s/app.yaml.j2", False),       # anchored at the end
    ("k8s/*.yaml", "x/k8s/app.yaml", False),        # anchored at the start
    ("dir with space/ü*.yaml", "dir with space/über.yaml", True),
    ("dir with space/ü*.yaml", "dir with space/uber.yaml", False),
    ("../*.yaml", "../x.yaml", True),               # .. is plain text, not a parent
    ("*", "", True),
    ("", "", True),
    ("", "a", False),
], ids=lambda v: repr(v) if not isinstance(v, bool) else str(v))
def test_match(pattern: str, path: str, expected: bool) -> None:
    assert match(pattern, path) is expected


def test_compile_glob_regex() -> None:
    assert compile_glob("k8s/**/*.yaml").pattern == r"k8s/(?:[^/]*/)*[^/]*\.yaml\Z"
    assert compile_glob("[!a]?").pattern == r"[^a][^/]\Z"
    assert compile_glob("a[b").pattern == r"a\[b\Z"


def test_compile_glob_is_cached() -> None:
    assert compile_glob("cache/me/**") is compile_glob("cache/me/**")


@pytest.mark.parametrize("patterns, path, expected", [
    ([], "a.yaml", False),
    ((), "a.yaml", False),
    (["*.json", "*.yaml"], "a.yaml", True),
    (("*.json", "k8s/**"), "a.yaml", False),
], ids=["empty-list", "empty-tuple", "second-matches", "none-match"])
def test_match_any(patterns: list[str] | tuple[str, ...], path: str, expected: bool) -> None:
    assert match_any(patterns, path) is expected


# A reference matcher over segments: ** is zero or more whole segments, other segments are fnmatch.
def _reference(pattern: list[str], path: list[str]) -> bool:
    if not pattern:
        return not path
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_reference(rest, path[i:]) for i in range(len(path) + 1))
    return bool(path) and fnmatchcase(path[0], head) and _reference(rest, path[1:])


SEGMENT = st.text("ab.", min_size=1, max_size=3)
PATTERN_SEGMENT = st.text("ab.*?", min_size=1, max_size=3).filter(lambda s: "**" not in s)


@st.composite
def simple_patterns(draw: st.DrawFn) -> list[str]:
    body = draw(st.lists(st.one_of(PATTERN_SEGMENT, st.just("**")), max_size=3))
    return [*body, draw(PATTERN_SEGMENT)]  # a trailing ** is left to the table above


@settings(max_examples=200, deadline=None)
@given(simple_patterns(), st.lists(SEGMENT, min_size=1, max_size=4))
def test_match_equals_a_segment_reference(pattern: list[str], path: list[str]) -> None:
    assert match("/".join(pattern), "/".join(path)) is _reference(pattern, path)
