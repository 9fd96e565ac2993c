"""RFC 6901 JSON Pointers: the one way every stage names a place inside a document."""
from __future__ import annotations

from typing import Any


def escape_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def split_pointer(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [unescape_token(t) for t in pointer[1:].split("/")]


def join_pointer(tokens: Any) -> str:
    return "".join("/" + escape_token(str(t)) for t in tokens)


def array_index(token: str, length: int | None = None) -> int | None:
    """The array index ``token`` names (RFC 6901: ``0``, or ASCII digits without a leading zero), below
    ``length`` when given; None where it names none. Not ``str.isdigit()``, which is true for ``"²"``
    (``int`` refuses it) and for ``"٣"``, and ``"01"`` is no index (``/01`` is not ``/1``)."""
    if token != "0" and not (token.isascii() and token.isdigit() and token[0] != "0"):
        return None
    index = int(token)
    return index if length is None or index < length else None


def steps(data: Any, pointer: str) -> list[tuple[Any, str]]:
    """(container, token) for each step of ``pointer`` that resolves in ``data``, in order."""
    out: list[tuple[Any, str]] = []
    node = data
    for token in split_pointer(pointer):
        if isinstance(node, dict) and token in node:
            out.append((node, token))
            node = node[token]
        elif isinstance(node, list) and (index := array_index(token, len(node))) is not None:
            out.append((node, token))
            node = node[index]
        else:
            break
    return out


def resolves(data: Any, pointer: str) -> bool:
    """Whether every step of ``pointer`` exists in ``data`` (a null value at the end still counts)."""
    return len(steps(data, pointer)) == len(split_pointer(pointer))


def value_at(data: Any, pointer: str) -> Any:
    """The value at ``pointer``, or None where the pointer does not resolve."""
    path = steps(data, pointer)
    if len(path) != len(split_pointer(pointer)):
        return None
    if not path:
        return data
    container, token = path[-1]
    return container[int(token)] if isinstance(container, list) else container[token]  # an index: steps checked
