"""Names, messages and values come from pull requests: no reporter may break on them, and none
may let them change a report's structure (a Markdown table, a workflow command, XML, JSON)."""
from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trueup.model import Finding, Severity, Summary
from trueup.report import FORMATS, RunInfo, is_difference, make_reporter
from trueup.report.github import escape_data, escape_property

HOSTILE = [
    "a`b", "``x``", "`", "a|b", "a\\|b", "@team", "@org/team", "<img src=x onerror=alert(1)>",
    "line\nbreak", "cr\rhere", "a & b", "[click](https://evil.example)", "**bold**", " `spaced` ",
    "x,y:z", "::error::forged", "100%", "\ud800", "\x1b[2J", "\u202eevil", "tab\there", "\x00nul",
]


def _render(fmt: str, findings: list[Finding], **info: object) -> str:
    stream = io.StringIO()
    reporter = make_reporter(fmt, stream, RunInfo("check", ("prod",), **info))
    summary = Summary(fail_on=Severity.HIGH, files=1, documents=1)
    for finding in findings:
        summary.add(finding)
        reporter.write(finding)
    reporter.finish(summary)
    return stream.getvalue()


def _cells(row: str) -> list[str]:
    """A GFM table row's cells as cmark-gfm splits them: a backslash escapes the next character,
    any other ``|`` ends a cell (code spans do not protect it: rows are split first)."""
    assert row.startswith("| ") and row.endswith(" |"), row
    cells, current, i = [], "", 1
    while i < len(row) - 1:
        if row[i] == "\\":
            current += row[i:i + 2]
            i += 2
            continue
        if row[i] == "|":
            cells.append(current)
            current = ""
        else:
            current += row[i]
        i += 1
    return [*cells, current]


