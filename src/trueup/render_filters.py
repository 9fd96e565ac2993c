"""The filters and globals of the sandbox that build strings or lists, each bounded by the cap before it builds.

Jinja's own (``center``, ``join``, ``tojson``...) and trueup's (``to_yaml``, ``to_json``) are replaced by
wrappers that measure what they would build (``render_sizes``) and refuse it, with the output cap's
error, when it is over the cap: the input's text for every filter that turns its input into text,
the growth an escape, a case mapping or a URL encoding can add, a JSON or YAML document, lorem ipsum.
"""
from __future__ import annotations

import functools
import pprint
from typing import Any, Callable, Iterator

from jinja2 import filters as jf
from jinja2.constants import LOREM_IPSUM_WORDS
from jinja2.utils import generate_lorem_ipsum
from markupsafe import Markup

from .errors import RenderError
from .render_limits import (
    MAX_ITEMS, _int, _length, bounded_items, bounded_join, measured, args_text_size, printf_size, refuse,
    string_method_size,
)
from .render_sizes import MAX_DIGITS, str_chunks_size, text_size

_LONGEST_WORD = max(len(w) for w in LOREM_IPSUM_WORDS.split())


class BoundedWriter:
    """A text stream (for ``yaml.safe_dump`` and ``pprint``) that refuses the write passing the cap."""

    def __init__(self, limit: int, what: str) -> None:
        self.limit, self.what, self.size, self.parts = limit, what, 0, []  # type: list[str]

    def write(self, text: str) -> None:
        self.size += len(text)
        refuse(self.limit, self.size, self.what)
        self.parts.append(text)

    def flush(self) -> None:
        pass

    def text(self) -> str:
        return "".join(self.parts)


def _json_indent_size(value: Any, indent: Any) -> int:
    """Characters the indentation of ``json.dumps(value, indent=indent)`` adds."""
    width = len(indent) if isinstance(indent, str) else max(0, _int(indent))
    if not width:
        return 0
    total, stack = width, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = list(item.values()) if isinstance(item, dict) else item if isinstance(item, (list, tuple)) else ()
        total += (len(children) + 1) * depth * width
        stack.extend((child, depth + 1) for child in children)
    return total


def lipsum_size(n: Any = 5, html: bool = True, min: Any = 20, max: Any = 100) -> int:  # noqa: A002
    """The most characters ``lipsum(n, html, min, max)`` writes: ``n`` paragraphs of fewer than
    ``max`` words, each word at most the longest one with a comma and a full stop, and a space."""
    words = _int(max, 100) - 1
    per_paragraph = words * (_LONGEST_WORD + 3) + (9 if html else 2)
    return _int(n, 5) * per_paragraph if words > 0 and _int(n, 5) > 0 else 0


def escaped_size(value: Any) -> int:
    """Characters ``markupsafe.escape`` writes (& ' " become five, < > four)."""
    if isinstance(value, Markup):
        return len(value)
    if not isinstance(value, str):
        return 5 * text_size(value)
    return len(value) + 4 * (value.count("&") + value.count("'") + value.count('"')) + 3 * (
        value.count("<") + value.count(">"))


def _case_size(name: str) -> Callable[[Any], int]:
    return lambda value: str_chunks_size(value, name) if isinstance(value, str) else 3 * text_size(value)


def _url_size(value: Any) -> int:
    """``%XX`` for each UTF-8 byte: three characters an ASCII one, twelve at most a non-ASCII one."""
    return 3 * len(value) if isinstance(value, str) and value.isascii() else 12 * text_size(value)


