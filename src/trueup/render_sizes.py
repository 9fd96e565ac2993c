"""How many characters a value's text would take, computed before that text is built.

A template can hold a value far larger than its memory: ``[[[0] * 100] * 100] * 10`` is three small
lists sharing each other, and ``str()`` of it is 302,020 characters. So every conversion to text
(``{{ x }}``, ``~``, ``string``, ``join``, ``format``, ``%``, ``tojson``...) and every container a
template builds is measured here first, walking each distinct object once (shared parts are counted
as often as they are written, in time proportional to the objects that exist, not to the text).

The sizes are exact for what templates hold (strings, numbers, lists, tuples, dicts, Markup, jinja's
namespaces) and an upper bound elsewhere; a value that contains itself (a namespace holding itself)
is refused rather than measured.
"""
from __future__ import annotations

import json
import math
import sys
from collections.abc import KeysView, ValuesView, ItemsView
from itertools import chain
from typing import Any, Iterator

from jinja2.environment import TemplateModule
from jinja2.runtime import Undefined
from jinja2.utils import Namespace

CHUNK = 4096  # strings are measured in pieces this long, so measuring one never builds a long string
_SCALARS = (bool, int, float, type(None))
_HTML_UNSAFE = ("<", ">", "&", "'")  # what jinja's tojson writes as \\u003c and the like
MAX_DIGITS = (sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0) or 4300


class SelfReference(ValueError):
    def __init__(self) -> None:
        super().__init__("a value that contains itself cannot be written as text")


def _chunks(s: str) -> Iterator[str]:
    return (s[i:i + CHUNK] for i in range(0, len(s), CHUNK))


def str_repr_size(s: str) -> int:
    """``len(repr(s))`` for a ``str``, without building it."""
    quotes = s.count("'") if "'" in s and '"' in s else 0  # repr escapes ' only when both quotes occur
    if s.isascii() and s.isprintable():
        return len(s) + 2 + s.count("\\") + quotes
    inner = 0
    for chunk in _chunks(s):
        inner += len(repr(chunk)) - 2 - (chunk.count("'") if "'" in chunk and '"' in chunk else 0)
    return inner + 2 + quotes


def str_chunks_size(s: str, method: str) -> int:
    """``len(getattr(s, method)())`` for a case mapping (``"ß".upper() == "SS"``), without building it:
    exact for those that map each character alone, at most three characters each for ``title`` and
    ``capitalize`` (which look at the characters around)."""
    if s.isascii():
        return len(s)
    if method in ("title", "capitalize"):
        return 3 * len(s)
    return sum(len(getattr(chunk, method)()) for chunk in _chunks(s))


def str_json_size(s: str, ensure_ascii: bool = True, html_safe: bool = False) -> int:
    """``len(json.dumps(s))``, plus jinja's HTML escapes when ``html_safe``, without building it."""
    extra = sum(s.count(c) for c in _HTML_UNSAFE) * 5 if html_safe else 0
    if s.isascii() and s.isprintable() and '"' not in s and "\\" not in s:
        return len(s) + 2 + extra
    inner = sum(len(json.dumps(chunk, ensure_ascii=ensure_ascii)) - 2 for chunk in _chunks(s))
    return inner + 2 + extra


def int_digits(n: int) -> int:
    """The characters ``str(n)`` takes (an upper bound, exact for numbers that can be written)."""
    bits = abs(n).bit_length()
    if bits <= 13_000:
        return len(repr(n))
    return int(bits * math.log10(2)) + 2


def _scalar_size(value: Any, style: str) -> int:
    if value is None:
        return 4
    if isinstance(value, bool):
        return 4 if value else 5
    if isinstance(value, int):
        return int_digits(value)
    if style.startswith("json") and not math.isfinite(value):
        return 3 if value != value else 8 + (value < 0)  # NaN, Infinity, -Infinity
    return len(repr(value))


def _namedtuple_fields(value: tuple) -> tuple[str, ...] | None:
    fields = getattr(type(value), "_fields", None)
    return fields if isinstance(fields, tuple) and len(fields) == len(value) else None


