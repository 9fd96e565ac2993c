"""Sandboxed Jinja2 rendering of desired state; templates in a pull request are untrusted.

Defence in layers: every template (and every include) is parsed and inspected
before anything runs, so a reach for ``__class__``, ``os`` or ``open`` is refused
with nothing executed; rendering happens in Jinja's ImmutableSandboxedEnvironment
with StrictUndefined; the loader is confined to the templates root; repetition
operators, output size and wall time are bounded.
"""
from __future__ import annotations

import base64
import json
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator, Sequence

import jinja2
import jinja2.runtime
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import ParseError, RenderError, TemplateSecurityError
from .load import Limits, read_text
from .pointer import escape_token
from .render_filters import bounded_dict, bounded_filters, bounded_lipsum
from .render_limits import (
    BoundedBuffer, BoundedCodeGenerator, bounded_concat, bounded_finalize, bounded_format, bounded_literal, check_binop,
    guard_call,
)
from .render_lines import line_map
from .tree import real_path

TEMPLATE_SUFFIXES = (".j2", ".jinja2", ".jinja")
FORBIDDEN_NAMES = frozenset({
    "os", "sys", "open", "eval", "exec", "compile", "globals", "locals", "vars", "getattr",
    "setattr", "delattr", "__import__", "__builtins__", "builtins", "importlib", "subprocess",
    "input", "breakpoint",
})
MAX_REPEAT = 1_000_000


@dataclass
class Rendered:
    template: str
    output: str
    text: str
    lines: Sequence[int]  # each output line's template line
    reads: frozenset[str] = frozenset()  # values pointers read, when the environment tracks reads


def output_name(template: str) -> str:
    for suffix in TEMPLATE_SUFFIXES:
        if template.endswith(suffix):
            return template[: -len(suffix)]
    return template


def is_partial(template: str) -> bool:
    return any(part.startswith("_") for part in PurePosixPath(template).parts)


class ConfinedLoader(jinja2.BaseLoader):
    """Loads templates from one root only, inspecting each before it can run."""

    def __init__(self, root: Path, display_root: str, limits: Limits) -> None:
        self.root = real_path(root)
        self.display_root = display_root
        self.limits = limits
        self.checker: Callable[[str, str], None] | None = None

    def display(self, template: str) -> str:
        return f"{self.display_root}/{template}" if self.display_root else template

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, real = self.read(template)
        if self.checker is not None:
            self.checker(source, template)
        mtime = real.stat().st_mtime
        return source, str(real), lambda: real.stat().st_mtime == mtime

    def read(self, template: str) -> tuple[str, Path]:
        """The template's text and real path, refused when it leaves the root (nothing inspected)."""
        pure = PurePosixPath(template.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
            raise TemplateSecurityError(f"template path {template!r} leaves the templates root")
        path = self.root.joinpath(*pure.parts)
        real = real_path(path)
        if real != self.root and self.root not in real.parents:
            raise TemplateSecurityError(
                f"template {template!r} is a symlink that resolves outside the templates root"
            )
        if not real.is_file():
            raise jinja2.TemplateNotFound(template)
        try:
            return read_text(real, self.display(template), self.limits), real
        except ParseError as exc:
            raise RenderError(exc.cause, exc.file, exc.line) from None


class _ReadsContext(jinja2.runtime.Context):
    """Names resolved from the values, for ``track_reads``."""

    def resolve_or_missing(self, key: str) -> Any:
        value = super().resolve_or_missing(key)
        reads = getattr(self.environment, "reads", None)
        if reads is not None and key in self.environment.top:
            reads.add("/" + escape_token(key))
        return value


class _BoundedTemplate(jinja2.Template):
    """An imported template's output (``{% import %}`` keeps it, for ``{{ module }}``) within the cap."""

    def make_module(self, vars: Any = None, shared: bool = False, locals: Any = None) -> Any:  # noqa: A002
        context = self.new_context(vars, shared, locals)
        body = BoundedBuffer(self.environment.max_bytes, "an imported template")  # type: ignore[attr-defined]
        body.extend(self.root_render_func(context))
        return jinja2.environment.TemplateModule(self, context, body)


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%", "+"})
    context_class = _ReadsContext
    code_generator_class = BoundedCodeGenerator
    template_class = _BoundedTemplate
    max_bytes: int = Limits().max_bytes  # no string the template builds may be longer (render_limits)
    reads: set[str] | None = None  # the values pointers the template being rendered reads
    paths: dict[int, str] = {}
    top: frozenset[str] = frozenset()

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        if self.reads is not None:
            self._note(obj, argument)
        return value

    def getattr(self, obj: Any, attribute: str) -> Any:
        value = super().getattr(obj, attribute)
        if self.reads is not None:
            self._note(obj, attribute)
        return value

    def _note(self, obj: Any, key: Any) -> None:
        where = self.paths.get(id(obj))
        if where is None:
            return
        if isinstance(obj, dict) and isinstance(key, str) and key in obj:
            self.reads.add(f"{where}/{escape_token(key)}")  # type: ignore[union-attr]
        elif isinstance(obj, list) and isinstance(key, int):
            self.reads.add(f"{where}/{key}")  # type: ignore[union-attr]
        else:
            self.reads.add(where)  # type: ignore[union-attr]  # a method (items, keys...): all of it

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise TemplateSecurityError("exponent too large in template arithmetic")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int):
                    if len(seq) * times > MAX_REPEAT:
                        raise TemplateSecurityError("repetition too large in template expression")
        check_binop(self, operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        handled, result = guard_call(__self, __obj, args, kwargs)
        if handled:
            return result
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        if super().wrap_str_format(value) is None:
            return None
        return bounded_format(self, value.__self__, value.__name__ == "format_map")

    def bounded_buffer(self) -> BoundedBuffer:
        return BoundedBuffer(self.max_bytes)

    def bounded_concat(self, parts: tuple[Any, ...]) -> str:
        return bounded_concat(self.max_bytes, parts)

    def bounded_literal(self, value: Any) -> Any:
        return bounded_literal(self.max_bytes, value)


def _check_ast(environment: jinja2.Environment, source: str, template: str, display: str) -> None:
    try:
        tree = environment.parse(source, name=template)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"template syntax error: {exc.message}", display, exc.lineno) from None
    for node in tree.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)):
        bad = None
        if isinstance(node, nodes.Name) and node.name in FORBIDDEN_NAMES:
            bad = node.name
        elif isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            bad = node.attr
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
            and node.arg.value.startswith("_")
        ):
            bad = node.arg.value
        if bad is not None:
            raise TemplateSecurityError(
                f"template reaches for {bad!r}, which the sandbox forbids; nothing was run",
                display,
                node.lineno,
            )


