"""The HTML reporter: a golden file, no network, no secrets, ``report merge --previous/--history``
end to end, and the page as a real headless Chromium renders it (screenshot and DOM after scripts).

Regenerate the golden file with ``TRUEUP_UPDATE_GOLDEN=1 pytest tests/report``. The browser
is ``$TRUEUP_CHROMIUM``, else ``chromium`` or ``chromium-browser`` on PATH (Debian:
``apt-get install chromium``); without one the browser test fails under CI and is skipped
elsewhere.
"""
from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import EXAMPLES, REPO
from .test_reporters import FINDINGS, _golden, _render
from trueup.model import Finding, Severity, Summary
from trueup.report import RunInfo, make_reporter
from trueup.report.since import history_points

NOISE = EXAMPLES / "drift" / "k8s-noise"
IN_CI = bool(os.environ.get("CI"))  # read at import: an autouse fixture clears CI for every test
PASSWORD, NEW_PASSWORD = "Zq8!vR2#pL9@tX4w", "n3w-Secr3t-77"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
NETWORK = re.compile(r"""(?:\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//"""
                     r"""|@import)""", re.IGNORECASE)


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent, self.children, self.texts = tag, attrs, parent, [], []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def all(self, cls: str | None = None, tag: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            if (cls is None or cls in child.classes) and (tag is None or child.tag == tag):
                found.append(child)
            found += child.all(cls, tag)
        return found

    def by_id(self, ident: str) -> Node:
        return next(n for n in self.all() if n.attrs.get("id") == ident)

    @property
    def text(self) -> str:
        return "".join(self.texts) + "".join(c.text for c in self.children)


class Dom(HTMLParser):
    """Just enough of a DOM to query the page (stdlib only)."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.node = Node("#document", {}, None)
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.node)
        self.node.children.append(node)
        if tag not in VOID:
            self.node = node

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.node.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.node))

    def handle_endtag(self, tag: str) -> None:
        node = self.node
        while node.parent is not None and node.tag != tag:
            node = node.parent
        if node.parent is not None:
            self.node = node.parent

    def handle_data(self, data: str) -> None:
        self.node.texts.append(data)


def _offline(page: str) -> None:
    assert "http://" not in page and "https://" not in page
    assert not NETWORK.search(page), NETWORK.search(page)


def test_html_matches_golden_and_needs_no_network() -> None:
    page, _ = _render("html", FINDINGS)
    assert page == _golden("findings.html", page)
    _offline(page)
    dom = Dom(page).root
    assert len(dom.all(tag="script")) == 1 and not dom.all(tag="link") and not dom.all(tag="img")
    assert [d.attrs["data-target"] for d in dom.all("object", "details")] == [
        "Deployment/shop/web", "ConfigMap/shop/api-config", "Service/shop/api"]
    changed = dom.all("object")[1].all("diff-row")[0]
    assert [r.attrs["class"] for r in changed.all("ld-row")] == ["ld-row eq", "ld-row chg", "ld-row eq"]
    assert "verdict-failed" in dom.by_id("verdict").classes
    statuses = {r.all(tag="td")[1].text: r.attrs["data-status"] for r in dom.all("status-row")}
    assert statuses == {"Deployment/shop/web": "drifted", "Widget/default/w": "ok", "compose.yaml": "violations",
                        "ConfigMap/shop/api-config": "drifted", "Deployment/shop/api": "violations",
                        "Service/shop/api": "drifted"}
    clean, _ = _render("html", [])
    assert "ok: no findings (exit 0)" in clean and 'id="drift"' not in clean


def test_every_value_is_escaped() -> None:
    evil = "<script>alert(1)</script>"
    page, _ = _render("html", [
        Finding("drift.changed", Severity.HIGH, evil, f"ConfigMap/x/{evil}", f"/data/{evil}", evil, 1,
                desired=evil, live=f"a\n{evil}\n", environment=evil),
        Finding("policy.x", Severity.HIGH, evil, evil, evil, evil, 2),
    ], previous=((FINDINGS[0].fingerprint, "x", evil, evil, evil),), history=((evil, 1, 2),))
    assert page.count("<script") == 1 and evil not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'alert(1)"' not in page.replace("&quot;", "")


def test_write_keeps_compact_rows_not_findings() -> None:
    reporter = make_reporter("html", io.StringIO(), RunInfo("drift"))
    for finding in FINDINGS:
        reporter.write(finding)
    kept = [v for v in vars(reporter).values() if isinstance(v, (list, dict))]
    assert not any(isinstance(x, Finding) for v in kept for x in (v.values() if isinstance(v, dict) else v))


def test_cli_drift_never_shows_secret_values(trueup, tmp_path: Path) -> None:
    live = tmp_path / "live"
    shutil.copytree(NOISE / "live", live)
    secret = live / "config-and-secret.yaml"
    old = base64.b64encode(PASSWORD.encode()).decode()
    secret.write_text(secret.read_text().replace(old, base64.b64encode(NEW_PASSWORD.encode()).decode()))
    result = trueup("drift", "--desired", NOISE / "desired", "--live", live, "--format", "html", cwd=tmp_path)
    assert result.code == 1 and 'data-target="Secret/default/db"' in result.out
    for value in (PASSWORD, NEW_PASSWORD, "c2hvcA=="):
        assert value not in result.out + result.err
        assert base64.b64encode(value.encode()).decode() not in result.out + result.err


@pytest.fixture
def nightly(trueup, tmp_path: Path) -> dict:
    """The reference repository drifted, a previous report (one finding fewer, one fake more),
    two earlier runs, and the merged HTML report of it all."""
    for name in ("trueup.yaml", "templates", "values", "policy", "examples"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    assert trueup("drift", "--format", "json", "--output", "now.json", cwd=tmp_path).code == 1
    now = json.loads((tmp_path / "now.json").read_text())
    fake = {"rule": "drift.changed", "severity": "high", "message": "image differs live", "target": "Deployment/shop/gone",
            "path": "/spec/replicas", "file": "templates/k8s/gone.yaml.j2", "line": 3, "column": 3, "desired": 2,
            "live": 1, "waived": False, "environment": "prod"}
    (tmp_path / "prev.json").write_text(json.dumps({**now, "findings": now["findings"][1:] + [fake]}))
    schema = {**fake, "rule": "schema", "message": "expected integer, got string"}
    for name, drift, violations in (("h1.json", 2, 3), ("h2.json", 9, 1)):
        found = [fake] * drift + [schema] * violations
        by_rule = {"drift.changed": drift, "schema": violations}
        (tmp_path / name).write_text(json.dumps({**now, "findings": found, "summary": {**now["summary"], "by_rule": by_rule}}))
    result = trueup("report", "merge", "now.json", "--previous", "prev.json", "--history", "h1.json", "h2.json",
                    "now.json", "--format", "html", "--output", "report.html", cwd=tmp_path)
    assert result.code == 1, result.err
    return {"dir": tmp_path, "page": tmp_path / "report.html", "findings": [Finding.from_json(f) for f in now["findings"]],
            "fake": Finding.from_json(fake)}


def _check_report(dom: Node, nightly: dict) -> None:
    # staging has no live side: its note (drift.not-compared) is neither drift nor a violation.
    assert [f.environment for f in nightly["findings"] if f.rule == "drift.not-compared"] == ["staging"]
    findings = [f for f in nightly["findings"] if f.rule != "drift.not-compared"]
    assert [c.attrs["data-value"] for c in dom.all("pt-drift", "circle")] == ["2", "9", str(len(findings))]
    assert [c.attrs["data-value"] for c in dom.all("pt-violations", "circle")] == ["3", "1", "0"]
    assert [t.text for t in dom.all("xlabel")] == ["h1", "h2", "this run"]
    assert len(dom.all("series-drift", "polyline")[0].attrs["points"].split()) == 3
    objects = {(d.attrs["data-env"], d.attrs["data-target"]): d for d in dom.all("object", "details")}
    for key in {(f.environment, f.target) for f in findings}:
        rows = objects[key].all("diff-row")
        assert len(rows) == sum((f.environment, f.target) == key for f in findings) > 0
        assert all(r.all("live") and r.all("desired") or r.all("linediff") for r in rows)
    assert [li.attrs["data-fingerprint"] for li in dom.by_id("new").all("fp")] == [findings[0].fingerprint]
    assert findings[0].target in dom.by_id("new").text
    assert [li.attrs["data-fingerprint"] for li in dom.by_id("resolved").all("fp")] == [nightly["fake"].fingerprint]
    assert "Deployment/shop/gone" in dom.by_id("resolved").text


def test_cli_report_merge_previous_and_history(nightly: dict) -> None:
    page = nightly["page"].read_text("utf-8")
    _offline(page)
    _check_report(Dom(page).root, nightly)


def test_history_from_an_audit_log_and_options_not_for_sarif(trueup, nightly: dict) -> None:
    log = nightly["dir"] / "audit.jsonl"
    records = [("2025-01-01T03:00:00+00:00", "drift", {"drift.changed": 4}),
               ("2025-01-01T09:00:00+00:00", "validate", {"schema": 7}),
               ("2025-01-02T03:00:00+00:00", "drift", {"drift.changed": 1, "policy.x": 2})]
    log.write_text("".join(json.dumps({"seq": n, "time": t, "command": c, "counts": {"by_rule": r}}) + "\n"
                           for n, (t, c, r) in enumerate(records, 1)))
    result = trueup("report", "merge", "now.json", "--history", "audit.jsonl", "--format", "html", cwd=nightly["dir"])
    dom = Dom(result.out).root
    assert [t.text for t in dom.all("xlabel")] == ["2025-01-01 03:00", "2025-01-02 03:00", "this run"]
    assert [c.attrs["data-value"] for c in dom.all("pt-violations", "circle")] == ["0", "2", "0"]
    wrong = trueup("report", "merge", "now.json", "--previous", "prev.json", "--format", "sarif", cwd=nightly["dir"])
    assert wrong.code == 2 and "--previous and --history are for --format html, json or markdown" in wrong.err


def _browser() -> str:
    named = os.environ.get("TRUEUP_CHROMIUM")
    if named:  # .ci/run and the CI workflow name it: then there is no skipping
        assert shutil.which(named), f"TRUEUP_CHROMIUM={named} is not an executable"
        return named
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        message = "no Chromium: set TRUEUP_CHROMIUM or install chromium (Debian: apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def _chromium(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={profile}"]
    result = subprocess.run([browser, *flags, *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def _png_rows(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, the image's rows as stored: filter byte + pixels) of an 8-bit RGB(A) PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, color = struct.unpack(">IIBB", data[16:26])
    assert depth == 8 and color in (2, 6)
    chunks, at = [], 8
    while at < len(data):
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            chunks.append(data[at + 8:at + 8 + size])
        at += 12 + size
    raw, stride = zlib.decompress(b"".join(chunks)), 1 + width * (3 if color == 2 else 4)
    assert len(raw) == stride * height
    return width, height, [raw[i:i + stride] for i in range(0, len(raw), stride)]


def test_headless_chromium_renders_the_report(nightly: dict, tmp_path: Path) -> None:
    browser = _browser()
    url = nightly["page"].resolve().as_uri()
    png = tmp_path / "report.png"
    _chromium(browser, tmp_path / "profile", f"--screenshot={png}", "--window-size=1280,2000", url)
    print(f"screenshot: {png}")
    if os.environ.get("TRUEUP_SCREENSHOTS"):  # CI keeps it as an artifact, for a person to look at
        keep = Path(os.environ["TRUEUP_SCREENSHOTS"])
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(png, keep / "nightly-report.png")
    data = png.read_bytes()
    width, height, rows = _png_rows(data)
    assert (width, height) == (1280, 2000) and len(data) > 20_000
    # Not blank: a blank page is a few distinct rows and byte values; text, tables and a chart are many.
    assert len(set(rows)) > 300 and len(set(b"".join(rows))) > 128
    dom = Dom(_chromium(browser, tmp_path / "profile", "--dump-dom", url).stdout).root
    assert dom.all(tag="html")[0].attrs.get("data-ready") == "1"  # the inline script ran
    _check_report(dom, nightly)
    # A long object starts folded; a link to it opens it (inline script, on load).
    long = [Finding("drift.changed", Severity.HIGH, "differs", "ConfigMap/a/b", f"/data/k{i}", desired=i, live=-i)
            for i in range(20)]
    page = tmp_path / "long.html"
    with page.open("w", encoding="utf-8") as stream:
        reporter = make_reporter("html", stream, RunInfo("drift"))
        for finding in long:
            reporter.write(finding)
        reporter.finish(Summary(files=1, documents=1))
    folded = Dom(page.read_text("utf-8")).root.all("object", "details")[0]
    assert "open" not in folded.attrs
    opened = Dom(_chromium(browser, tmp_path / "profile", "--dump-dom", f"{page.as_uri()}#{folded.attrs['id']}").stdout)
    assert "open" in opened.root.by_id(folded.attrs["id"]).attrs


def test_chart_labels_fit_left_of_the_first_point(tmp_path: Path) -> None:
    """A rotated label ends at its point: the first one must not run off the chart's left edge
    (11px text, about 0.62em a character, at 30 degrees). Reports are labelled by their file's
    stem, and the nightly workflow's UTC stamps read as dates."""
    report = {"tool": "trueup", "findings": [], "summary": {"by_rule": {}}}
    for name in ("2026-11-20T031700Z.json", "a-rather-long-report-name.json"):
        (tmp_path / name).write_text(json.dumps(report))
    history = history_points([tmp_path / "2026-11-20T031700Z.json", tmp_path / "a-rather-long-report-name.json"])
    assert history == (("2026-11-20 03:17", 0, 0), ("a-rather-long-report-name", 0, 0))
    for points in (history, history[::-1], (("x" * 40, 1, 1),)):
        page, _ = _render("html", FINDINGS, history=points)
        labels = Dom(page).root.all("xlabel")
        assert [t.text for t in labels] == [p[0][:28] for p in points] + ["this run"]
        for label in labels:
            x = float(re.search(r"translate\(([\d.]+),", label.attrs["transform"]).group(1))
            assert x - len(label.text) * 11 * 0.62 * 0.866 >= 0, (label.text, x)


def test_severity_figures_leave_waived_findings_to_the_waived_figure() -> None:
    page, summary = _render("html", FINDINGS)  # one waived low finding
    figures = {f.attrs["data-key"]: int(f.all(tag="span")[0].text) for f in Dom(page).root.all("figure")}
    assert summary.by_severity["low"] == 1
    assert (figures["low"], figures["high"], figures["medium"], figures["waived"]) == (0, 5, 1, 1)


def test_ci_names_the_browser_so_its_test_cannot_skip() -> None:
    script = (REPO / ".ci" / "run").read_text("utf-8")
    assert "export TRUEUP_CHROMIUM" in script and "apt-get install -y -qq chromium" in script


def test_status_by_environment_includes_the_clean_ones() -> None:
    stream = io.StringIO()
    reporter = make_reporter("html", stream, RunInfo("drift", ("dev", "prod", "staging")))
    summary = Summary(files=3, documents=5)
    for finding in FINDINGS:
        summary.add(finding)
        reporter.write(finding)
    reporter.finish(summary)
    rows = Dom(stream.getvalue()).root.by_id("environments").all("env-row")
    table = {r.all(tag="td")[0].text: (r.attrs["data-status"], *(int(td.text) for td in r.all(tag="td")[2:])) for r in rows}
    # FINDINGS: prod has 2 drifted objects (3 differences) and a schema error; the rest have no environment.
    assert table == {"dev": ("ok", 0, 0, 0, 0), "prod": ("violations", 2, 3, 1, 0), "staging": ("ok", 0, 0, 0, 0),
                     "—": ("violations", 1, 1, 1, 1)}


def test_chart_counts_what_the_figures_count_not_waived_or_ignored(tmp_path: Path) -> None:
    """Drift and violations on the chart are the unwaived findings, as the figures and status tables
    count them; a waived finding or an ignored difference is neither."""
    def f(rule: str, waived: bool = False) -> dict:
        return {"rule": rule, "severity": "high", "message": "m", "target": "t", "path": "", "file": "f",
                "line": 1, "column": 1, "desired": None, "live": None, "waived": waived}

    found = [f("drift.changed"), f("drift.changed", True), f("drift.ignored"), f("schema"), f("schema", True)]
    by_rule = {"drift.changed": 2, "drift.ignored": 1, "schema": 2}
    (tmp_path / "r1.json").write_text(json.dumps({"tool": "trueup", "findings": found, "summary": {"by_rule": by_rule}}))
    log = tmp_path / "audit.jsonl"
    log.write_text(json.dumps({"seq": 1, "time": "2026-11-20T03:00:00+00:00", "command": "drift", "counts": {"by_rule": by_rule},
                               "findings": [{k: x[k] for k in ("rule", "target", "path", "waived")} for x in found]}) + "\n")
    assert history_points([tmp_path / "r1.json", log]) == (("r1", 1, 1), ("2026-11-20 03:00", 1, 1))
    page, _ = _render("html", FINDINGS, history=(("r1", 1, 1),))  # FINDINGS: 4 drift, 2 violations, 1 waived
    dom = Dom(page).root
    assert [c.attrs["data-value"] for c in dom.all("pt-drift", "circle")] == ["1", "4"]
    assert [c.attrs["data-value"] for c in dom.all("pt-violations", "circle")] == ["1", "2"]


def test_json_and_markdown_say_what_is_new_and_resolved_and_the_trend(trueup, nightly: dict, valid_report) -> None:
    """The same --previous and --history as the HTML page: the tracking issue (Markdown) and scripts (JSON)."""
    args = ("report", "merge", "now.json", "--previous", "prev.json", "--history", "h1.json", "h2.json", "now.json")
    report = valid_report(trueup(*args, "--format", "json", cwd=nightly["dir"]).out)
    first = nightly["findings"][0]
    assert [f["new"] for f in report["findings"]] == [True] + [False] * (len(report["findings"]) - 1)
    assert report["findings"][0]["rule"] == first.rule and report["findings"][0]["path"] == first.path
    assert [(r["rule"], r["target"], r["path"], r["environment"]) for r in report["resolved"]] == [
        ("drift.changed", "Deployment/shop/gone", "/spec/replicas", "prod")]
    assert report["history"] == [{"label": "h1", "drift": 2, "violations": 3}, {"label": "h2", "drift": 9, "violations": 1}]
    markdown = trueup(*args, "--format", "markdown", cwd=nightly["dir"]).out
    assert "### Since the previous report: 1 new, 1 resolved\n\n**New**\n\n- " in markdown
    assert "**Resolved**\n\n- `drift.changed` `Deployment/shop/gone` (prod) at `/spec/replicas`\n" in markdown
    drift = sum(1 for f in nightly["findings"] if f.rule != "drift.not-compared")
    assert (f"### Trend (last 3 runs)\n\n| run | drift | violations |\n| --- | ---: | ---: |\n| h1 | 2 | 3 |\n"
            f"| h2 | 9 | 1 |\n| this run | {drift} | 0 |\n") in markdown
    plain = trueup("report", "merge", "now.json", "--format", "json", cwd=nightly["dir"]).out
    assert '"new"' not in plain and '"resolved"' not in plain and '"history"' not in plain


def test_the_chart_draws_each_environments_drift(trueup, nightly: dict) -> None:
    """With runs of more than one environment, a line of drift per environment: the earlier reports'
    findings say their environment (all prod here), this run has prod and dev."""
    dom = Dom(nightly["page"].read_text()).root
    lines = {p.attrs["data-env"]: p for p in dom.all("series-env", "polyline")}
    assert sorted(lines) == ["dev", "prod"]
    values = {env: [c.attrs["data-value"] for c in dom.all("pt-env", "circle") if c.attrs["data-env"] == env]
              for env in lines}
    now = Counter(f.environment for f in nightly["findings"] if f.rule == "drift.changed")
    assert values == {"prod": ["2", "9", str(now["prod"])], "dev": ["0", "0", str(now["dev"])]}
