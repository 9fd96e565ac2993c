"""Size bounds on every string (and list) a sandboxed template builds, checked before allocation.

The output cap in ``render_template`` sees only what a template emits; a 38-byte template such as
``{{ "{:>1500000000}".format(1) }}`` would allocate gigabytes before that. Here each operation that
can grow a value from a small template (a format width or precision, a pad width, a repeat count,
a join, a replace, a concatenation, a block buffer, a materialised sequence) has its result size
estimated from its arguments and refused, with the output cap's own error, when it is over the cap.
"""
from __future__ import annotations

import functools
import re
import string
import types
from collections.abc import Mapping, Sized
from typing import Any, Callable, Iterable

from jinja2 import filters as jf
from jinja2.compiler import CodeGenerator

from .errors import RenderError

MAX_ITEMS = 1_000_000  # elements a template may materialise into one list
_HUGE = 10**18

# [[fill]align][sign][z][#][0][width][grouping][.precision][type]
_FORMAT_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(\d*)[,_]?(?:\.(\d+))?[a-zA-Z%]?\Z", re.S)
_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.)", re.S)
_DIGITS = re.compile(r"\d+")


def _num(digits: str) -> int:
    return int(digits) if len(digits) <= 18 else _HUGE


def refuse(limit: int, size: int, what: str) -> None:
    if size > limit:
        raise RenderError(f"rendered output exceeds {limit} bytes ({what} would build {size} characters)")


