"""Which values are secrets, and their mask. Masking happens only for display.

A value is secret when its key (or, for ``{name: X, value: ...}`` env entries, the
entry's name) matches a secret-looking word, when it sits in a Kubernetes Secret's
``data``/``stringData``, or when it looks like a private key or a URL with a
password. Findings carry the mask, never the value.

A value judged secret where it is defined stays secret wherever it travels: a values file's
``db_password`` that a template writes into a ConfigMap's connection string or script, a
``.env`` password that compose interpolates into a ``command``. Such values are registered
(:func:`add_known_secrets`, with their base64 forms) and any string holding one is masked whole,
as CI runners mask registered secrets in their logs; :func:`redact_known` is the last net for
text no finding carries. Values that read as ordinary words are not registered, since masking
every string that holds them would hide what a reader needs: shorter than ``MIN_KNOWN`` characters,
or letters of one case and separators only (``password`` under ``secretKey``, ``shop-db`` under
``existingSecret``, ``DATABASE_PASSWORD`` under ``passwordEnv``: names of secrets, not secrets)
unless as long as a passphrase. What a drift reads is known only while that drift runs
(:func:`known_scope`), so a target's findings never depend on which other targets a shard holds.
"""
from __future__ import annotations

import base64
import contextlib
import re
from typing import Any, Iterable, Iterator

from .pointer import array_index, split_pointer, steps

MASK = "********"

SECRET_KEY = re.compile(
    r"(pass(word|wd|phrase)?|secret|token|api[-_]?key|apikey|private[-_]?key|credential|"
    r"access[-_]?key|auth|(^|[-_.])pwd$|(^|[-_.])key$|dsn|connection[-_]?string|cookie|salt|signature)",
    re.IGNORECASE,
)
_NOT_SECRET_KEY = re.compile(
    r"(file|path|ref|name|names|length|size|min|max|policy|timeout|seconds|enabled|mode|type|kind|"
    r"generator|ttl|header|endpoint|url|uri|version|algorithm)$|^key$",
    re.IGNORECASE,
)
SECRET_TEXT = re.compile(
    # A URL's userinfo with a password: the user may be empty (redis://:pw@host) and the password
    # may hold any character but whitespace and @ (/, +, = included, as people write them), except
    # a port and a path (http://host:8080/@scope/pkg is no credential).
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----|[a-z][a-z0-9+.-]*://[^/\s:@]*:(?![0-9]*/)[^\s@]+@|"
    r"\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bxox[abpr]-[A-Za-z0-9-]{10,}",
)
# ``NAME=value`` inside a longer text (``export PGPASSWORD=...`` in a script a ConfigMap holds) and
# ``--password value`` / ``--token=value`` on a command line written as one string.
_ASSIGNMENT = re.compile(r"(?:^|[\s;&|('\"`])(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)=(?=\S)")
_FLAG_VALUE = re.compile(r"(?:^|\s)(--?[A-Za-z][A-Za-z0-9-]*)(?:=|\s+)(?=[^\s-])")
# Flags whose next argument is a secret (also in argument lists: compose ``command``, Kubernetes ``args``).
_SHORT_SECRET_FLAGS = frozenset({"-p"})


_extra_keys: re.Pattern[str] | None = None


_judged: dict[str, bool] = {}  # key names recur in every document: each is judged once


def set_secret_keys(patterns: list[str]) -> None:
    """Add the config's own secret-name patterns (``secrets.keys``) to the built-in ones."""
    global _extra_keys
    _extra_keys = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None
    _judged.clear()


MIN_KNOWN = 6
_WORDS = re.compile(r"[a-z][a-z._-]*|[A-Z][A-Z._-]*")  # a name, not a secret, unless passphrase-long
_PASSPHRASE = 24
_known_values: set[str] = set()
_known: re.Pattern[str] | None = None


def add_known_secrets(values: Iterable[Any]) -> None:
    """Register secret values (and their base64 forms): any string holding one is a secret."""
    global _known
    added = False
    for value in values:
        if isinstance(value, bool) or value is None:
            continue
        text = str(value)
        if len(text.strip()) < MIN_KNOWN or text in _known_values or (
                _WORDS.fullmatch(text) and len(text) < _PASSPHRASE):
            continue
        encoded = base64.b64encode(text.encode("utf-8", "surrogatepass")).decode("ascii")
        _known_values.update({text, encoded, encoded.rstrip("=")})
        added = True
    if added:
        _known = re.compile("|".join(re.escape(v) for v in sorted(_known_values, key=len, reverse=True)))


def forget_known_secrets() -> None:
    """Start a new run with no registered values (tests run many in one process)."""
    global _known
    _known_values.clear()
    _known = None


@contextlib.contextmanager
def known_scope() -> Iterator[None]:
    """Values registered inside the block are forgotten after it."""
    global _known
    saved, pattern = set(_known_values), _known
    try:
        yield
    finally:
        _known_values.clear()
        _known_values.update(saved)
        _known = pattern


def redact_known(text: str) -> str:
    """``text`` with every registered secret value replaced by the mask."""
    return _known.sub(MASK, text) if _known is not None else text


