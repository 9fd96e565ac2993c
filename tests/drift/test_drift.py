"""drift (the package's __init__): drift() findings, IgnoreRule, Context options, Delta collection, Secret payloads, masking."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from strategies import CONFIG_VALUES
from trueup.drift import SEVERITY, Context, Delta, IgnoreRule, Side, drift
from trueup.drift.compare import Difference
from trueup.load import load_path
from trueup.mask import MASK
from trueup.model import Finding, Severity

from .conftest import drift_of, side


def cm(name: str, **extra: Any) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, **extra}


def secret(**extra: Any) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, **extra}


def summary(findings: list[Finding]) -> list[tuple]:
    return [(f.rule, f.target, f.path, f.desired, f.live) for f in findings]


def run(desired: list[Side], live: list[Side], **context: Any) -> tuple[list[Finding], Context]:
    ctx = Context(**context)
    return list(drift(desired, live, ctx)), ctx


# ------------------------------------------------------------------ findings


def test_object_findings_carry_rule_message_place_and_values() -> None:
    found = drift_of([cm("a", data={"k": "1"}), cm("gone")], [cm("a", data={"k": "2", "x": "y"}), cm("new")])
    assert [(f.rule, f.severity, f.message, f.target, f.path, f.file, f.line, f.column, f.desired, f.live,
             f.live_file, f.live_line) for f in found] == [
        ("drift.changed", Severity.HIGH, "k differs live", "ConfigMap/default/a", "/data/k", "desired/obj.yaml", 9, 3,
         "1", "2", "live/obj.yaml", 9),
        ("drift.extra", Severity.HIGH, "x is set live but not in desired state", "ConfigMap/default/a", "/data/x",
         "live/obj.yaml", 10, 3, None, "y", "live/obj.yaml", 10),
        ("drift.missing", Severity.HIGH, "object is missing live", "ConfigMap/default/gone", "", "desired/obj.yaml", 13,
         1, None, None, None, None),
        ("drift.extra", Severity.HIGH, "object exists live but not in desired state", "ConfigMap/default/new", "",
         "live/obj.yaml", 14, 1, None, None, "live/obj.yaml", 14),
    ]
    assert SEVERITY is Severity.HIGH


@pytest.mark.parametrize(
    ("desired", "live", "expected"),
    [
        ({"a": [1, 2]}, {"a": [1, 3]}, [("drift.changed", "a[1] differs live", "/a/1")]),
        ({"a": {"b": 1}}, {"a": {}}, [("drift.missing", "b is missing live", "/a/b")]),
        ({}, {"c": 1}, [("drift.extra", "c is set live but not in desired state", "/c")]),
        ({"a": 1}, [1], [("drift.changed", "document differs live", "")]),
        ([{"a": 1}, {"b": 1}], [{"a": 1}], [("drift.missing", "document is missing live", "")]),
        ([{"a": 1}], [{"a": 1}, {"b": 1}], [("drift.extra", "document exists live but not in desired state", "")]),
        ({"x": None}, {"x": None}, []),
    ],
    ids=["list-item", "nested-missing", "extra-key", "whole-document", "second-document-missing",
         "second-document-extra", "equal"],
)
def test_config_file_findings(desired: Any, live: Any, expected: list) -> None:
    found = drift_of(desired, live, "app.yaml")
    assert [(f.rule, f.message, f.path) for f in found] == expected


def test_the_environment_is_on_every_finding() -> None:
    found = drift_of({"a": 1}, {"a": 2, "b": 1}, "app.yaml", environment="prod")
    assert [(f.rule, f.environment) for f in found] == [("drift.changed", "prod"), ("drift.extra", "prod")]


def test_an_unset_namespace_is_the_contexts() -> None:
    desired = [side(cm("a", data={"k": "1"}), "d/a.yaml", "a.yaml")]
    live = [side({**cm("a", data={"k": "2"}), "metadata": {"name": "a", "namespace": "prod"}}, "l/a.yaml", "a.yaml")]
    found, _ = run(desired, live, namespace="prod")
    assert summary(found) == [("drift.changed", "ConfigMap/prod/a", "/data/k", "1", "2")]
    found, _ = run(desired, live)
    assert [(f.rule, f.target) for f in found] == [("drift.missing", "ConfigMap/default/a"),
                                                   ("drift.extra", "ConfigMap/prod/a")]


# ------------------------------------------------------------------ files


def test_whole_files_missing_and_extra() -> None:
    found, _ = run([side({"a": 1}, "d/new.json", "new.json")], [side({"b": 1}, "l/old.json", "old.json")])
    assert [(f.rule, f.message, f.target, f.path, f.file, f.line, f.column, f.live_file, f.live_line) for f in found] == [
        ("drift.missing", "file is missing live", "d/new.json", "", "d/new.json", 1, 1, None, None),
        ("drift.extra", "file exists live but not in desired state", "l/old.json", "", "l/old.json", 1, 1,
         "l/old.json", 1),
    ]


def test_unreadable_files_are_neither_missing_nor_extra() -> None:
    desired = [side({"a": 1}, "d/bad.json", "bad.json"), side(cm("x"), "d/x.yaml", "x.yaml")]
    live = [side(cm("y"), "l/y.yaml", "y.yaml")]
    found, _ = run(desired, live, unreadable=frozenset({"bad.json", "x.yaml", "y.yaml"}))
    assert found == []


def test_creations_list_what_patches_would_create_and_delete() -> None:
    desired = [side({"a": 1}, "d/new.json", "new.json"), side(cm("gone"), "d/g.yaml", "g.yaml")]
    live = [side({"b": 1}, "l/old.json", "old.json"), side(cm("extra"), "l/e.yaml", "e.yaml")]
    _, ctx = run(desired, live, creations=[], live_root="live", namespace="ns")
    assert [(what, doc.source.file, where) for what, doc, where in ctx.creations or []] == [
        ("object", "d/g.yaml", "ns"), ("delete-object", "l/e.yaml", "ns"),
        ("file", "d/new.json", "live/new.json"), ("delete-file", "l/old.json", None)]


def test_without_a_live_root_no_file_creation_is_listed() -> None:
    _, ctx = run([side({"a": 1}, "d/new.json", "new.json")], [], creations=[])
    assert ctx.creations == []


def test_a_compose_files_dotenv_and_env_files_are_not_missing_live(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "compose.yaml").write_text("services:\n  web:\n    image: x\n    env_file: web.env\n")
    (tmp_path / "d" / ".env").write_text("A=1\n")
    (tmp_path / "d" / "web.env").write_text("B=2\n")
    (tmp_path / "d" / "other.env").write_text("C=3\n")

    def load(name: str, fmt: str | None = None) -> Side:
        loaded = load_path(tmp_path / "d" / name, file=f"d/{name}", name=name, fmt=fmt)
        for doc in loaded.documents:
            doc.source.root = tmp_path / "d"
        return Side(name, loaded.documents)

    compose = load("compose.yaml")
    live = Side("compose.yaml", side({"services": {"web": {"image": "x", "environment": {"B": "2"}}}},
                                     "l/compose.yaml").documents)
    found, _ = run([compose, load(".env", "dotenv"), load("web.env", "dotenv"), load("other.env", "dotenv")], [live])
    assert [(f.rule, f.target) for f in found] == [("drift.missing", "other.env")]


# ------------------------------------------------------------------ ignoring


@pytest.mark.parametrize(
    ("rule", "doc", "pointer", "expected"),
    [
        (IgnoreRule(("/spec/replicas",), "r"), cm("a"), "/spec/replicas", True),
        (IgnoreRule(("spec/replicas",), "r"), cm("a"), "/spec/replicas", True),
        (IgnoreRule(("/spec/*",), "r"), cm("a"), "/spec/replicas", True),
        (IgnoreRule(("/spec/*",), "r"), cm("a"), "/spec/template/x", False),
        (IgnoreRule(("/spec/**",), "r"), cm("a"), "/spec/template/x", True),
        (IgnoreRule(("/a", "/b"), "r"), cm("a"), "/b", True),
        (IgnoreRule(("/spec/replicas",), "r", kinds=("Deployment",)), cm("a"), "/spec/replicas", False),
        (IgnoreRule(("/spec/replicas",), "r", kinds=("ConfigMap",)), cm("a"), "/spec/replicas", True),
        (IgnoreRule(("/spec/replicas",), "r", names=("b",)), cm("a"), "/spec/replicas", False),
        (IgnoreRule(("/spec/replicas",), "r", names=("a",)), cm("a"), "/spec/replicas", True),
        (IgnoreRule(("/x",), "r", kinds=("ConfigMap",)), None, "/x", False),
        (IgnoreRule(("/x",), "r"), None, "/x", True),
        (IgnoreRule((), "r"), cm("a"), "/x", False),
        (IgnoreRule(("/data/k",), "r", names=("a",)), {**cm("a"), "metadata": "oops"}, "/data/k", False),
        (IgnoreRule(("/data/k",), "r", names=("a",)), {**cm("a"), "metadata": ["a"]}, "/data/k", False),
        (IgnoreRule(("/data/k",), "r"), {**cm("a"), "metadata": "oops"}, "/data/k", True),
        (IgnoreRule(("/data/k",), "r", names=("a",)), {**cm("a"), "metadata": {"name": ["a"]}}, "/data/k", False),
    ],
    ids=["exact", "leading-slash-optional", "star-one-segment", "star-not-across", "double-star", "any-path",
         "other-kind", "its-kind", "other-name", "its-name", "no-document-with-kinds", "no-document", "no-paths",
         "metadata-a-string-has-no-name", "metadata-a-list-has-no-name", "metadata-a-string-without-names",
         "name-a-list"],
)
def test_ignore_rule_applies(rule: IgnoreRule, doc: Any, pointer: str, expected: bool) -> None:
    document = side(doc).documents[0] if doc is not None else None
    assert rule.applies(document, pointer) is expected


def deployment(replicas: int, **meta: Any) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w", **meta},
            "spec": {"replicas": replicas}}


def test_ignored_differences_are_dropped_or_shown_as_info_with_verbose() -> None:
    rule = IgnoreRule(("/spec/replicas",), "HPA owns it", kinds=("Deployment",))
    live = deployment(5, annotations={"deployment.kubernetes.io/revision": "2"})
    quiet, ctx = run([side(deployment(2), "d.yaml")], [side(live, "l.yaml")], ignore=[rule], changes=[])
    assert quiet == [] and ctx.changes == []
    loud, _ = run([side(deployment(2), "d.yaml")], [side(live, "l.yaml")], ignore=[rule], verbose=True)
    assert [(f.rule, f.severity, f.message, f.path) for f in loud] == [
        ("drift.ignored", Severity.INFO,
         "deployment.kubernetes.io/revision is set live but not in desired state (ignored: written by deployment controller)",
         "/metadata/annotations/deployment.kubernetes.io~1revision"),
        ("drift.ignored", Severity.INFO, "replicas differs live (ignored: HPA owns it)", "/spec/replicas"),
    ]


def test_noted_compose_differences_are_shown_only_with_verbose() -> None:
    desired = {"services": {"web": {"image": "x:${TAG}"}}}
    live = {"services": {"web": {"image": "x:1"}}}
    assert drift_of(desired, live, "compose.yaml") == []
    found = drift_of(desired, live, "compose.yaml", verbose=True)
    assert [(f.rule, f.severity, f.message, f.path, f.desired, f.live) for f in found] == [
        ("drift.ignored", Severity.INFO, "image compared as interpolated: TAG is not set in the project's .env",
         "/services/web/image", "x:${TAG}", "x:1")]


# ------------------------------------------------------------------ deltas for patches


def test_changes_collect_a_delta_per_reported_difference() -> None:
    d, l = side(cm("a", data={"k": "1"}), "d.yaml"), side(cm("a", data={"k": "2"}), "l.yaml")
    _, ctx = run([d], [l], changes=[], namespace="ns")
    assert ctx.changes == [Delta(Difference("changed", "/data/k", "/data/k", "1", "2"), d.documents[0], l.documents[0],
                                 "/data/k", "/data/k", None, "ns")]


def test_compose_deltas_point_into_the_files_and_carry_both_canonical_forms() -> None:
    d = side({"services": {"web": {"ports": ["8080:80"], "environment": ["A=1"]}}}, "d/compose.yaml", "compose.yaml")
    l = side({"services": {"web": {"ports": ["8080:80"], "environment": ["A=2"]}}}, "l/compose.yaml", "compose.yaml")
    found, ctx = run([d], [l], changes=[])
    assert [(f.rule, f.path, f.desired, f.live) for f in found] == [
        ("drift.changed", "/services/web/environment/0", "1", "2")]
    (delta,) = ctx.changes or []
    assert (delta.desired_path, delta.live_path, delta.difference.desired_path) == (
        "/services/web/environment/0", "/services/web/environment/0", "/services/web/environment/A")
    assert delta.canon is not None
    assert [c.data["services"]["web"]["environment"] for c in delta.canon] == [{"A": "1"}, {"A": "2"}]


# ------------------------------------------------------------------ Secrets and masking


@pytest.mark.parametrize(
    ("desired", "live", "expected"),
    [
        ({"stringData": {"password": "hunter2"}}, {"data": {"password": "aHVudGVyMg=="}}, []),
        ({"data": {"k": "YQ=="}}, {"data": {"k": "YQ=="}}, []),
        ({"stringData": {"password": "hunter2"}}, {"data": {"password": "aHVudGVyMw=="}},
         [("drift.changed", "/stringData/password", MASK, MASK)]),
        ({"data": {"b": "Yg=="}}, {"data": {"b": "Yw==", "c": "eA=="}},
         [("drift.changed", "/data/b", MASK, MASK), ("drift.extra", "/data/c", None, MASK)]),
        ({"data": {"b": "Yg=="}}, {}, [("drift.missing", "/data/b", MASK, None)]),
        ({"data": {"raw": "not base64!"}}, {"stringData": {"raw": "not base64!"}}, []),
        ({"stringData": "oops"}, {"stringData": "oops"}, []),
        ({"data": ["a"]}, {"data": ["a"]}, []),
        ({"data": ["a"]}, {"data": ["b"]}, [("drift.changed", "/data", MASK, MASK)]),
        ({"data": 5}, {}, [("drift.missing", "/data", MASK, None)]),
        ({}, {"stringData": None, "data": {"k": "YQ=="}}, [("drift.extra", "/data/k", None, MASK)]),
        ({"data": {1: "YQ==", "k": {"a": 1}}}, {"data": {"1": "YQ==", "k": {"a": 1}}}, []),
    ],
    ids=["string-data-is-data", "equal-data", "changed-value", "changed-and-extra", "missing", "invalid-base64-as-text",
         "string-data-a-string", "data-a-list", "data-lists-differ", "data-an-int-missing", "null-string-data",
         "odd-keys-and-values"],
)
def test_secret_payloads_compare_as_bytes_and_are_masked(desired: dict, live: dict, expected: list) -> None:
    found = drift_of(secret(**desired), secret(**live))
    assert [(f.rule, f.path, f.desired, f.live) for f in found] == expected


def test_a_secret_value_is_masked_wherever_it_appears() -> None:
    desired = [secret(stringData={"token": "s3cr3t-token-value"}), cm("c", data={"url": "https://x?t=s3cr3t-token-value"})]
    live = [secret(stringData={"token": "s3cr3t-token-value"}), cm("c", data={"url": "https://y"})]
    found = drift_of(desired, live)
    # any string holding a known secret is a secret, whole
    assert [(f.path, f.desired, f.live) for f in found] == [("/data/url", MASK, "https://y")]


def test_a_secret_key_is_masked_on_both_sides() -> None:
    found = drift_of({"db": {"password": "old-value-1"}}, {"db": {"password": "new-value-2"}}, "app.yaml")
    assert [(f.path, f.desired, f.live) for f in found] == [("/db/password", MASK, MASK)]


def test_secrets_given_by_other_shards_are_masked() -> None:
    found = drift_of(cm("c", data={"u": "x-shared-secret-42"}), cm("c", data={"u": "y"}), secrets=("x-shared-secret-42",))
    assert [(f.path, f.desired, f.live) for f in found] == [("/data/u", MASK, "y")]


# ------------------------------------------------------------------ invariant


@settings(max_examples=80, deadline=None, database=None)
@given(CONFIG_VALUES)
def test_a_config_file_against_itself_has_no_findings(value: Any) -> None:
    assert drift_of(value, value, "app.yaml") == []