def _code_spans(text: str) -> tuple[str, list[str]]:
    """CommonMark code spans: (the text without them, their contents as rendered)."""
    outside, spans, i = "", [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            outside += text[i:i + 2]
            i += 2
            continue
        if text[i] != "`":
            outside += text[i]
            i += 1
            continue
        run = re.match("`+", text[i:]).group()
        closing = re.compile(f"(?<!`){run}(?!`)")
        found = closing.search(text, i + len(run))
        if not found:
            outside += run
            i += len(run)
            continue
        body = text[i + len(run):found.start()]
        if body.startswith(" ") and body.endswith(" ") and body.strip(" "):
            body = body[1:-1]
        spans.append(body)
        i = found.end()
    return outside, spans


def _unescape_cell(text: str) -> str:
    return re.sub(r"\\\|", "|", text)  # cmark-gfm removes the backslash before each escaped pipe


def _problem_rows(markdown: str) -> list[str]:
    lines = markdown.split("\n")  # CommonMark line ends only: \r was made a space
    if "### Problems" not in lines:
        return []
    start = lines.index("### Problems") + 4  # blank, header, delimiter
    rows = []
    for line in lines[start:]:
        if not line:
            break
        rows.append(line)
    return rows


def _problem(name: str, message: str = "m", path: str = "/p") -> Finding:
    return Finding("schema", Severity.HIGH, message, name, path, name, 3, 1, desired=name)


# ---- Markdown ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", HOSTILE)
def test_markdown_table_keeps_its_shape_and_names_read_back(name: str) -> None:
    findings = [_problem(name, message=f"bad {name}", path=f"/x/{name}"), _problem("ok.yaml")]
    rows = _problem_rows(_render("markdown", findings))
    assert len(rows) == 2
    for row in rows:
        assert len(_cells(row)) == 4, row
    where = _unescape_cell(_cells(rows[0])[1])
    outside, spans = _code_spans(where)
    assert outside.strip() == ""
    # The name reads back from its code span (line ends as spaces; a lone surrogate, a control or
    # bidi character shown escaped, as readable() writes it). A backslash just before a | cannot be
    # kept in a table's code span (the row splitter would see an escaped backslash, then a cell
    # break): it is doubled, which shows, but the table holds.
    from trueup.report._safe import readable

    shown = readable(name.replace("\r", " ").replace("\n", " ")).replace("\\|", "\\\\|")
    assert spans == [f"{shown}:3"]


@pytest.mark.parametrize("name", ["@team", "@org/team", "<img src=x onerror=alert(1)>", "a|b@team<b>&"])
def test_markdown_has_no_mention_nor_html_outside_code(name: str) -> None:
    finding = _problem(name, message=f"owned by {name} <script>alert(1)</script> & @someone")
    drift = Finding("drift.changed", Severity.HIGH, f"{name} differs", name, f"/a/{name}", name, 2, 1,
                    desired=name, live="x", environment=name)
    text = _render("markdown", [finding, drift])
    outside, spans = _code_spans(text)
    assert not re.search(r"@[A-Za-z0-9]", outside)
    assert "<img" not in outside and "<script" not in outside and "<b>" not in outside
    # Plain text shows its @ and < as entities or with a zero-width joiner, nothing raw.
    assert "@\u200dsomeone" in outside and "&lt;script&gt;" in outside


def test_markdown_code_span_fence_is_longer_than_any_run_inside() -> None:
    name = "a``b```c`"
    row = _problem_rows(_render("markdown", [_problem(name)]))[0]
    assert "````a``b```c`:3````" in row
    _, spans = _code_spans(_unescape_cell(_cells(row)[1]))
    assert spans == [f"{name}:3"]


def test_markdown_diff_block_cannot_be_closed_early() -> None:
    live = "a\n   ````\nb\n"
    desired = "a\n ```\nc\n"
    finding = Finding("drift.changed", Severity.HIGH, "x", "ConfigMap/a", "/data/x", "cm.yaml", 1, 1,
                      desired=desired, live=live)
    text = _render("markdown", [finding])
    lines = text.splitlines()
    opening = next(i for i, line in enumerate(lines) if line.endswith("diff"))
    fence = lines[opening][:-4]
    assert len(fence) > 4
    closing = next(i for i in range(opening + 1, len(lines))
                   if re.fullmatch(r" {0,3}`{%d,}\s*" % len(fence), lines[i]))
    assert lines[closing] == fence and closing == len(lines) - 2


def test_markdown_folded_summary_is_escaped_html() -> None:
    name = "<img src=x onerror=alert(1)>@team"
    findings = [Finding("drift.extra", Severity.HIGH, "x", name, f"/k{i}", name, 1, 1, live="v", environment="@prod")
                for i in range(20)]
    text = _render("markdown", findings)
    summary = next(line for line in text.splitlines() if line.startswith("<details>"))
    assert "<img" not in summary and "<code>&lt;img src=x onerror=alert(1)&gt;@team</code>" in summary
    assert not re.search(r"@[A-Za-z0-9]", re.sub("<code>.*?</code>", "", summary))  # no mention in code


# ---- Summaries: document kinds and Helm chart names come from the files too ------------------------

def _summary_of(name: str) -> Summary:
    summary = Summary(fail_on=Severity.HIGH, files=2, documents=2, validating=True)
    summary.skip(name, f"{name}/default/w (w.yaml)")
    summary.templates = {name: [f"{name}/templates/a.yaml"]}
    return summary


@pytest.mark.parametrize("verbose", [False, True], ids=["summary", "verbose"])
@pytest.mark.parametrize("name", HOSTILE)
def test_every_reporter_summary_holds_hostile_kinds_and_chart_names(name: str, verbose: bool) -> None:
    for fmt in FORMATS:
        stream = io.StringIO()
        make_reporter(fmt, stream, RunInfo("validate", (), verbose=verbose)).finish(_summary_of(name))
        text = stream.getvalue()
        text.encode("utf-8")  # strict: no lone surrogate reaches the stream
        if fmt == "text":
            assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]", text), text
            assert text.count("\n") == len(text.splitlines())
            assert len(text.splitlines()) == (4 if verbose else 1)
        elif fmt == "json":
            assert json.loads(text)["summary"]["skipped_kinds"] == {name: 1}  # JSON's own escape: reads back
        elif fmt == "junit":
            ET.fromstring(text.encode("utf-8"))
        elif fmt == "sarif":
            json.loads(text)
        elif fmt == "markdown":
            outside, _ = _code_spans(text)
            assert not re.search(r"@[A-Za-z0-9]", outside) and "<" not in outside
        elif fmt == "github":  # annotations are findings only: a summary cannot forge a command
            assert text == ""
        if fmt in ("junit", "html", "markdown", "github"):
            assert "<img" not in text and "\x1b" not in text and "\u202e" not in text


# ---- GitHub workflow commands -------------------------------------------------------------------

def _runner_unescape(text: str, property: bool) -> str:
    """What the Actions runner does (ActionCommand.cs): each mapping replaced in turn, %25 last."""
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if property else []) + [("%25", "%")]
    for token, char in pairs:
        text = text.replace(token, char)
    return text


