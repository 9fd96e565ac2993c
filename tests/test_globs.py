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
    assert compile_glob("[!a]?").pattern == r"[^/a][^/]\Z"
    assert compile_glob("a[b").pattern == r"a\[b\Z"


@pytest.mark.parametrize("pattern, path, expected", [
    ("dir/**", "dir", True),                        # a trailing /** matches the directory itself
    ("dir/**", "dir/a", True),
    ("dir/**", "dir/a/b.yaml", True),
    ("dir/**", "dirx", False),
    ("dir/**", "dir2/a", False),
    ("a/dir/**", "a/dir", True),
    ("a/dir/**", "dir", False),
    ("**/**", "a/b", True),
    ("dir/**/x", "dir/x", True),
    ("dir**", "dir", True),                         # not after a /: plain **
    ("a[]b", "a[]b", True),                         # no closing ]: the [ is literal (fnmatch; git matches nothing)
    ("a[]b", "ab", False),
    ("a[]b", "a]b", False),
    ("[!]", "[!]", True),
    ("[!]", "!", False),
    ("[]", "[]", True),
    ("[", "[", True),
    ("[!", "[!", True),
    ("[]]x", "]x", True),                           # a ] first in the class is a member (git, fnmatch)
    ("[]]x", "x", False),
    ("[]a]", "a", True),
    ("[!]]y", "zy", True),
    ("[!]]y", "]y", False),
    ("[^a]", "b", True),                            # ^ negates as ! does (git)
    ("[^a]", "a", False),
    ("[\\]]", "]", True),                           # \\ takes the next character literally in a class
    ("[a\\-z]", "-", True),
    ("[a\\-z]", "m", False),
    ("[z-a]", "m", False),                          # a reversed range matches nothing
    ("[!z-a]", "m", True),
    ("[a-]", "-", True),                            # a - before ] is a member
    ("[.-0]", "/", False),                          # a class never matches /, range or not
    ("a[/]b", "a/b", False),
    ("[!a]", "/", False),
    ("[[:alpha:]]", "a", False),                    # POSIX classes are not supported: [ : a l p h members, then ]
    ("[[:alpha:]]", "a]", True),
    ("[[:alpha:]]", ":]", True),
    ("[\\d]", "d", True),                             # a class is never a regex escape
    ("[\\d]", "5", False),
], ids=lambda v: repr(v) if not isinstance(v, bool) else str(v))
def test_brackets_and_trailing_double_star(pattern: str, path: str, expected: bool) -> None:
    assert match(pattern, path) is expected


@settings(max_examples=300, deadline=None)
@given(st.text("[]!^\\-az/*?.", max_size=8))
def test_every_pattern_compiles(pattern: str) -> None:
    compile_glob(pattern)  # never re.error: whatever a user writes in --exclude or trueup.yaml


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
    # A leading ``./`` is dropped (the table above): the reference drops a leading ``.`` segment too.
    reference = pattern[1:] if len(pattern) > 1 and pattern[0] == "." else pattern
    assert match("/".join(pattern), "/".join(path)) is _reference(reference, path)
