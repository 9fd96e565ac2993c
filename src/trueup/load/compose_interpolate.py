"""Compose interpolation: ``${VAR}`` in a compose file, read as compose reads it.

Rules (compose-spec ``12-interpolation.md``; compose-go ``template/template.go``):
``$NAME`` and ``${NAME}`` take the variable; ``${NAME:-x}`` / ``${NAME-x}`` fall back to
``x`` when the variable is unset or empty / unset; ``${NAME:+x}`` / ``${NAME+x}`` give ``x``
when it is set and not empty / set; ``${NAME:?e}`` / ``${NAME?e}`` are mandatory; defaults
nest; ``$$`` is a literal ``$``; a ``$`` that starts no valid reference stays as it is. Only
values are interpolated, never keys. A string that is not a valid template (``${``,
``${1}``) is one compose refuses to load: it is kept as written.

Variables come from the project's ``.env`` beside the compose file (compose-spec
``05-services.md``/``env_file`` format), and ``COMPOSE_PROJECT_NAME`` (``04-version-and-name.md``).
The shell environment of whoever runs trueup is *not* used: the host that deploys has its
own, and a drift report must not depend on the CI runner's variables.

A reference that cannot be resolved (unset, no default, or a mandatory one) is not a value:
it becomes a *token*, a run of private-use characters that survives splitting (ports,
commands) untouched, and :func:`Tokens.decode` turns every string holding one back into its
text as written plus a pattern that any live text it could have produced matches.
"""
from __future__ import annotations

import os.path
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

Lookup = Callable[[str], "str | None"]

_NAME = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")
_OPERATORS = (":-", ":+", ":?", "-", "+", "?")
_OPEN, _MID, _CLOSE = "\ue000", "\ue002", "\ue001"
# A token: the nonce of the Tokens that made it, and its index in that table. One regex for every
# Tokens (one is made per interpolated string: compiling a finder each time was most of the cost).
_TOKEN = re.compile(re.escape(_OPEN) + r"([^\ue000-\ue002]*)" + re.escape(_MID) + r"(\d+)" + re.escape(_CLOSE))


class InvalidTemplate(ValueError):
    """The text is not a compose template (compose refuses the file)."""


@dataclass
class Unresolved:
    raw: str  # the reference as written, e.g. ``${TAG}``
    names: tuple[str, ...]


@dataclass
class Decoded:
    """A string that held unresolved references: its text as written and what live may say instead."""

    regex: str  # the text as written, each reference standing for any text; compiled when compared
    names: tuple[str, ...]

    def matches(self, live: Any) -> bool:
        if isinstance(live, (dict, list)):
            return True  # a value compose would have split or parsed: its text cannot be compared
        text = "" if live is None else ("true" if live is True else "false" if live is False else str(live))
        return re.fullmatch(self.regex, text, re.DOTALL) is not None


@dataclass
class Tokens:
    """The unresolved references of one document, each a token that stands for it in strings."""

    nonce: str = field(default_factory=lambda: secrets.token_hex(4))
    table: list[Unresolved] = field(default_factory=list)

    def token(self, unresolved: Unresolved) -> str:
        self.table.append(unresolved)
        return f"{_OPEN}{self.nonce}{_MID}{len(self.table) - 1}{_CLOSE}"

    def holds(self, text: Any) -> bool:
        return isinstance(text, str) and bool(self.table) and _OPEN + self.nonce in text

    def decode(self, text: str) -> tuple[str, Decoded | None]:
        """``text`` as written (tokens back to their references) and, if it held any, its pattern."""
        if not self.holds(text):
            return text, None
        raw, pattern, names, last = [], [], [], 0
        for found in _TOKEN.finditer(text):
            if found.group(1) != self.nonce:  # text that only looks like a token: kept as it is
                continue
            entry = self.table[int(found.group(2))]
            raw += [text[last:found.start()], entry.raw]
            pattern += [re.escape(text[last:found.start()]), ".*"]
            names += [n for n in entry.names if n not in names]
            last = found.end()
        raw.append(text[last:])
        pattern.append(re.escape(text[last:]))
        return "".join(raw), Decoded("".join(pattern), tuple(names))