def _parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as the runner reads it: ``::name k=v,k=v::data``."""
    assert line.startswith("::")
    end = line.index("::", 2)
    head, data = line[2:end], line[end + 2:]
    name, _, props = head.partition(" ")
    properties = {}
    for pair in filter(None, props.split(",")):
        key, _, value = pair.partition("=")
        properties[key] = _runner_unescape(value, True)
    return name, properties, _runner_unescape(data, False)


@pytest.mark.parametrize("text", [h for h in HOSTILE if "\ud800" not in h] + ["%0A", "%25%2C", "%%3A:"])
def test_github_escaping_round_trips(text: str) -> None:
    """What the runner reads back is the text, with every control and bidi character but a line end
    made visible (an annotation shows what the text holds)."""
    from trueup.report._safe import readable

    shown = "\r".join(readable(part) for part in text.split("\r"))  # CR and LF go as %0D and %0A
    assert _runner_unescape(escape_data(text), False) == shown
    assert _runner_unescape(escape_property(text), True) == shown
    assert not re.search("[\r\n]", escape_data(text))
    assert not re.search("[\r\n:,]", escape_property(text))


@pytest.mark.parametrize("name", ["dir,x/a:b.yaml", "a\nb.yaml", "100%.yaml", "x::error file=y::z"])
def test_github_annotation_properties_round_trip(name: str) -> None:
    finding = Finding("rule::with,colon", Severity.HIGH, f"message with {name}\nand more", name, "/p", name, 4, 2)
    lines = _render("github", [finding]).splitlines()
    assert len(lines) == 1
    level, properties, data = _parse_command(lines[0])
    assert level == "error"
    assert properties == {"file": name, "line": "4", "col": "2", "title": "rule::with,colon"}
    assert data.startswith(f"message with {name}\nand more")


# ---- Every reporter, any text -------------------------------------------------------------------

RULES = ["schema", "input.parse", "policy.k8s-no-latest-tag", "drift.changed", "drift.missing", "drift.extra",
         "drift.ignored", "change.added", "change.changed"]
anything = st.text()  # any code point, lone surrogates and controls included
values = st.one_of(st.none(), anything, st.integers(), st.lists(anything, max_size=2),
                   st.dictionaries(anything, anything, max_size=2))


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    file = draw(st.one_of(st.none(), anything))
    return Finding(
        draw(st.sampled_from(RULES)), draw(st.sampled_from(list(Severity))), draw(anything), draw(anything),
        draw(anything), file, draw(st.one_of(st.none(), st.integers(1, 99))), draw(st.one_of(st.none(), st.integers(1, 9))),
        desired=draw(values), live=draw(values), waived=draw(st.booleans()),
        environment=draw(st.one_of(st.none(), anything)), live_file=draw(st.one_of(st.none(), anything)),
        live_line=draw(st.one_of(st.none(), st.integers(1, 99))))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(findings(), max_size=4), st.booleans())
def test_every_reporter_writes_any_text(found: list[Finding], verbose: bool) -> None:
    from trueup.report._safe import readable

    for fmt in FORMATS:
        text = _render(fmt, found, verbose=verbose)
        text.encode("utf-8")  # strict: no lone surrogate reaches the stream
        if fmt in ("json", "sarif"):
            data = json.loads(text)
            if fmt == "json":  # the escape is JSON's own: names read back exactly
                assert [f["message"] for f in data["findings"]] == [f.message for f in found]
                assert [f["file"] for f in data["findings"]] == [f.file for f in found]
        elif fmt == "junit":
            ET.fromstring(text.encode("utf-8"))
        elif fmt == "text":
            assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", text)
            assert text.count("\n") == len(text.splitlines())  # each line ends with \n and holds no other line end
        elif fmt == "markdown":
            problems = [f for f in found if (verbose or not f.waived) and not is_difference(f.rule)]
            rows = _problem_rows(text)
            assert len(rows) == len(problems)
            for row in rows:
                assert len(_cells(row)) == 4, row
            outside, _ = _code_spans("\n".join(rows))
            assert not re.search(r"@[A-Za-z0-9]", outside) and "<" not in outside
        elif fmt == "github":
            lines = text.split("\n")[:-1]  # the runner reads lines ended by \n
            shown = [f for f in found if verbose or not f.waived]
            # Most severe first (GitHub shows ten of each kind per step), waived last, else as written.
            shown = [f for _, f in sorted(enumerate(shown), key=lambda p: (-1 if p[1].waived else -int(p[1].severity), p[0]))]
            assert len(lines) == len(shown)
            for line, finding in zip(lines, shown):
                _, properties, data = _parse_command(line)
                assert properties["title"] == finding.rule
                assert properties.get("file") == (
                    "\r".join(readable(p) for p in finding.file.split("\r")) if finding.file else None)


# Every control and bidi character a reader could be fooled by: none may reach a page, a comment, an
# annotation or a JUnit report raw, from any field of a finding (line ends may, where lines are kept).
_FOOLING = ["\x1b[2J", "\u202e", "\u2066", "\u200f", "\x07", "\x85", "\u2028", "\r", "\x00"]


@pytest.mark.parametrize("fmt", ["html", "junit", "markdown", "github"])
@pytest.mark.parametrize("char", _FOOLING, ids=repr)
def test_no_reader_facing_format_writes_a_control_or_bidi_character(fmt: str, char: str) -> None:
    evil = f"x{char}y"
    findings = [
        Finding("R1", Severity.HIGH, f"message {evil}", f"Deployment/{evil}/web", f"/spec/{evil}", f"f{evil}.yaml", 3, 1),
        Finding("drift.changed", Severity.HIGH, f"changed {evil}", f"Deployment/shop/{evil}", f"/a{evil}",
                f"d{evil}.yaml", 2, 1, live=f"l{evil}\nsecond {evil}", desired=f"d{evil}", environment="prod",
                live_file=f"l{evil}.yaml", live_line=2),
    ]
    text = _render(fmt, findings)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]", text), fmt
    assert "x\\" in text or char == "\r"  # shown escaped where it stood (a CR: a line end, or GitHub's %0D)
