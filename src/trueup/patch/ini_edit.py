"""INI edits, line by line: keys found as load/ini.py finds them, a value with continuation
lines replaced whole, new keys after their section's last key, new sections at the end."""
from __future__ import annotations

from typing import Any, Sequence

from ..pointer import escape_token, split_pointer
from .lines import body, drop, insert, line_ending, newline, read, scalar_text, split_lines
from .ops import Op, ordered, same_data
from .ops import NotSurgical

# INI: [sections] of key = value lines, continuation lines indented deeper than their key.

class _IniEntry:
    def __init__(self, section: str | None, key: str, line: int, indent: int, cut: int) -> None:
        self.section, self.key, self.first, self.last = section, key, line, line
        self.indent, self.cut = indent, cut  # cut: the separator's column


def _ini_scan(lines: list[str]) -> tuple[list[_IniEntry], list[tuple[str, int]]]:
    """Every key entry and every (section, header line), read as load/ini.py reads them."""
    entries: list[_IniEntry] = []
    headers: list[tuple[str, int]] = []
    section, last = None, None
    for number, raw in enumerate(lines):
        line = body(raw)
        stripped = line.strip()
        if not stripped or stripped[0] in ";#":
            last = None
            continue
        indent = len(line) - len(line.lstrip())
        if last is not None and indent > last.indent:
            last.last = number
            continue
        if stripped.startswith("["):
            section, last = stripped[1:-1].strip(), None
            headers.append((section, number))
            continue
        cut = min(at for at in (stripped.find("="), stripped.find(":")) if at >= 0)
        last = _IniEntry(section, stripped[:cut].rstrip(), number, indent, indent + cut)
        entries.append(last)
    return entries, headers


def _ini_sep(lines: list[str], entries: list[_IniEntry]) -> str:
    """The separator of the last entry with a value (`` = ``, ``=``, ``: ``...), else `` = ``."""
    for entry in reversed(entries):
        line = body(lines[entry.first])
        before, rest = line[entry.indent + len(entry.key):entry.cut], line[entry.cut + 1:]
        if rest.strip():
            return before + line[entry.cut] + rest[:len(rest) - len(rest.lstrip())]
    if entries:  # only empty values: spaced after the separator as before it
        line = body(lines[entries[-1].first])
        before = line[entries[-1].indent + len(entries[-1].key):entries[-1].cut]
        return before + line[entries[-1].cut] + before
    return " = "


def _ini_value(pointer: str, value: Any) -> list[str]:
    """The value's lines; each after the first becomes a continuation line, so none may be blank,
    a comment or padded."""
    if value is None or isinstance(value, (dict, list)):
        raise NotSurgical(f"{pointer}: an INI value is a string")
    parts = scalar_text(value).split("\n")
    if parts[0] != parts[0].strip() or not all(p and p == p.strip() and p[0] not in ";#" for p in parts[1:]):
        raise NotSurgical(f"{pointer}: the value has no INI form")
    return parts


def _ini_name(pointer: str, name: str, section: bool) -> str:
    """``name`` if it reads back as itself as a key (or a section's name), else NotSurgical."""
    bad = "\n\r" if section else "\n\r=:"
    if not name or name != name.strip() or any(char in name for char in bad) or not section and name[0] in ";#[":
        raise NotSurgical(f"{pointer}: not an INI {'section' if section else 'key'} name")
    return name


def _ini_lines(head: str, parts: list[str], indent: str) -> list[str]:
    """``head`` (``key = ``) and the value's first line, then its continuation lines at ``indent``."""
    first = head + parts[0] if parts[0] else (head + parts[0]).rstrip(" \t")
    return [first] + [indent + part for part in parts[1:]]


def edit_ini(text: str, ops: Sequence[Op], nl: str | None = None) -> str:
    nl = nl or newline(text)
    for op in ordered(ops):
        text = _ini_op(text, op, nl)
    return text