def substitute(text: str, lookup: Lookup, tokens: Tokens) -> str:
    """``text`` interpolated; unresolved references become tokens. Raises InvalidTemplate."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "$" or i + 1 >= len(text):
            out.append(char)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
            continue
        if nxt == "{":
            end = _closing(text, i + 1)
            body = text[i + 2:end]
            out.append(_braced(body, text[i:end + 1], lookup, tokens))
            i = end + 1
            continue
        name = _NAME.match(text, i + 1)
        if name is None:
            out.append("$")
            i += 1
            continue
        value = lookup(name.group())
        out.append(value if value is not None else tokens.token(Unresolved(text[i:name.end()], (name.group(),))))
        i = name.end()
    return "".join(out)


def _closing(text: str, start: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``start`` (nested braces count)."""
    depth = 0
    for j in range(start, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    raise InvalidTemplate(text)


def _braced(body: str, raw: str, lookup: Lookup, tokens: Tokens) -> str:
    name = _NAME.match(body)
    if name is None:
        raise InvalidTemplate(raw)
    rest = body[name.end():]
    value = lookup(name.group())
    if not rest:
        return value if value is not None else tokens.token(Unresolved(raw, (name.group(),)))
    op = next((o for o in _OPERATORS if rest.startswith(o)), None)
    if op is None:
        raise InvalidTemplate(raw)
    arg = rest[len(op):]
    empty_counts = op.startswith(":")
    unset = value is None or (empty_counts and value == "")
    if op.endswith("-"):
        chosen = substitute(arg, lookup, tokens) if unset else value
    elif op.endswith("+"):
        chosen = substitute(arg, lookup, tokens) if not unset else (value or "")
    else:  # mandatory: compose stops with an error when unset; we cannot know the host's value
        return tokens.token(Unresolved(raw, (name.group(),))) if unset else value  # type: ignore[return-value]
    if tokens.holds(chosen):  # a nested default that did not resolve: the whole reference is unknown
        nested = tuple(dict.fromkeys((name.group(), *_names(chosen, tokens))))
        return tokens.token(Unresolved(raw, nested))
    return chosen  # type: ignore[return-value]


def _names(text: str, tokens: Tokens) -> tuple[str, ...]:
    decoded = tokens.decode(text)[1]
    return decoded.names if decoded else ()


def resolved(text: str, variables: Mapping[str, str]) -> str:
    """``text`` with the references ``variables`` resolve (defaults included) replaced, as compose
    would run it; a reference nothing resolves stays as written, and so does an invalid template."""
    if "$" not in text:
        return text
    tokens = Tokens()
    try:
        out = substitute(text, variables.get, tokens)
    except InvalidTemplate:
        return text
    return tokens.decode(out)[0]


# compose-go loader/interpolate.go (interpolateTypeCastMapping): after interpolation these
# fields are cast from text to the type the schema gives them ("*" is any key or list item).
_CASTS: dict[tuple[str, ...], str] = {
    **{("services", "*", k): "int" for k in ("cpu_count", "cpu_period", "cpu_quota", "cpu_rt_period",
                                             "cpu_rt_runtime", "cpu_shares", "oom_score_adj", "pids_limit",
                                             "scale")},
    ("services", "*", "cpu_percent"): "float", ("services", "*", "cpus"): "float",
    **{("services", "*", k): "bool" for k in ("init", "oom_kill_disable", "privileged", "read_only",
                                              "stdin_open", "tty")},
    ("services", "*", "depends_on", "*", "required"): "bool", ("services", "*", "depends_on", "*", "restart"): "bool",
    ("services", "*", "deploy", "replicas"): "int",
    ("services", "*", "deploy", "update_config", "parallelism"): "int",
    ("services", "*", "deploy", "update_config", "max_failure_ratio"): "float",
    ("services", "*", "deploy", "rollback_config", "parallelism"): "int",
    ("services", "*", "deploy", "rollback_config", "max_failure_ratio"): "float",
    ("services", "*", "deploy", "restart_policy", "max_attempts"): "int",
    ("services", "*", "deploy", "placement", "max_replicas_per_node"): "int",
    ("services", "*", "healthcheck", "retries"): "int", ("services", "*", "healthcheck", "disable"): "bool",
    ("services", "*", "ports", "*", "target"): "int",
    ("services", "*", "ulimits", "*"): "int", ("services", "*", "ulimits", "*", "hard"): "int",
    ("services", "*", "ulimits", "*", "soft"): "int",
    ("services", "*", "volumes", "*", "read_only"): "bool",
    ("services", "*", "volumes", "*", "volume", "nocopy"): "bool",
    **{(section, "*", "external"): "bool" for section in ("networks", "volumes", "secrets", "configs")},
    **{("networks", "*", k): "bool" for k in ("internal", "attachable", "enable_ipv4", "enable_ipv6")},
}
_BOOLS = {"true": True, "y": True, "yes": True, "on": True, "false": False, "n": False, "no": False, "off": False}


def _cast(path: tuple[str, ...], value: str) -> Any:
    kind = next((k for pattern, k in _CASTS.items() if len(pattern) == len(path)
                 and all(p in ("*", t) for p, t in zip(pattern, path))), None)
    try:
        if kind == "int":
            return int(value.strip())
        if kind == "float":
            return float(value.strip())
    except ValueError:
        return value
    if kind == "bool":
        return _BOOLS.get(value.strip().lower(), value)
    return value


def interpolate(data: Any, lookup: Lookup, tokens: Tokens, path: tuple[str, ...] = ()) -> Any:
    """Every string value of ``data`` interpolated (keys as they are), then cast where compose casts."""
    if isinstance(data, dict):
        return {k: interpolate(v, lookup, tokens, (*path, str(k))) for k, v in data.items()}
    if isinstance(data, list):
        return [interpolate(v, lookup, tokens, (*path, "*")) for v in data]
    if not isinstance(data, str):
        return data
    try:
        text = substitute(data, lookup, tokens) if "$" in data else data
    except InvalidTemplate:
        return data
    return text if tokens.holds(text) else _cast(path, text)


# --- files of the project: .env and env_file ------------------------------------------------

_LIMIT = 1 << 20


class Refused(Exception):
    """A project file that must not be read (outside the root, through a symlink out of it) or cannot be."""


def read_project_file(directory: Path, root: Path, name: str) -> str | None:
    """The text of ``name`` (relative to ``directory``) if it lies inside ``root``; None when it does
    not exist. Raises Refused for a path that leaves the root, as written or once symlinks are
    followed, for ``~`` (the deploying host's home), and for a file that cannot be read."""
    if name.startswith("~"):
        raise Refused(name)
    target = Path(os.path.abspath(directory / name))
    if not _inside(target, Path(os.path.abspath(root))):
        raise Refused(name)
    try:
        top = root.resolve(strict=True)
        real = target.resolve(strict=True)
    except FileNotFoundError:
        return None
    except (OSError, RuntimeError) as exc:
        raise Refused(name) from exc
    if not _inside(real, top) or not real.is_file():
        raise Refused(name)
    try:
        with real.open("rb") as handle:
            data = handle.read(_LIMIT + 1)
    except OSError as exc:
        raise Refused(name) from exc
    if len(data) > _LIMIT:
        raise Refused(name)
    return data.decode("utf-8-sig", errors="replace")


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEY = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z0-9_.\-\[\]]+)[ \t]*(?:([=:])[ \t]*|(?=\n|$))")