def _to_yaml(value: Any, indent: int = 2, stream: Any = None) -> str | None:
    """YAML text of the value; written to ``stream`` when one is given (the sandbox's bounded one)."""
    import yaml

    text = yaml.safe_dump(
        value, stream, default_flow_style=False, sort_keys=False, allow_unicode=True, indent=indent, width=10_000
    )
    return None if text is None else text.rstrip("\n")


def _to_json(value: Any, indent: int | None = None, sort_keys: bool = False) -> str:
    return json.dumps(value, indent=indent, sort_keys=sort_keys, ensure_ascii=False)


def _b64encode(value: Any) -> str:
    data = value if isinstance(value, bytes) else str(value).encode("utf-8")
    return base64.b64encode(data).decode("ascii")


def _b64decode(value: str) -> str:
    return base64.b64decode(value).decode("utf-8")


def _required(value: Any, message: str = "a required value is missing") -> Any:
    if value is None or isinstance(value, jinja2.Undefined) or value == "":
        raise RenderError(message)
    return value


def track_reads(environment: jinja2.Environment, values: dict[str, Any]) -> None:
    """From now on, each render records which values it reads (``Rendered.reads``, JSON Pointers):
    a name, a key or an item; a whole mapping or list when a method (``items``) reads it."""
    paths: dict[int, str] = {}
    stack: list[tuple[Any, str]] = [(v, "/" + escape_token(k)) for k, v in values.items()]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            paths[id(value)] = where
            stack.extend((v, f"{where}/{escape_token(str(k))}") for k, v in value.items())
        elif isinstance(value, list):
            paths[id(value)] = where
            stack.extend((v, f"{where}/{i}") for i, v in enumerate(value))
    environment.paths, environment.top = paths, frozenset(values)  # type: ignore[attr-defined]
    environment.reads = set()  # type: ignore[attr-defined]


