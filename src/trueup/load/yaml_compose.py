"""YAML composed into node graphs: libyaml's C parser (PyYAML's pure-Python one where libyaml is
missing, or with ``TRUEUP_LIBYAML=0``) with the YAML 1.2 core schema's resolver (``true``/``false``,
``null``/``~``, decimal, ``0o`` and ``0x`` ints, floats, ``<<`` merges). ``yaml_`` builds plain
data from the graphs and finds lines in them; ``yaml_units`` reads the same parser's events.
"""
from __future__ import annotations

import os
import re
from typing import Any, Iterator

import yaml
from yaml.composer import Composer
from yaml.nodes import Node, ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner

from ..errors import ParseError


class PythonParser(Reader, Scanner, Parser, Composer):
    """PyYAML's pure-Python parser and composer: the fallback where PyYAML was built without libyaml,
    and the slow path the tests hold the fast one to (``TRUEUP_LIBYAML=0`` picks it)."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)


def libyaml_wanted() -> bool:
    return os.environ.get("TRUEUP_LIBYAML", "1").strip().lower() not in ("0", "false", "no", "off")


_Parser: type
try:
    from yaml.cyaml import CParser

    _Parser = CParser if libyaml_wanted() else PythonParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = PythonParser


class CoreResolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema: true/false, null/~, decimal/0o/0x ints, floats; ``<<`` merges."""

    yaml_implicit_resolvers: dict = {}


CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
CoreResolver.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^<<$"), ["<"])


# A plain scalar's tag depends on its text alone (there are no path resolvers): most texts
# (keys above all) recur, so each is resolved once per process, not once per occurrence.
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 100_000


class YamlComposer(_Parser, CoreResolver):
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        CoreResolver.__init__(self)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode and implicit[0]:
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = CoreResolver.resolve(self, kind, value, implicit)
                if len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX:
                    _PLAIN_TAGS[value] = tag
            return tag
        return CoreResolver.resolve(self, kind, value, implicit)

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers: nothing to track per node."""

    def ascend_resolver(self) -> None:
        """No path resolvers: nothing to track per node."""


STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
MERGE = "tag:yaml.org,2002:merge"


RESOLVER = CoreResolver()


def plain_tag(text: str) -> str:
    """The tag the core schema gives an untagged plain scalar written ``text``."""
    return YamlComposer.resolve(RESOLVER, ScalarNode, text, (True, False))


def _mark_error(exc: yaml.MarkedYAMLError, file: str) -> ParseError:
    mark = exc.problem_mark or exc.context_mark
    cause = exc.problem or exc.context or "invalid YAML"
    if exc.context and exc.problem:
        cause = f"{exc.problem} ({exc.context})"
    cause = f"invalid YAML: {cause}"
    if mark is None:
        return ParseError(cause, file)
    return ParseError(cause, file, mark.line + 1, mark.column + 1)


class PositionComposer(YamlComposer):
    """Node graphs for line lookups only: no scalar's tag is worked out but a merge key's."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return MERGE if kind is ScalarNode and implicit[0] and value == "<<" else ""


def iter_nodes(text: str, file: str, composer_class: type = YamlComposer) -> Iterator[Node | None]:
    """Each document's node graph in turn; a caller that drops one before the next keeps memory flat."""
    composer = None
    try:
        composer = composer_class(text)
        while composer.check_node():
            yield composer.get_node()
    except yaml.MarkedYAMLError as exc:
        raise _mark_error(exc, file) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ParseError(f"invalid YAML: unacceptable character #x{exc.character:04x}", file, line, column) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}", file) from None
    except RecursionError:
        raise ParseError("nesting too deep to parse", file) from None
    finally:
        if composer is not None:
            composer.dispose()