def dotenv_variables(text: str) -> dict[str, str]:
    """A project's ``.env`` as compose's variables: a value whose reference does not resolve leaves
    that variable unset (the deploying host's environment is not known here)."""
    tokens = Tokens()
    return {k: v for k, v in parse_dotenv(text, lambda _: None, tokens).items() if not tokens.holds(v)}


def give_variables(documents: Iterable[Any], dotenv: str) -> None:
    """The compose documents among ``documents`` get the project's variables (``Document.variables``)
    from the text of its ``.env``, read once."""
    variables = None
    for doc in documents:
        if doc.kind == "compose":
            variables = dotenv_variables(dotenv) if variables is None else variables
            doc.variables = variables


def parse_dotenv(text: str, lookup: Lookup, tokens: Tokens, raw: bool = False) -> dict[str, str]:
    """``KEY=value`` lines as compose reads an env file (compose-spec ``05-services.md``, "Env_file
    format"): comments, ``export``, single quotes literal, double quotes with escapes, unquoted
    values cut at `` #``; unquoted and double-quoted values interpolated from the variables before
    them, then ``lookup``. A bare ``KEY`` takes ``lookup(KEY)`` when it has one. ``raw`` (``format:
    raw``): the value after ``=`` as it is. Lines that are not ``KEY=value`` are skipped."""
    out: dict[str, str] = {}

    def find(name: str) -> str | None:
        return out[name] if name in out and not tokens.holds(out[name]) else lookup(name)

    text = text.replace("\r\n", "\n")
    pos = 0
    while pos < len(text):
        line_end = text.find("\n", pos)
        line_end = len(text) if line_end < 0 else line_end
        stripped = text[pos:line_end].strip()
        if not stripped or stripped.startswith("#"):
            pos = line_end + 1
            continue
        key = _KEY.match(text, pos)
        if key is None:
            pos = line_end + 1
            continue
        name, pos = key.group(1), key.end()
        if key.group(2) is None:
            inherited = lookup(name)
            if inherited is not None:
                out[name] = inherited
            pos = line_end + 1
            continue
        value, pos = _value(text, pos, raw)
        if value is None:
            continue
        literal, quoted = value
        if raw or quoted == "'":
            out[name] = literal
            continue
        try:
            out[name] = substitute(literal, find, tokens)
        except InvalidTemplate:
            out[name] = literal
    return out


def _value(text: str, pos: int, raw: bool) -> tuple[tuple[str, str] | None, int]:
    """(value, quote) from ``pos``, and where the next line starts; None for an unterminated quote."""
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    quote = text[pos] if pos < len(text) else ""
    if raw or quote not in ("'", '"'):
        value = text[pos:end]
        if not raw:
            value = value.split(" #", 1)[0].rstrip()
        return (value, ""), end + 1
    chars, i = [], pos + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == quote:
                chars.append(nxt)
            elif quote == '"' and nxt == "$":
                chars.append("$$")  # an escaped dollar is a literal one, as ``$$``
            elif quote == '"' and nxt in _ESCAPES:
                chars.append(_ESCAPES[nxt])
            else:
                chars.append(char + nxt)
            i += 2
            continue
        if char == quote:
            rest = text.find("\n", i)
            return ("".join(chars), quote), (len(text) if rest < 0 else rest) + 1
        chars.append(char)
        i += 1
    return None, end + 1