def _ini_op(text: str, op: Op, nl: str) -> str:
    tokens = split_pointer(op.pointer)
    if not 1 <= len(tokens) <= 2:
        raise NotSurgical(f"{op.pointer}: no such place in an INI file")
    data = read(text, "ini", "the file does not parse")
    lines = split_lines(text)
    entries, headers = _ini_scan(lines)
    if len(tokens) == 1 and (isinstance(data.get(tokens[0]), dict) or op.op != "remove" and isinstance(op.value, dict)):
        return _ini_section(text, lines, entries, headers, data, op, nl)
    section, key = (None, tokens[0]) if len(tokens) == 1 else tokens
    if section is not None and not isinstance(data.get(section), dict):
        raise NotSurgical(f"{op.pointer}: its section is not in the file")
    mine = [entry for entry in entries if entry.section == section and entry.key == key]
    if op.op == "remove":
        if not mine:
            raise NotSurgical(f"{op.pointer}: not in the file")
        return drop(lines, {n for entry in mine for n in range(entry.first, entry.last + 1)})
    parts = _ini_value(op.pointer, op.value)
    if mine:
        return _ini_replace(lines, mine[-1], parts, nl)  # a repeated key: the last one wins
    if section is None and key in data:
        raise NotSurgical(f"{op.pointer}: a section of that name is in the file")
    ours = [entry for entry in entries if entry.section == section]
    if ours:  # after the section's last key, before the blank and comment lines leading into the next
        ref = max(ours, key=lambda entry: entry.last)
        after, indent = ref.last, body(lines[ref.first])[:ref.indent]
    elif section is not None:
        after, indent = max(n for name, n in headers if name == section), ""
    elif headers:  # a top-level key: above the first section and the comments leading into it
        after, indent = headers[0][1] - 1, ""
        while after >= 0 and lines[after].strip()[:1] in (";", "#"):
            after -= 1
    else:
        after, indent = len(lines) - 1, ""
    key = _ini_name(op.pointer, key, section=False)
    new = _ini_lines(indent + key + _ini_sep(lines, ours or entries), parts, indent + "    ")
    return insert(lines, after, new, line_ending(lines, after, nl))


def _ini_replace(lines: list[str], entry: _IniEntry, parts: list[str], nl: str) -> str:
    """The entry's value (all its lines) replaced by ``parts``; one line for one line is a swap in place."""
    line = body(lines[entry.first])
    start = entry.cut + 1 + len(line[entry.cut + 1:]) - len(line[entry.cut + 1:].lstrip())
    end = max(len(line.rstrip()), start)
    if start == end and line[entry.cut - 1:entry.cut].isspace() and parts[0]:
        line = line.rstrip() + " "  # ``key =`` with no value: ``key = new``, spaced as before the separator
        start = end = len(line)
    ending = lines[entry.last][len(body(lines[entry.last])):]
    if entry.first == entry.last and len(parts) == 1:
        lines[entry.first] = line[:start] + parts[0] + line[end:] + ending
        return "".join(lines)
    indent = line[:entry.indent] + "    "
    if entry.last > entry.first:  # the old continuation lines' indentation
        follow = body(lines[entry.first + 1])
        indent = follow[:len(follow) - len(follow.lstrip())]
    nl = line_ending(lines, entry.first, nl)
    new = _ini_lines(line[:start], parts, indent)
    lines[entry.first:entry.last + 1] = [part + nl for part in new[:-1]] + [new[-1] + ending]
    return "".join(lines)


def _ini_section(text: str, lines: list[str], entries: list[_IniEntry], headers: list[tuple[str, int]],
                 data: dict, op: Op, nl: str) -> str:
    """Remove a section (header to the next header), add one at the end, or set one key by key."""
    name = split_pointer(op.pointer)[0]
    old = data.get(name)
    if op.op == "remove":
        starts = [n for _, n in headers] + [len(lines)]
        gone = {n for i, (header, start) in enumerate(headers) if header == name for n in range(start, starts[i + 1])}
        return drop(lines, gone)
    if not isinstance(op.value, dict) or (old is not None and not isinstance(old, dict)):
        raise NotSurgical(f"{op.pointer}: would turn a section into a key or a key into a section")
    if isinstance(old, dict):
        keys = [Op("remove", f"{op.pointer}/{escape_token(key)}") for key in old if key not in op.value]
        keys += [Op("set", f"{op.pointer}/{escape_token(key)}", value) for key, value in op.value.items()
                 if key not in old or not same_data(old[key], value)]
        return edit_ini(text, keys, nl)
    sep = _ini_sep(lines, entries)
    new = [] if not lines or not body(lines[-1]).strip() else [""]
    new.append(f"[{_ini_name(op.pointer, name, section=True)}]")
    for key, value in op.value.items():
        pointer = f"{op.pointer}/{escape_token(key)}"
        new += _ini_lines(_ini_name(pointer, key, section=False) + sep, _ini_value(pointer, value), "    ")
    return insert(lines, len(lines) - 1, new, line_ending(lines, len(lines) - 1, nl))