def _b64_size(value: Any) -> int:
    n = text_size(value) * (1 if isinstance(value, str) and value.isascii() else 4)
    return 4 * ((n + 2) // 3)


# Filters that write their input (and arguments) as text, and what their output can grow to.
GROWTH: dict[str, Callable[[Any], int] | None] = {
    "string": None, "safe": None, "trim": None, "striptags": None, "wordcount": None, "truncate": None,
    "center": None, "indent": None, "wordwrap": None, "replace": None, "format": None, "join": None, "urlize": None,
    "escape": escaped_size, "e": escaped_size, "forceescape": escaped_size, "xmlattr": lambda v: 5 * text_size(v) + 1,
    "upper": _case_size("upper"), "lower": _case_size("lower"), "title": _case_size("title"),
    "capitalize": _case_size("capitalize"), "urlencode": _url_size, "b64encode": _b64_size,
}


def _same_pass(wrapper: Callable[..., Any], original: Callable[..., Any]) -> Callable[..., Any]:
    functools.update_wrapper(wrapper, original)
    return wrapper


def _offset(original: Callable[..., Any]) -> int:
    return 1 if hasattr(original, "jinja_pass_arg") else 0


def bounded_lipsum(environment: Any) -> Callable[..., Any]:
    def lipsum(n: Any = 5, html: bool = True, min: Any = 20, max: Any = 100) -> Any:  # noqa: A002
        refuse(environment.max_bytes, lipsum_size(n, html, min, max), "lipsum")
        return generate_lorem_ipsum(n, html, min, max)

    return _same_pass(lipsum, generate_lorem_ipsum)


def bounded_dict(environment: Any) -> Callable[..., dict]:
    """The ``dict`` global: a dict built from its arguments (``dict(a=x, b=x)``), its text within the cap."""
    def dict_(*args: Any, **kwargs: Any) -> dict:
        result = dict(*args, **kwargs)
        measured(environment.max_bytes, "a dict", result)
        return result

    return dict_


def bounded_filters(environment: Any, extra: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Replacements for the filters that build strings or lists from their arguments."""
    env = environment
    found = {**env.filters, **extra}

    def as_text(value: Any, what: str) -> str:
        measured(env.max_bytes, what, value)
        return jf.soft_str(value)

    def center(value: Any, width: int = 80) -> str:
        text = as_text(value, "the center filter's input")
        refuse(env.max_bytes, max(len(text), _int(width)), "the center filter")
        return text.center(width)

    def indent(s: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
        text = as_text(s, "the indent filter's input")
        pad = len(width) if isinstance(width, str) else max(0, _int(width))
        refuse(env.max_bytes, len(text) + (text.count("\n") + 1) * pad, "the indent filter")
        return jf.do_indent(text, width, first, blank)

    def wordwrap(environment: Any, s: str, width: int = 79, break_long_words: bool = True,
                 wrapstring: str | None = None, break_on_hyphens: bool = True) -> str:
        sep = wrapstring if wrapstring is not None else environment.newline_sequence
        refuse(env.max_bytes, len(s) + (len(s) + 1) * len(jf.soft_str(sep)), "the wordwrap filter")
        return jf.do_wordwrap(environment, s, width, break_long_words, wrapstring, break_on_hyphens)

    def format_(value: Any, *args: Any, **kwargs: Any) -> str:
        fmt = jf.soft_str(value)
        values = kwargs or args
        refuse(env.max_bytes, printf_size(fmt, values) + args_text_size(values), "the format filter")
        return jf.do_format(value, *args, **kwargs)

    def join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> str:
        if attribute is not None:
            value = map(jf.make_attrgetter(eval_ctx.environment, attribute), value)
        return bounded_join(env.max_bytes, as_text(d, "a join"), (as_text(v, "a join") for v in value))

    def replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: int | None = None) -> str:
        text = jf.soft_str(s)
        size = string_method_size(text, "replace", (jf.soft_str(old), jf.soft_str(new), -1 if count is None else count), {})
        refuse(env.max_bytes, size or 0, "the replace filter")
        return jf.do_replace(eval_ctx, s, old, new, count)

    def urlize(eval_ctx: Any, value: str, trim_url_limit: int | None = None, nofollow: bool = False,
               target: str | None = None, rel: str | None = None, extra_schemes: Any = None) -> str:
        text = as_text(value, "the urlize filter's input")
        per_link = 100 + len(jf.soft_str(target or "")) + len(jf.soft_str(rel or "")) + len(
            jf.soft_str(env.policies.get("urlize.rel") or ""))
        refuse(env.max_bytes, 2 * escaped_size(text) + (len(text.split()) + 1) * per_link, "the urlize filter")
        return jf.do_urlize(eval_ctx, value, trim_url_limit, nofollow, target, rel, extra_schemes)

    def round_(value: Any, precision: Any = 0, method: str = "common") -> Any:
        if abs(_int(precision)) > MAX_DIGITS:
            raise RenderError(f"the round filter's precision {precision} is more digits than a number can have "
                              f"({MAX_DIGITS})")
        return jf.do_round(value, precision, method)  # type: ignore[arg-type]

    def batch(value: Any, linecount: int, fill_with: Any = None) -> Iterator[Any]:
        if _int(linecount) > MAX_ITEMS:
            raise RenderError(f"batch of more than {MAX_ITEMS} items")
        for row in jf.do_batch(bounded_items(value, env.max_bytes), linecount, fill_with):
            measured(env.max_bytes, "the batch filter", row)
            yield row

    def slice_(value: Any, slices: int, fill_with: Any = None) -> Iterator[Any]:
        if _int(slices) > MAX_ITEMS:
            raise RenderError(f"slice into more than {MAX_ITEMS} parts")
        for part in jf.sync_do_slice(bounded_items(value, env.max_bytes), slices, fill_with):
            measured(env.max_bytes, "the slice filter", part)
            yield part

    def sum_(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
        items = bounded_items(iterable, env.max_bytes)
        if isinstance(start, (list, tuple)) or any(isinstance(i, (list, tuple)) for i in items):
            size = _length(start) + sum(_length(i) for i in items)
            if size > MAX_ITEMS:
                raise RenderError(f"sum of more than {MAX_ITEMS} items")
        return jf.sync_do_sum(environment, items, attribute, start)

    def reverse(value: Any) -> Any:
        items = bounded_items(value, env.max_bytes, "the reverse filter's input")
        return items[::-1] if items is not value else jf.do_reverse(value)

    def pprint_(value: Any) -> str:
        measured(env.max_bytes, "the pprint filter's input", value, "repr")  # pprint writes reprs
        writer = BoundedWriter(env.max_bytes, "the pprint filter")
        pprint.PrettyPrinter(stream=writer).pprint(value)  # type: ignore[arg-type]
        return writer.text()[:-1]

    def dumps(name: str, style: str) -> Callable[..., Any]:
        original = found[name]
        offset = _offset(original)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            value = args[offset] if len(args) > offset else kwargs.get("value")
            indent = args[offset + 1] if len(args) > offset + 1 else kwargs.get("indent")
            refuse(env.max_bytes, _json_indent_size(value, indent), f"the {name} filter's indent")
            size = measured(env.max_bytes, f"the {name} filter", value, style)
            refuse(env.max_bytes, size + _json_indent_size(value, indent), f"the {name} filter")
            return original(*args, **kwargs)

        return _same_pass(wrapper, original)

    def streamed(name: str) -> Callable[..., Any]:
        original = found[name]

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            writer = BoundedWriter(env.max_bytes, f"the {name} filter")
            original(*args, stream=writer, **kwargs)
            return writer.text().rstrip("\n")

        return _same_pass(wrapper, original)

    def materialising(name: str) -> Callable[..., Any]:
        original = found[name]
        offset = _offset(original)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if len(args) > offset:
                args = (*args[:offset], bounded_items(args[offset], env.max_bytes, f"the {name} filter's input"), *args[offset + 1:])
            result = original(*args, **kwargs)
            refuse(env.max_bytes, _length(result), f"the {name} filter")
            return result

        return _same_pass(wrapper, original)

    def texting(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        offset, growth = _offset(original), GROWTH[name]

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for arg in (*args[offset:], *kwargs.values()):
                measured(env.max_bytes, f"the {name} filter's input", arg)
            if growth is not None and len(args) > offset:
                refuse(env.max_bytes, growth(args[offset]), f"the {name} filter")
            return original(*args, **kwargs)

        return _same_pass(wrapper, original)

    replaced: dict[str, Callable[..., Any]] = {
        "center": _same_pass(center, jf.do_center),
        "indent": _same_pass(indent, jf.do_indent),
        "wordwrap": _same_pass(wordwrap, jf.do_wordwrap),
        "format": _same_pass(format_, jf.do_format),
        "join": _same_pass(join, jf.do_join),
        "replace": _same_pass(replace, jf.do_replace),
        "urlize": _same_pass(urlize, jf.do_urlize),
        "round": _same_pass(round_, jf.do_round),
        "batch": _same_pass(batch, jf.do_batch),
        "slice": _same_pass(slice_, jf.sync_do_slice),  # do_slice, its async variant, takes an eval context
        "sum": _same_pass(sum_, jf.sync_do_sum),
        "reverse": _same_pass(reverse, jf.do_reverse),
        "pprint": _same_pass(pprint_, jf.do_pprint),
    }
    for name, style in (("tojson", "json-html"), ("to_json", "json-unicode")):
        if name in found:
            replaced[name] = dumps(name, style)
    if "to_yaml" in found:
        replaced["to_yaml"] = streamed("to_yaml")
    for name in ("list", "sort", "unique", "groupby", "truncate"):
        if name in found:
            replaced[name] = materialising(name)
    for name in GROWTH:
        if name in found and name != "join":  # join measures each item as it comes
            replaced[name] = texting(name, replaced.get(name, found[name]))
    return replaced
