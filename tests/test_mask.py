"""holds_secret answers "would masking change anything?" exactly as building the mask would."""
from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st


MASKABLE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.sampled_from(["x", "********", "postgres://u:p@h/db",
                                                                      "TOKEN=abc", "plain", "-----BEGIN RSA PRIVATE KEY-----"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(
        st.sampled_from(["name", "value", "password", "db_password", "image", "token", "path", "key", "x"]),
        inner, max_size=4)), max_leaves=15)


@settings(max_examples=500, deadline=None)
@given(MASKABLE, st.booleans())
def test_holds_secret_is_whether_masking_changes_anything(value: Any, secret: bool) -> None:
    from trueup.mask import _masks, mask

    assert _masks(value, secret) == (mask(value, secret) != value)