def _length(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else 0


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def format_spec_size(spec: str) -> int:
    """The most characters a ``{:spec}`` field pads or extends to (width plus precision)."""
    match = _FORMAT_SPEC.match(spec)
    if match:
        return _num(match[1] or "0") + _num(match[2] or "0")
    return sum(_num(d) for d in _DIGITS.findall(spec))  # a type's own spec (dates): any number counts


def printf_size(fmt: str, args: Any) -> int:
    """The characters the widths and precisions of a ``%`` format string can pad to."""
    total, star = 0, False
    for match in _PRINTF.finditer(fmt):
        for group in (match[1], match[2]):
            if group == "*":
                star = True
            elif group:
                total += _num(group)
    if star:
        for arg in args if isinstance(args, tuple) else (args,):
            total += abs(_int(arg))
    return total + len(fmt)


class BoundedFormatter(string.Formatter):
    """``str.format`` / ``format_map`` in the sandbox: attribute lookups through it, and every field's
    width and precision, and the running total, within the cap."""

    def __init__(self, environment: Any) -> None:
        super().__init__()
        self._env = environment
        self._size = 0

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        from _string import formatter_field_name_split  # type: ignore[import-not-found]

        first, rest = formatter_field_name_split(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attr, i in rest:
            obj = self._env.getattr(obj, i) if is_attr else self._env.getitem(obj, i)
        return obj, first

    def format_field(self, value: Any, format_spec: str) -> Any:
        limit = self._env.max_bytes
        refuse(limit, self._size + format_spec_size(format_spec), "a format field")
        result = format(value, format_spec)
        self._size += len(result)
        refuse(limit, self._size, "a format string")
        return result

    def vformat(self, format_string: str, args: Any, kwargs: Any) -> str:
        self._size = len(format_string)
        refuse(self._env.max_bytes, self._size, "a format string")
        return super().vformat(format_string, args, kwargs)


def bounded_format(environment: Any, fmt: str, is_map: bool) -> Callable[..., str]:
    def wrapper(*args: Any, **kwargs: Any) -> str:
        if is_map:
            if kwargs or len(args) != 1:
                raise TypeError("format_map() takes exactly one argument")
            args, kwargs = (), args[0]
        return type(fmt)(BoundedFormatter(environment).vformat(fmt, args, kwargs))

    return wrapper


def bounded_items(value: Any, limit: int, what: str = "a sequence") -> Any:
    """An iterator (a generator, ``map``...) as a list, its length and string sizes within bounds;
    a container that already exists is returned as it is."""
    if isinstance(value, (str, Mapping, Sized)) or not isinstance(value, Iterable):
        return value
    items, size = [], 0
    for item in value:
        size += _length(item) + 1
        items.append(item)
        if len(items) > MAX_ITEMS:
            raise RenderError(f"{what} has more than {MAX_ITEMS} items")
        refuse(limit, size, what)
    return items


def bounded_join(limit: int, sep: str, parts: Iterable[Any]) -> str:
    items, size = [], 0
    for item in parts:
        size += (len(sep) if items else 0) + _length(item)
        items.append(item)
        if len(items) > MAX_ITEMS:
            raise RenderError(f"join of more than {MAX_ITEMS} items")
        refuse(limit, size, "a join")
    return sep.join(items)


def _arg(args: tuple, kwargs: dict, index: int, name: str, default: Any) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


def string_method_size(s: str, name: str, args: tuple, kwargs: dict) -> int | None:
    """The size of ``s.name(*args, **kwargs)``, known before it runs; None: not a growing method."""
    if name in ("center", "ljust", "rjust", "zfill"):
        return max(len(s), _int(_arg(args, kwargs, 0, "width", 0)))
    if name == "expandtabs":
        return len(s) + s.count("\t") * max(0, _int(_arg(args, kwargs, 0, "tabsize", 8)))
    if name == "replace":
        old, new = _arg(args, kwargs, 0, "old", ""), _arg(args, kwargs, 1, "new", "")
        if not (isinstance(old, str) and isinstance(new, str)):
            return len(s)
        times = s.count(old) if old else len(s) + 1
        count = _int(_arg(args, kwargs, 2, "count", -1), -1)
        if count >= 0:
            times = min(times, count)
        return len(s) + times * max(0, len(new) - len(old))
    if name in ("__mul__", "__rmul__"):
        return len(s) * max(0, _int(args[0] if args else 0))
    if name == "__add__":
        return len(s) + _length(args[0] if args else "")
    if name == "__mod__":
        return printf_size(s, args[0] if args else ())
    if name == "translate" and args and isinstance(args[0], Mapping):
        grow = sum(s.count(chr(k)) * len(v) for k, v in args[0].items() if isinstance(k, int) and isinstance(v, str) and 0 <= k < 0x110000)
        return len(s) + grow
    return None


def guard_call(environment: Any, obj: Any, args: tuple, kwargs: dict) -> tuple[bool, Any]:
    """Run a bound ``str`` method that can grow its result within the cap: (handled, result)."""
    if not isinstance(obj, types.BuiltinMethodType) or not isinstance(getattr(obj, "__self__", None), str):
        return False, None
    s, name, limit = obj.__self__, obj.__name__, environment.max_bytes
    if name == "join":
        return True, bounded_join(limit, s, args[0] if args else ())
    if name in ("format", "format_map"):
        return True, bounded_format(environment, s, name == "format_map")(*args, **kwargs)
    size = string_method_size(s, name, args, kwargs)
    if size is None:
        return False, None
    refuse(limit, size, f"str.{name}")
    result = obj(*args, **kwargs)
    refuse(limit, _length(result), f"str.{name}")
    return True, result


def check_binop(environment: Any, operator: str, left: Any, right: Any) -> None:
    limit = environment.max_bytes
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(times, int):
                refuse(limit, len(seq) * times, "a repetition")
    elif operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        refuse(limit, len(left) + len(right), "a concatenation")
    elif operator == "%" and isinstance(left, str):
        refuse(limit, printf_size(left, right), "a % format")


class BoundedBuffer(list):
    """The output buffer of a block, macro, ``set`` block or ``filter`` block, within the cap."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit, self.size = limit, 0

    def append(self, item: Any) -> None:
        self.size += _length(item)
        refuse(self.limit, self.size, "a block")
        super().append(item)

    def extend(self, items: Iterable[Any]) -> None:
        for item in items:
            self.append(item)


def bounded_concat(limit: int, parts: Iterable[Any]) -> str:
    """``a ~ b ~ c`` within the cap."""
    texts = [p if isinstance(p, str) else str(p) for p in parts]
    refuse(limit, sum(map(len, texts)), "a ~ concatenation")
    return "".join(texts)


class BoundedCodeGenerator(CodeGenerator):
    """Compiles ``~`` and block buffers to the bounded versions above."""

    def buffer(self, frame: Any) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.bounded_buffer()")

    def visit_Concat(self, node: Any, frame: Any) -> None:
        self.write("environment.bounded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _json_indent_size(value: Any, indent: Any) -> int:
    """Characters the indentation of ``json.dumps(value, indent=indent)`` adds."""
    width = len(indent) if isinstance(indent, str) else max(0, _int(indent))
    if not width:
        return 0
    total, stack = width, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = list(item.values()) if isinstance(item, Mapping) else item if isinstance(item, (list, tuple)) else ()
        total += (len(children) + 1) * depth * width
        stack.extend((child, depth + 1) for child in children)
    return total


def _same_pass(wrapper: Callable[..., Any], original: Callable[..., Any]) -> Callable[..., Any]:
    functools.update_wrapper(wrapper, original)
    return wrapper


def bounded_filters(environment: Any, extra: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Replacements for the filters that build strings or lists from their arguments."""
    env = environment
    found = {**env.filters, **extra}

    def center(value: Any, width: int = 80) -> str:
        text = jf.soft_str(value)
        refuse(env.max_bytes, max(len(text), _int(width)), "the center filter")
        return text.center(width)

    def indent(s: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
        text = jf.soft_str(s)
        pad = len(width) if isinstance(width, str) else max(0, _int(width))
        refuse(env.max_bytes, len(text) + (text.count("\n") + 1) * pad, "the indent filter")
        return jf.do_indent(s, width, first, blank)

    def wordwrap(environment: Any, s: str, width: int = 79, break_long_words: bool = True,
                 wrapstring: str | None = None, break_on_hyphens: bool = True) -> str:
        sep = wrapstring if wrapstring is not None else environment.newline_sequence
        refuse(env.max_bytes, len(s) + (len(s) + 1) * len(jf.soft_str(sep)), "the wordwrap filter")
        return jf.do_wordwrap(environment, s, width, break_long_words, wrapstring, break_on_hyphens)

    def format_(value: Any, *args: Any, **kwargs: Any) -> str:
        refuse(env.max_bytes, printf_size(jf.soft_str(value), kwargs or args), "the format filter")
        return jf.do_format(value, *args, **kwargs)

    def join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> str:
        if attribute is not None:
            value = map(jf.make_attrgetter(eval_ctx.environment, attribute), value)
        return bounded_join(env.max_bytes, jf.soft_str(d), (jf.soft_str(v) for v in value))

    def replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: int | None = None) -> str:
        text = jf.soft_str(s)
        size = string_method_size(text, "replace", (jf.soft_str(old), jf.soft_str(new), -1 if count is None else count), {})
        refuse(env.max_bytes, size or 0, "the replace filter")
        return jf.do_replace(eval_ctx, s, old, new, count)

    def batch(value: Any, linecount: int, fill_with: Any = None) -> Any:
        if _int(linecount) > MAX_ITEMS:
            raise RenderError(f"batch of more than {MAX_ITEMS} items")
        return jf.do_batch(bounded_items(value, env.max_bytes), linecount, fill_with)

    def slice_(value: Any, slices: int, fill_with: Any = None) -> Any:
        if _int(slices) > MAX_ITEMS:
            raise RenderError(f"slice into more than {MAX_ITEMS} parts")
        return jf.do_slice(bounded_items(value, env.max_bytes), slices, fill_with)

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

    def dumps(name: str) -> Callable[..., Any]:
        original = found[name]
        offset = 1 if hasattr(original, "jinja_pass_arg") else 0

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            value = args[offset] if len(args) > offset else kwargs.get("value")
            indent = args[offset + 1] if len(args) > offset + 1 else kwargs.get("indent")
            refuse(env.max_bytes, _json_indent_size(value, indent), f"the {name} filter's indent")
            result = original(*args, **kwargs)
            refuse(env.max_bytes, _length(result), f"the {name} filter")
            return result

        return _same_pass(wrapper, original)

    def materialising(name: str) -> Callable[..., Any]:
        original = found[name]
        offset = 1 if hasattr(original, "jinja_pass_arg") else 0

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if len(args) > offset:
                args = (*args[:offset], bounded_items(args[offset], env.max_bytes, f"the {name} filter's input"), *args[offset + 1:])
            result = original(*args, **kwargs)
            refuse(env.max_bytes, _length(result), f"the {name} filter")
            return result

        return _same_pass(wrapper, original)

    replaced: dict[str, Callable[..., Any]] = {
        "center": _same_pass(center, jf.do_center),
        "indent": _same_pass(indent, jf.do_indent),
        "wordwrap": _same_pass(wordwrap, jf.do_wordwrap),
        "format": _same_pass(format_, jf.do_format),
        "join": _same_pass(join, jf.do_join),
        "replace": _same_pass(replace, jf.do_replace),
        "batch": _same_pass(batch, jf.do_batch),
        "slice": _same_pass(slice_, jf.do_slice),
        "sum": _same_pass(sum_, jf.sync_do_sum),
        "reverse": _same_pass(reverse, jf.do_reverse),
    }
    for name in ("tojson", "to_json"):
        if name in found:
            replaced[name] = dumps(name)
    for name in ("list", "sort", "unique", "groupby", "truncate"):
        if name in found:
            replaced[name] = materialising(name)
    return replaced
