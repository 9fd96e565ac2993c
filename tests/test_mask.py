"""holds_secret answers "would masking change anything?" exactly as building the mask would."""
from __future__ import annotations

from typing import Any

import pytest
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


@pytest.mark.parametrize("text, secret", [
    ("redis://:s3cr3t@cache:6379/0", True),             # no user name
    ("postgres://app:a/b+c=d@db:5432/shop", True),       # /, + and = in the password
    ("http://registry:8080/@scope/pkg", False),          # a port and a path, then an @ in the path
    ("export PGPASSWORD=hunter2\npsql -h db", True),      # NAME=value inside a script
    ("psql --password=hunter2 -h db", True),
    ("server --token abc123 --port 80", True),
    ("server --port 80 --log-level debug", False),
    ("echo a=b", False),
    ("bundle exec thin -p 3001 --tag web", False),       # -p as a port
    ("mysql -u app -p s3cret shop", True),                # -p as mysql's password
])
def test_secrets_inside_longer_strings(text: str, secret: bool) -> None:
    from trueup.mask import looks_secret

    assert looks_secret(text) is secret


def test_the_argument_after_a_secret_flag_is_masked() -> None:
    from trueup.mask import holds_secret, mask

    assert mask(["app", "--password", "hunter2", "--port", "80", "-p", "pw2", "--token=t0k", "-p", "8080:80"]) == [
        "app", "--password", "********", "--port", "80", "-p", "********", "********", "-p", "8080:80"]
    assert holds_secret({"args": ["--api-key", "k3y"]}) and not holds_secret({"args": ["--port", "80"]})