def _open(value: Any, style: str) -> tuple[int, Iterator[Any]] | None:
    """A container's own characters (brackets, separators, names) and its parts; None for a leaf."""
    n = len(value) if isinstance(value, (list, tuple, dict, set, frozenset)) else 0
    seps = 2 * max(n - 1, 0)
    if isinstance(value, list):
        return 2 + seps, iter(value)
    if isinstance(value, tuple):
        fields = _namedtuple_fields(value)
        if fields is not None and style == "repr":
            return len(type(value).__name__) + 2 + seps + sum(len(f) + 1 for f in fields), iter(value)
        return 2 + seps + (n == 1 and style == "repr"), iter(value)
    if isinstance(value, dict):
        pairs = value.items() if style == "repr" else ((_json_key(k), v) for k, v in value.items())
        return 2 + seps + 2 * n, chain.from_iterable(pairs)
    if isinstance(value, (set, frozenset)):
        name = len(type(value).__name__)
        if not n:
            return name + 2, iter(())
        return (0 if type(value) is set else name + 2) + 2 + seps, iter(value)
    if isinstance(value, (KeysView, ValuesView, ItemsView)):
        mapping = getattr(value, "mapping", None)
        if not isinstance(mapping, dict):
            return None
        k = len(mapping)
        own = len(type(value).__name__) + 4 + 2 * max(k - 1, 0)
        if isinstance(value, ItemsView):
            return own + 4 * k, chain.from_iterable(mapping.items())
        return own, iter(mapping.keys() if isinstance(value, KeysView) else mapping.values())
    if isinstance(value, Namespace):
        attrs = object.__getattribute__(value, "_Namespace__attrs")
        opened = _open(attrs, style)
        assert opened is not None
        return 12 + opened[0], opened[1]
    return None


def _leaf_size(value: Any, style: str) -> int:
    if isinstance(value, str):
        if style == "json":
            return str_json_size(value)
        if style == "json-html":
            return str_json_size(value, html_safe=True)
        if style == "json-unicode":
            return str_json_size(value, ensure_ascii=False)
        extra = 0 if type(value) is str else len(type(value).__name__) + 2  # Markup('...')
        return str_repr_size(value) + extra
    if isinstance(value, _SCALARS):
        return _scalar_size(value, style)
    if isinstance(value, Undefined):
        return 0
    return len(repr(value))  # functions, macros, loops, ranges...: named, not holding their contents


def _json_key(key: Any) -> Any:
    """The string JSON writes for a dict key (json.dumps turns numbers, booleans and None into text)."""
    if isinstance(key, str) or not isinstance(key, _SCALARS):
        return key
    return "true" if key is True else "false" if key is False else "null" if key is None else repr(key)


_NUMBERS = frozenset({int, bool, type(None)})
_STRINGS = frozenset({str})


def _flat_size(value: Any, style: str) -> int | None:
    """The characters of a list's (tuple's, set's) items when all are numbers or all plain strings,
    measured at C speed (``range(100000) | list`` is common); None otherwise."""
    if not isinstance(value, (list, tuple, set, frozenset)):
        return None
    types = set(map(type, value))
    if types <= _NUMBERS or (types <= {float} | _NUMBERS and style == "repr"):
        try:
            return sum(map(len, map(repr, value)))
        except ValueError:  # an int too long to write: measured one by one
            return None
    if types <= _STRINGS:
        return sum(_leaf_size(item, style) for item in value)
    return None


def estimate(value: Any, style: str = "repr") -> int:
    """The characters ``repr(value)`` (style ``repr``) or ``json.dumps(value)`` (``json``; ``json-html``
    for jinja's ``tojson``, ``json-unicode`` with ``ensure_ascii=False``) would take. Each distinct
    object is walked once; a value met again inside itself raises :class:`SelfReference`."""
    shape = "json" if style.startswith("json") else "repr"
    opened = _open(value, shape)
    if opened is None:
        return _leaf_size(value, style)
    flat = _flat_size(value, style)
    if flat is not None:
        return opened[0] + flat
    sizes: dict[int, int] = {}  # containers only: they stay alive while the walk runs, so ids are stable
    active = {id(value)}
    stack: list[list[Any]] = [[value, opened[0], opened[1]]]
    while stack:
        frame = stack[-1]
        for part in frame[2]:
            known = sizes.get(id(part))
            if known is None:
                if id(part) in active:
                    raise SelfReference()
                sub = _open(part, shape)
                flat = None if sub is None else _flat_size(part, style)
                if flat is not None:
                    sizes[id(part)] = known = sub[0] + flat  # type: ignore[index]
                elif sub is not None:
                    stack.append([part, sub[0], sub[1]])
                    active.add(id(part))
                    break
                else:
                    known = _leaf_size(part, style)
            frame[1] += known
        else:
            stack.pop()
            active.discard(id(frame[0]))
            sizes[id(frame[0])] = frame[1]
            if stack:
                stack[-1][1] += frame[1]
    return sizes[id(value)]


def text_size(value: Any) -> int:
    """The characters ``str(value)`` would take."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, TemplateModule):
        return sum(len(chunk) for chunk in value._body_stream)
    return estimate(value)
