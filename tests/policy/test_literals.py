"""policy/literals.py: the texts a regex's every match holds, read from the parsed pattern."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.policy.literals import may_match, required_literals


@pytest.mark.parametrize("pattern, needs", [
    ("-----BEGIN [A-Z ]*PRIVATE KEY-----", ("PRIVATE KEY-----",)),
    ("(^|[^A-Z0-9])AKIA[0-9A-Z]{16}([^A-Z0-9]|$)", ("AKIA",)),
    (r"\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{40,}", ("gh", "github_pat_")),
    (r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:(?!\$\{)[^\s@]+@", ("://",)),
    ("abcx|abdy", ("abcx", "abdy")),        # the parser factors "ab" out: joined back to each branch
    ("abc|abd", ("ab",)),                   # and "c|d" becomes a character class
    ("(?:foo)+bar", ("foo",)),              # a repeat of at least one needs its body (ties: the first)
    ("x(?:foo)*", ("x",)),                  # a repeat of none needs nothing
    ("(a|bc)d", ("d",)),                    # the longer need wins over a one-letter branch
    ("[0-9]+", None),                       # no literal at all
    ("(?i)secret", None),                   # case folded: "SECRET" holds no "secret"
    ("a(?i:b)c", ("a",)),                   # a scoped flag: only the parts outside it count
    ("(", None),                            # not a pattern
])
def test_required_literals(pattern: str, needs: tuple[str, ...] | None) -> None:
    assert required_literals([pattern]) == needs


def test_several_patterns_need_one_of_all_their_literals() -> None:
    assert required_literals(["AKIA", "xox[ab]"]) == ("AKIA", "xox")
    assert required_literals(["AKIA", "[0-9]"]) is None


PATTERNS = [
    "-----BEGIN [A-Z ]*PRIVATE KEY-----", "(^|[^A-Z0-9])AKIA[0-9A-Z]{2}([^A-Z0-9]|$)",
    r"\bgh[pousr]_[A-Za-z0-9]{3,}\b|\bgithub_pat_[A-Za-z0-9_]{2,}", r"\bxox[abpr]-[A-Za-z0-9-]{2,}",
    r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:(?![0-9]*/)[^\s@]+@", "ab(c|d)+e", "(x|yz)w?q", "a{2,}b",
]
PIECES = st.sampled_from(["-----BEGIN ", "RSA ", "PRIVATE KEY-----", "AKIA", "AB", "gh", "p_", "ithub_pat_", "xox",
                          "b-", "://", "u:p@", "h", "a", "b", "c", "d", "e", "x", "yz", "w", "q", " ", "/", "0"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=10).map("".join), st.sampled_from(PATTERNS))
def test_a_string_without_the_literals_never_matches(text: str, pattern: str) -> None:
    needs = required_literals([pattern])
    if re.search(pattern, text):
        assert may_match(needs, text), (pattern, needs, text)
