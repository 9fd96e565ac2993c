"""jsonschema-rs's quick answer agrees with python-jsonschema's on every Kubernetes and compose
document of the shared real-world corpus and of the fixtures: the fast path may skip the
detailed one only where the detailed one would have found nothing."""
from __future__ import annotations

from pathlib import Path
import pytest

from conftest import EXAMPLES, REPO, documents_under
from trueup.validate import SchemaValidator
from trueup.validate.compose import compose_quick, compose_validator
from trueup.validate.fast import quick_validator

CORPUS = REPO.parent / "shared" / "corpus"
pytest.importorskip("jsonschema_rs")


def _roots() -> list[Path]:
    roots = [EXAMPLES]
    if (CORPUS / "manifest.json").is_file():
        roots.append(CORPUS)
    return roots


@pytest.mark.parametrize("root", _roots(), ids=lambda p: p.name)
def test_fast_and_detailed_validators_agree_on_every_document(root: Path) -> None:
    schemas = SchemaValidator(REPO).kubernetes()
    compared = {"kubernetes": 0, "compose": 0}
    invalid = 0
    for doc in documents_under(root):
        if doc.kind == "kubernetes":
            detailed = schemas.validator(doc.data["apiVersion"], doc.data["kind"])
            quick = schemas.quick(doc.data["apiVersion"], doc.data["kind"])
        elif doc.kind == "compose" and isinstance(doc.data, dict):
            detailed, quick = compose_validator(), compose_quick()
        else:
            continue
        if detailed is None:
            continue
        assert quick is not None, f"{doc.source.file}: no fast check for a schema the detailed path has"
        try:
            expected = not any(True for _ in detailed.iter_errors(doc.data))
        except RecursionError:
            continue
        assert quick(doc.data) == expected, f"{doc.source.file} document {doc.index}: fast {not expected}, detailed {expected}"
        compared[doc.kind] += 1
        invalid += not expected
    assert compared["kubernetes"] > (1000 if root == CORPUS else 5)
    assert compared["compose"] > (200 if root == CORPUS else 2)
    assert invalid > 0, "the comparison must include invalid documents too"


def test_values_the_fast_path_cannot_take_go_to_the_detailed_one() -> None:
    quick = quick_validator({"type": "object", "properties": {"n": {"type": "integer", "maximum": 5}}})
    assert quick is not None
    assert quick({"n": 3}) is True
    assert quick({"n": 2**200}) is False  # too big for jsonschema-rs, or invalid: either way not "valid"
    assert quick({"n": 6}) is False


def test_switched_off_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUEUP_FAST_VALIDATION", "0")
    assert quick_validator({"type": "string"}) is None


def test_reports_are_the_same_with_and_without_the_fast_path(trueup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roots = [EXAMPLES / "validate"] + ([CORPUS / "k8s" / "kubernetes-examples", CORPUS / "compose" / "awesome-compose"]
                                       if (CORPUS / "manifest.json").is_file() else [])
    fast = trueup("validate", "--no-cache", "--format", "json", *roots, cwd=tmp_path)
    monkeypatch.setenv("TRUEUP_FAST_VALIDATION", "0")
    slow = trueup("validate", "--no-cache", "--format", "json", *roots, cwd=tmp_path)
    assert fast.code == slow.code
    assert fast.out == slow.out
    assert '"rule": "schema"' in fast.out