def make_environment(root: Path, display_root: str, limits: Limits = Limits()) -> jinja2.Environment:
    loader = ConfinedLoader(root, display_root, limits)
    environment = _Sandbox(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        finalize=lambda value: bounded_finalize(environment.max_bytes, value),
    )
    loader.checker = lambda source, name: _check_ast(environment, source, name, loader.display(name))
    environment.max_bytes = limits.max_bytes
    environment.filters.update(
        to_yaml=_to_yaml, to_json=_to_json, b64encode=_b64encode, b64decode=_b64decode, required=_required
    )
    environment.filters.update(bounded_filters(environment, {}))
    environment.globals.update(lipsum=bounded_lipsum(environment), dict=bounded_dict(environment))
    return environment


@contextmanager
def _deadline(seconds: float | None, display: str) -> Iterator[None]:
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise RenderError(f"rendering took longer than {seconds:g}s (a runaway loop?)", display)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _template_line(exc: BaseException, environment: jinja2.Environment) -> tuple[str | None, int | None]:
    """The innermost template frame of a runtime error: (template name, line)."""
    loader: ConfinedLoader = environment.loader  # type: ignore[assignment]
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        path = Path(filename)
        if path.is_absolute() and (path == loader.root or loader.root in path.parents):
            found = (path.relative_to(loader.root).as_posix(), tb.tb_lineno)
        tb = tb.tb_next
    return found


def _plain(environment: jinja2.Environment, template: str) -> str | None:
    """The output of a template with no Jinja syntax in it, without compiling it (most files of a
    big GitOps tree are plain YAML; compiling each costs more than parsing it), else None. Jinja
    writes its data with every line break as ``\\n`` (``newline_sequence``), and so does this."""
    loader: ConfinedLoader = environment.loader  # type: ignore[assignment]
    if environment.line_statement_prefix or environment.line_comment_prefix or not environment.keep_trailing_newline:
        return None
    source, _ = loader.read(template)
    starts = (environment.block_start_string, environment.variable_start_string, environment.comment_start_string)
    if any(start in source for start in starts):
        return None
    return source.replace("\r\n", "\n").replace("\r", "\n")


def render_template(
    environment: jinja2.Environment,
    template: str,
    context: dict[str, Any],
    *,
    timeout: float | None = 30.0,
    max_bytes: int = Limits().max_bytes,
) -> Rendered:
    loader: ConfinedLoader = environment.loader  # type: ignore[assignment]
    display = loader.display(template)
    if getattr(environment, "reads", None) is not None:
        environment.reads = set()  # type: ignore[attr-defined]
    previous_max = getattr(environment, "max_bytes", max_bytes)
    environment.max_bytes = max_bytes  # type: ignore[attr-defined]  # what the sandbox may build, too
    try:
        plain = _plain(environment, template)
        if plain is not None:
            if len(plain) > max_bytes:
                raise RenderError(f"rendered output exceeds {max_bytes} bytes", display)
            return Rendered(template, output_name(template), plain, range(1, len(plain.splitlines()) + 1))
        with _deadline(timeout, display):
            compiled = environment.get_template(template)
            chunks: list[str] = []
            size = 0
            for chunk in compiled.generate(context):
                size += len(chunk)
                if size > max_bytes:
                    raise RenderError(f"rendered output exceeds {max_bytes} bytes", display)
                chunks.append(chunk)
    except RenderError as exc:
        if exc.file is None:
            name, line = _template_line(exc, environment)
            exc.file, exc.line = (loader.display(name) if name else display), line
        raise
    except jinja2.TemplateSyntaxError as exc:
        where = loader.display(exc.name) if exc.name else display
        raise RenderError(f"template syntax error: {exc.message}", where, exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        name, line = _template_line(exc, environment)
        raise RenderError(
            f"template {exc.name!r} not found under the templates root",
            loader.display(name) if name else display,
            line,
        ) from None
    except jinja2.exceptions.SecurityError as exc:
        name, line = _template_line(exc, environment)
        raise TemplateSecurityError(
            f"sandbox refused: {exc}", loader.display(name) if name else display, line
        ) from None
    except jinja2.UndefinedError as exc:
        name, line = _template_line(exc, environment)
        raise RenderError(exc.message or "undefined value", loader.display(name) if name else display, line) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, OverflowError, RecursionError) as exc:
        name, line = _template_line(exc, environment)
        raise RenderError(f"template error: {exc}", loader.display(name) if name else display, line) from None
    finally:
        environment.max_bytes = previous_max  # type: ignore[attr-defined]
    text = "".join(chunks)
    reads = frozenset(getattr(environment, "reads", None) or ())
    return Rendered(template, output_name(template), text, line_map(loader.root / template, text), reads)