def mask_in_text(text: str, values: Iterable[Any]) -> str:
    """``text`` (a diff, say) with every occurrence of the given secret values masked, whatever
    their length: each line of a multi-line value on its own (a diff shows it line by line), and
    each value's base64 form. Over-masking (a short value that also occurs in other words) is the
    safe side."""
    pieces: set[str] = set()
    for value in values:
        if isinstance(value, bool) or value is None:
            continue
        text_value = str(value)
        for piece in [text_value, *text_value.splitlines()]:
            piece = piece.strip()
            if piece and piece != MASK:
                pieces.add(piece)
                pieces.add(base64.b64encode(piece.encode("utf-8", "surrogatepass")).decode("ascii").rstrip("="))
    if not pieces:
        return redact_known(text)
    pattern = re.compile("|".join(re.escape(p) for p in sorted(pieces, key=len, reverse=True)))
    return redact_known(pattern.sub(MASK, text))


def secret_values(value: Any, secret: bool = False, kind: str = "config") -> Iterator[Any]:
    """The scalars that ``mask`` would hide because of where they sit (their key, a secret
    container, the flag before them), and a Kubernetes Secret's values, decoded."""
    if kind == "kubernetes" and isinstance(value, dict) and value.get("kind") == "Secret":
        for field in ("stringData", "data"):
            held = value.get(field)
            for item in held.values() if isinstance(held, dict) else ():
                yield item
                if field == "data" and isinstance(item, str):
                    try:
                        yield base64.b64decode(item, validate=True).decode("utf-8")
                    except ValueError:
                        pass
    if isinstance(value, dict):
        named = isinstance(value.get("name"), str) and is_secret_key(value["name"])
        for k, v in value.items():
            yield from secret_values(v, secret or is_secret_key(str(k)) or (named and k != "name"))
    elif isinstance(value, list):
        for v, flagged in zip(value, _after_flag(value)):
            yield from secret_values(v, secret or flagged)
            # An item written KEY=value (compose's environment list, --password=x in args)
            # holds a secret when its key names one.
            if isinstance(v, str) and "=" in v and not secret and not flagged:
                key, held = v.split("=", 1)
                if held and is_secret_key(key.lstrip("-").strip()):
                    yield held
    elif secret and value is not None and value != MASK and not isinstance(value, bool):
        yield value


# Every word SECRET_KEY finds (its anchored ones too) and every short secret flag: a text none of
# these occur in (and with no backslash, which could spell one in escapes) holds no value that
# secret_values yields, for every key, name, flag and ``KEY=value`` it holds is written in it.
_WORDS_IN_KEYS = ("pass", "secret", "token", "key", "credential", "auth", "pwd", "dsn", "connection", "cookie",
                  "salt", "signature")
_FLAGS_ALONE = "|".join(re.escape(flag) + r"(?!\w)" for flag in sorted(_SHORT_SECRET_FLAGS))
_SHORT_FLAGS = re.compile(_FLAGS_ALONE)
_SECRET_WORDS = re.compile("|".join(_WORDS_IN_KEYS) + "|" + _FLAGS_ALONE, re.IGNORECASE)


def may_hold_secrets(text: str) -> bool:
    """False only when no document written as ``text`` can hold a value :func:`secret_values` yields
    (a cheap test before building one just for its secrets); True when unsure."""
    if "\\" in text or _extra_keys is not None:
        return True
    if text.isascii():  # the common case, without the regex: ASCII has no other case folds
        lowered = text.lower()
        return any(word in lowered for word in _WORDS_IN_KEYS) or (
            any(flag in lowered for flag in _SHORT_SECRET_FLAGS) and _SHORT_FLAGS.search(lowered) is not None)
    return _SECRET_WORDS.search(text) is not None


def may_mask(text: str) -> bool:
    """False only when no document written as ``text`` holds anything :func:`mask` would hide (so
    :func:`holds_secret` need not walk it); True when unsure. Beyond :func:`may_hold_secrets`'s words,
    a value's shape (:data:`SECRET_TEXT`) is written in the text as it is in the value: an escape
    could spell it otherwise, but escapes need a backslash, which that test already treats as
    unsure; folding a line only ever adds a space. Registered values could be written with YAML's
    quote escapes (``''``), so while any are registered the answer is True."""
    return _known is not None or may_hold_secrets(text) or _secret_shape_in(text)


# Each of SECRET_TEXT's shapes holds one of these literally, on one line (no shape spans a line
# break): only the lines holding one need the regex, which is slow over a whole text.
_SECRET_TEXT_MARKS = ("://", "-----BEGIN", "AKIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "xoxa-", "xoxb-",
                      "xoxp-", "xoxr-")


def _secret_shape_in(text: str) -> bool:
    for mark in _SECRET_TEXT_MARKS:
        at = text.find(mark)
        while at != -1:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end == -1 else end
            if SECRET_TEXT.search(text, start, end) is not None:
                return True
            at = text.find(mark, end)
    return False


