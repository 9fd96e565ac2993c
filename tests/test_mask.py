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


@pytest.mark.parametrize("pointer, secret", [
    ("/args/1", True),      # the argument after --password
    ("/args/01", False),    # no index (RFC 6901), so no place after a flag
    ("/args/²", False),     # str.isdigit() is true for it; int() refuses it
    ("/args/٣", False),
    ("/args/3", False),     # past the end
], ids=repr)
def test_a_secret_flag_argument_is_found_by_array_indexes_only(pointer: str, secret: bool) -> None:
    from trueup.mask import is_secret_path

    assert is_secret_path({"args": ["--password", "hunter2", "--port", "80"]}, pointer) is secret


@pytest.fixture
def known():
    from trueup import mask as module

    module.forget_known_secrets()
    yield module
    module.forget_known_secrets()


def test_a_registered_value_is_secret_inside_any_string_and_in_base64(known) -> None:
    import base64

    known.add_known_secrets(["Hunter2-Sekret", "short", True, None, 12, "password", "shop-db-password"])
    assert known.looks_secret("say Hunter2-Sekret twice")
    assert known.looks_secret(base64.b64encode(b"Hunter2-Sekret").decode())
    assert not known.looks_secret("short and sweet")  # under MIN_KNOWN: never registered
    assert not known.looks_secret("passwordEnv: DATABASE_PASSWORD")  # a word: a secret's name, not a secret
    assert not known.looks_secret("secret shop-db-password")
    assert known.redact_known("a Hunter2-Sekret b") == f"a {known.MASK} b"
    assert known.mask({"note": "x Hunter2-Sekret"}) == {"note": known.MASK}
    known.forget_known_secrets()
    assert not known.looks_secret("say Hunter2-Sekret twice")


def test_secret_values_are_those_mask_hides_by_place_and_a_secrets_decoded_data(known) -> None:
    import base64

    doc = {"kind": "Secret", "data": {"k": base64.b64encode(b"decoded-pw").decode()}, "stringData": {"s": "plain-pw"}}
    assert set(known.secret_values(doc, kind="kubernetes")) >= {"decoded-pw", "plain-pw"}
    config = {"db": {"password": "pw-123456", "host": "db"}, "env": [{"name": "API_TOKEN", "value": "tok-7890"}],
              "args": ["--token", "arg-secret", "--port", "80"]}
    assert set(known.secret_values(config)) == {"pw-123456", "tok-7890", "arg-secret"}


# Keys and values near the edges of what masks: secret words inside longer names, credential shapes,
# flags, text that only resembles them; written as YAML (plain, quoted, folded) and JSON.
_KEYS = st.sampled_from(["name", "value", "image", "args", "env", "DB_PASSWORD", "apiKey", "x-auth", "monkey",
                         "Signature", "connectionString", "path", "url", "cmd", "ÄPASS", "ﬀ"])
_TEXTS = st.sampled_from(["plain", "redis://:s3@h", "https://u:p@x/y", "http://h:80/@s", "AKIA" + "A" * 16,
                          "ghp_" + "a" * 36, "xoxb-1234567890", "-----BEGIN EC PRIVATE KEY-----", "A=B",
                          "X_TOKEN=1", "--password", "-p", "5432", "tok en", "it's", "line\nbreak"])
_WRITTEN = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), _TEXTS,
              st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(_WRITTEN, st.sampled_from(["plain", "'", '"', "|", ">", "json"]), st.booleans())
def test_a_text_may_mask_says_no_only_where_no_document_it_holds_masks(value: Any, style: str, k8s: bool) -> None:
    """The result cache skips the walk for a text ``may_mask`` rules out: the walk must then find nothing."""
    import json

    import yaml

    from trueup.load.yaml_ import parse
    from trueup.mask import holds_secret, may_mask

    text = json.dumps(value, ensure_ascii=False) if style == "json" else yaml.safe_dump(
        value, default_style=None if style == "plain" else style, allow_unicode=True, width=20)
    data = parse(text, "t.yaml").documents[0]
    if holds_secret(data, "kubernetes" if k8s else "config"):
        assert may_mask(text), text


@pytest.mark.parametrize("text, may", [
    ("image: nginx\nports: [80]\n", False),
    ("command: [server, --port, '80']\n", False),
    ("url: https://u:p@x/y\n", True),           # a credential URL under a plain key
    ("id: AKIA" + "A" * 16 + "\n", True),
    ("kind: Secret\ndata: {}\n", True),
    ("args: [mysql, -p, x]\n", True),
    ('note: "\\x41KIA"\n', True),               # an escape could spell anything
])
def test_may_mask_on_texts(text: str, may: bool) -> None:
    from trueup.mask import may_mask

    assert may_mask(text) is may
