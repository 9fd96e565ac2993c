"""Size bounds on every string (and container) a sandboxed template builds, checked before allocation.

The output cap in ``render_template`` sees only what a template emits; a 38-byte template such as
``{{ "{:>1500000000}".format(1) }}`` would allocate gigabytes before that. Here each operation that
can grow a value from a small template (a format width or precision, a pad width, a repeat count,
a join, a replace, a concatenation, a block buffer, a list, tuple or dict, a number) has its result
size estimated from its arguments and refused, with the output cap's own error, when it is over the
cap. A container's size is the characters its text would take (``render_sizes``), shared parts
counted as often as they are written: ``[[0] * 100] * 100`` is 30,200, not 100.
"""
from __future__ import annotations

import re
import string
import types
from collections.abc import Mapping, Sized
from typing import Any, Callable, Iterable

from jinja2.compiler import CodeGenerator

from .errors import RenderError
from .render_sizes import MAX_DIGITS, SelfReference, estimate, str_chunks_size, text_size

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


def measured(limit: int, what: str, value: Any, style: str = "text") -> int:
    """The characters ``str(value)`` (style ``text``) or an :func:`estimate` style would take,
    refused over the limit (a value that contains itself is refused too)."""
    try:
        size = text_size(value) if style == "text" else estimate(value, style)
    except SelfReference as exc:
        raise RenderError(f"{what}: {exc}") from None
    refuse(limit, size, what)
    return size


def args_text_size(args: Any) -> int:
    """The characters the arguments of a ``%`` format can write: each one's text (a mapping's whole text)."""
    return sum(text_size(a) for a in args) if isinstance(args, tuple) else text_size(args)


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
        refuse(limit, self._size + format_spec_size(format_spec) + text_size(value), "a format field")
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


_CASE_METHODS = frozenset({"upper", "lower", "title", "capitalize", "swapcase", "casefold"})  # "ß".upper() == "SS"


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
    if name in _CASE_METHODS:
        return str_chunks_size(s, name)
    if name == "encode":
        return len(s) if s.isascii() else 4 * len(s)
    if name == "translate" and args and isinstance(args[0], Mapping):
        grow = sum(s.count(chr(k)) * len(v) for k, v in args[0].items() if isinstance(k, int) and isinstance(v, str) and 0 <= k < 0x110000)
        return len(s) + grow
    return None


def guard_call(environment: Any, obj: Any, args: tuple, kwargs: dict) -> tuple[bool, Any]:
    """Run a bound ``str`` method that can grow its result (or ``int.to_bytes``, ``dict.fromkeys``)
    within the cap: (handled, result)."""
    if not isinstance(obj, types.BuiltinMethodType):
        return False, None
    owner, name, limit = getattr(obj, "__self__", None), obj.__name__, environment.max_bytes
    if isinstance(owner, int) and name == "to_bytes":
        refuse(limit, max(0, _int(_arg(args, kwargs, 0, "length", 1))), "int.to_bytes")
        return True, obj(*args, **kwargs)
    if name == "fromkeys" and isinstance(owner, type) and issubclass(owner, dict):
        result = obj(*args, **kwargs)
        measured(limit, "dict.fromkeys", result)
        return True, result
    if not isinstance(owner, str):
        return False, None
    s = owner
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


def repetition_size(seq: str | list | tuple, times: int) -> int:
    """The characters ``seq * times`` takes as text: a string's length; a list's or tuple's text,
    its items written ``times`` times (nested repetitions multiply)."""
    if isinstance(seq, str):
        return len(seq) * times
    count = len(seq) * max(times, 0)
    if not count:
        return 2
    inner = estimate(list(seq)) - 2  # the items and the separators between them
    return 2 + times * inner + 2 * (times - 1) + (count == 1 and isinstance(seq, tuple))


def _number_size(operator: str, left: Any, right: Any) -> int:
    """Digits an integer product or power would have (an upper bound, from the operands' bits)."""
    if operator == "*":
        bits = abs(left).bit_length() + abs(right).bit_length()
    elif right > 0:
        bits = max(abs(left).bit_length() - 1, 0) * right + 1
    else:
        return 1
    return int(bits * 0.30103) + 2


def check_binop(environment: Any, operator: str, left: Any, right: Any) -> None:
    limit = environment.max_bytes
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(times, int):
                refuse(limit, repetition_size(seq, times), "a repetition")
    elif operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        if isinstance(left, str) or isinstance(right, str):
            refuse(limit, _length(left) + _length(right), "a concatenation")
        else:
            refuse(limit, estimate(left) + estimate(right), "a concatenation")
    elif operator == "%" and isinstance(left, str):
        refuse(limit, printf_size(left, right) + args_text_size(right), "a % format")
    if operator in ("*", "**") and _int(left, None) is not None and _int(right, None) is not None:  # type: ignore[arg-type]
        digits = _number_size(operator, left, right)
        if digits > MAX_DIGITS:
            raise RenderError(f"template arithmetic would make a number of {digits} digits "
                              f"(at most {MAX_DIGITS} can be written)")


class BoundedBuffer(list):
    """The output buffer of a block, macro, ``set`` block or ``filter`` block, within the cap."""

    def __init__(self, limit: int, what: str = "a block") -> None:
        super().__init__()
        self.limit, self.size, self.what = limit, 0, what

    def append(self, item: Any) -> None:
        self.size += _length(item)
        refuse(self.limit, self.size, self.what)
        super().append(item)

    def extend(self, items: Iterable[Any]) -> None:
        for item in items:
            self.append(item)


def bounded_concat(limit: int, parts: Iterable[Any]) -> str:
    """``a ~ b ~ c`` within the cap, each part measured before it is turned into text."""
    parts = tuple(parts)
    total = 0
    for part in parts:
        total += measured(limit, "a ~ concatenation", part)
        refuse(limit, total, "a ~ concatenation")
    return "".join(p if isinstance(p, str) else str(p) for p in parts)


def bounded_literal(limit: int, value: Any) -> Any:
    """A list, tuple or dict written in the template (``[a, a]``), its text within the cap."""
    measured(limit, f"a {type(value).__name__}", value)
    return value


def bounded_finalize(limit: int, value: Any) -> Any:
    """What ``{{ x }}`` writes, measured before ``str()`` builds it."""
    if not isinstance(value, str):
        measured(limit, "a value written out", value)
    return value


class BoundedCodeGenerator(CodeGenerator):
    """Compiles ``~``, block buffers and list, tuple and dict literals to the bounded versions above."""

    def buffer(self, frame: Any) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.bounded_buffer()")

    def visit_Concat(self, node: Any, frame: Any) -> None:
        self.write("environment.bounded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")

    def visit_List(self, node: Any, frame: Any) -> None:
        self.write("environment.bounded_literal(")
        super().visit_List(node, frame)
        self.write(")")

    def visit_Dict(self, node: Any, frame: Any) -> None:
        self.write("environment.bounded_literal(")
        super().visit_Dict(node, frame)
        self.write(")")

    def visit_Tuple(self, node: Any, frame: Any) -> None:
        if node.ctx != "load":  # an assignment target: names, not a value
            super().visit_Tuple(node, frame)
            return
        self.write("environment.bounded_literal(")
        super().visit_Tuple(node, frame)
        self.write(")")