def is_secret_key(key: str) -> bool:
    judged = _judged.get(key)
    if judged is None:
        judged = bool(_extra_keys is not None and _extra_keys.search(key)) or (
            bool(SECRET_KEY.search(key)) and not _NOT_SECRET_KEY.search(key))
        if len(_judged) < 100_000:
            _judged[key] = judged
    return judged


def looks_secret(value: Any) -> bool:
    """A private key, a credential URL or token by its shape, or ``NAME=value`` with a secret name."""
    if not isinstance(value, str):
        return False
    if _known is not None and _known.search(value):
        return True
    # Each of SECRET_TEXT's shapes holds one of these: most values are ruled out without the regex.
    if ("://" in value or "-----BEGIN" in value or "AKIA" in value or "gh" in value or "xox" in value) \
            and SECRET_TEXT.search(value):
        return True
    if "=" in value:
        name, sep, rest = value.partition("=")
        if sep and rest and name and " " not in name.strip() and is_secret_key(name.strip()):
            return True
        if any(is_secret_key(m.group(1)) for m in _ASSIGNMENT.finditer(value)):
            return True
    if "-" in value and (" " in value or "=" in value):
        return any(secret_flag(m.group(1)) and not (m.group(1) in _SHORT_SECRET_FLAGS and _PORT.match(
            value[m.end():].split(None, 1)[0] if value[m.end():].split() else ""))
            for m in _FLAG_VALUE.finditer(value))
    return False


def secret_flag(arg: Any) -> bool:
    """A command-line flag whose value is a secret: ``--password``, ``--db-token``, ``-p``."""
    if not isinstance(arg, str) or not arg.startswith("-") or len(arg) < 2:
        return False
    if arg in _SHORT_SECRET_FLAGS:
        return True
    return arg.startswith("--") and is_secret_key(arg[2:].split("=", 1)[0])


# ``-p`` is mysql's password and many servers' port: a value shaped as a port stays shown.
_PORT = re.compile(r"^[0-9]+(?::[0-9]+)?(?:/[a-z]+)?$")


def _after_flag(items: list) -> list[bool]:
    """For each item of an argument list, whether the flag before it makes it a secret."""
    return [_flagged(items, i) for i in range(len(items))]


def _flagged(items: list, i: int) -> bool:
    """Whether the flag before ``items[i]`` makes it a secret."""
    flag = items[i - 1] if i > 0 else None
    return (isinstance(flag, str) and secret_flag(flag) and "=" not in flag
            and not (flag in _SHORT_SECRET_FLAGS and _PORT.match(str(items[i]))))


def is_secret_path(root: Any, pointer: str, kind: str = "config") -> bool:
    """Whether the value at ``pointer`` in document ``root`` is a secret by where it sits."""
    tokens = split_pointer(pointer)
    if (
        kind == "kubernetes"
        and isinstance(root, dict)
        and root.get("kind") == "Secret"
        and tokens[:1] in (["data"], ["stringData"])
    ):
        return True
    path = steps(root, pointer)
    # Steps that do not resolve (an unknown field's value, say) are judged by their names alone.
    containers = [node for node, _ in path] + [{}] * (len(tokens) - len(path))
    for node, token in zip(containers, tokens):
        if isinstance(node, list):  # the argument after --password, --token, -p
            index = array_index(token, len(node))
            if index is not None and index > 0 and _flagged(node, index):
                return True
            continue
        if not isinstance(node, dict):
            continue
        if is_secret_key(token):
            return True
        if token != "name" and isinstance(node.get("name"), str) and is_secret_key(node["name"]):
            return True
    return False


def mask(value: Any, secret: bool = False) -> Any:
    """The displayable form: secret scalars become the mask; containers are masked inside."""
    if secret and not isinstance(value, (dict, list, bool)):  # a yes or no is nobody's secret
        return None if value is None else MASK
    if isinstance(value, dict):
        named = isinstance(value.get("name"), str) and is_secret_key(value["name"])
        return {
            k: mask(v, secret or is_secret_key(str(k)) or (named and k != "name")) for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask(v, secret or flagged) for v, flagged in zip(value, _after_flag(value))]
    if looks_secret(value):
        return MASK
    return value


def holds_secret(data: Any, kind: str = "config") -> bool:
    """Whether showing this document would mask anything: then no part of it may be shown or shared."""
    if kind == "kubernetes" and isinstance(data, dict) and data.get("kind") == "Secret":
        return True
    return _masks(data, False)


def _masks(value: Any, secret: bool) -> bool:
    """Whether ``mask(value, secret)`` would differ from ``value``, without building it."""
    if isinstance(value, dict):
        named = isinstance(value.get("name"), str) and is_secret_key(value["name"])
        return any(_masks(v, secret or is_secret_key(str(k)) or (named and k != "name")) for k, v in value.items())
    if isinstance(value, list):
        return any(_masks(v, secret or flagged) for v, flagged in zip(value, _after_flag(value)))
    if secret:
        return value is not None and value != MASK and not isinstance(value, bool)
    return looks_secret(value)


def display_value(root: Any, pointer: str, value: Any, kind: str = "config") -> Any:
    return mask(value, is_secret_path(root, pointer, kind))
