"""The real-world corpus in ../shared: no crash, and no file PyYAML parses is refused.

The corpus (third-party compose files, manifests and config files, unmodified) sits
beside the repository on development machines and in CI; elsewhere this is skipped.
"""
from __future__ import annotations

import json
from collections import Counter

import pytest

from conftest import REPO

CORPUS = REPO.parent / "shared" / "corpus"

pytestmark = pytest.mark.skipif(not (CORPUS / "manifest.json").is_file(), reason="shared corpus not present")


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    """One run over the corpus with no trueup.yaml in reach, as scripts/corpus_findings.py runs it."""
    import io
    import os

    from trueup.cli import main

    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("no-config"))
    try:
        code = main(["validate", "--format", "json", str(CORPUS)], stdout=out, stderr=err)
    finally:
        os.chdir(previous)
    return code, json.loads(out.getvalue()), err.getvalue()


def test_corpus_run_finishes_with_a_report(corpus_run, valid_report) -> None:
    code, report, err = corpus_run
    assert err == ""
    valid_report(json.dumps(report))
    manifest = json.loads((CORPUS / "manifest.json").read_text())["files"]
    from trueup.load import WALKED_FORMATS, WALKED_SUFFIXES, detect_format

    walked = sum(1 for f in manifest
                 if detect_format(f["path"]) in WALKED_FORMATS or f["path"].lower().endswith(WALKED_SUFFIXES))
    assert sum(1 for f in manifest if f["path"].endswith(".ini")) == 2
    assert report["summary"]["files"] == walked + 1  # manifest.json itself
    assert code in (1, 2)


def test_every_refusal_is_a_file_pyyaml_refuses_too(corpus_run) -> None:
    _, report, _ = corpus_run
    manifest = {f["path"]: f for f in json.loads((CORPUS / "manifest.json").read_text())["files"]}
    refused = {f["file"].split("corpus/", 1)[1]: f["message"] for f in report["findings"] if f["rule"] == "input.parse"}
    for path, message in refused.items():
        entry = manifest[path]
        parses = entry.get("native_parses") if entry["format"] in ("json", "toml", "ini") else entry["yaml_safe_load_all"]
        if path.endswith(".env"):
            parses = False
        assert parses is False, f"{path}: {message}"
    assert len(refused) <= 25


def test_duplicate_keys_in_the_corpus_are_findings(corpus_run) -> None:
    _, report, _ = corpus_run
    manifest = {f["path"]: f for f in json.loads((CORPUS / "manifest.json").read_text())["files"]}
    flagged = {f["file"].split("corpus/", 1)[1] for f in report["findings"] if f["rule"] == "input.duplicate-key"}
    expected = {p for p, f in manifest.items() if "duplicate_key" in f.get("features", []) and f["yaml_safe_load_all"]}
    assert expected and expected <= flagged
    counts = Counter(f["rule"] for f in report["findings"])
    assert counts["schema"] > 0


def test_corpus_findings_page_is_current(corpus_run) -> None:
    """docs/corpus-findings.md lists the counts this very run produces."""
    _, report, _ = corpus_run
    page = (REPO / "docs" / "corpus-findings.md").read_text()
    rows = dict(
        (line.split("|")[1].strip(), int(line.split("|")[2]))
        for line in page.splitlines() if line.startswith("| ") and line.split("|")[2].strip().isdigit()
    )
    assert rows == report["summary"]["by_rule"], "regenerate: python scripts/corpus_findings.py ../shared/corpus --write docs/corpus-findings.md"


def test_no_template_is_read_as_broken_data(corpus_run) -> None:
    """Every corpus file with Go-template braces that does not parse is a template note, never
    input.parse; every input.parse file is one no parser of its format reads either."""
    _, report, _ = corpus_run
    manifest = {f["path"]: f for f in json.loads((CORPUS / "manifest.json").read_text())["files"]}

    def files(rule: str) -> set[str]:
        return {f["file"].split("corpus/", 1)[1] for f in report["findings"] if f["rule"] == rule}

    templates, parse = files("input.template"), files("input.parse")
    braces = {p for p, f in manifest.items() if "go_template_braces" in f.get("features", []) and not f["yaml_safe_load_all"]}
    assert braces and braces <= templates
    assert not parse & braces
    assert all(not manifest[p]["yaml_safe_load_all"] for p in parse if manifest[p]["format"] in ("yaml", "json"))
    assert all(f["severity"] == "high" for f in report["findings"] if f["rule"] == "input.parse")
