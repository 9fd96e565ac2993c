"""policy/rules.py: rules read from pack data, which documents they apply to, and the findings they give."""
from __future__ import annotations

import textwrap
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.load import load_text
from trueup.model import Document, Severity, Source
from trueup.policy.rules import Rule, rule_from_data
from trueup.policy.select import POD_SPEC


def _rule(**overrides: Any) -> Rule:
    raw: dict[str, Any] = {
        "id": "T-IMAGE", "title": "Images are set", "severity": "medium", "description": " d \n",
        "remediation": "\n r ", "match": {"kind": "kubernetes"}, "select": "{containers}",
        "assert": {"required": ["image"]},
    }
    raw.update(overrides)
    return rule_from_data(raw, "testpack", "checks/test.yaml")


def _docs(text: str, name: str = "f.yaml", variables: dict[str, str] | None = None) -> list[Document]:
    docs = load_text(textwrap.dedent(text).lstrip("\n"), file=name, name=name, fmt="yaml").documents
    for doc in docs:
        doc.variables = variables
    return docs


def _found(rule: Rule, text: str, **kw: Any) -> list[tuple[int | None, str, str, Any]]:
    out = []
    for doc in _docs(text, **kw):
        for finding in rule.check(doc):
            assert (finding.rule, finding.severity, finding.file) == (rule.id, rule.severity, kw.get("name", "f.yaml"))
            out.append((finding.line, finding.path, finding.message, finding.desired))
    return out


def _doc(data: Any, kind: str = "kubernetes", name: str = "k8s/app.yaml") -> Document:
    return Document(data=data, source=Source(file=name, name=name, text="", format="yaml"), kind=kind)


# --- rule_from_data -------------------------------------------------------------------------------


def test_rule_from_data_reads_every_field() -> None:
    rule = rule_from_data({
        "id": "T-1", "title": "t", "severity": "warning", "description": "  d\n", "remediation": " r\n",
        "match": {"kind": ["kubernetes", "config"], "kinds": ["@workloads", "Deployment", "Service"],
                  "apiVersions": "v1", "files": "prod/**", "not_files": ["tmp/*", "x/*"], "not_objects": "Pod/dbg"},
        "select": ["{pod}", "/spec"], "assert": {"type": "object"}, "message": {"absent": "a", "present": "p"},
        "fix": [{"op": "add"}], "fold": "capabilities", "peers": {"polaris": "one", "checkov": ["A", "B"]},
        "profile": "strict",
    }, "mypack", "packs/mine.yaml")
    assert (rule.id, rule.title, rule.severity, rule.description, rule.remediation, rule.pack, rule.source) == (
        "T-1", "t", Severity.MEDIUM, "d", "r", "mypack", "packs/mine.yaml")
    assert rule.kinds == ("kubernetes", "config")
    assert rule.object_kinds == (*POD_SPEC, "Service")  # Deployment once, where @workloads put it
    assert (rule.api_versions, rule.files, rule.not_files, rule.not_objects) == (("v1",), ("prod/**",),
                                                                               ("tmp/*", "x/*"), ("Pod/dbg",))
    assert (rule.selects, rule.schema, rule.message, rule.fix, rule.fold) == (
        ("{pod}", "/spec"), {"type": "object"}, {"absent": "a", "present": "p"}, ({"op": "add"},), ("capabilities",))
    assert (rule.peers, rule.profile, rule.namespaced) == ({"polaris": ("one",), "checkov": ("A", "B")}, "strict", False)


@pytest.mark.parametrize(
    ("match", "kinds", "object_kinds", "namespaced"),
    [
        pytest.param({"kind": "any"}, (), (), False, id="any"),
        pytest.param({"kind": "compose"}, ("compose",), (), False, id="one-file-kind"),
        pytest.param({"kind": "kubernetes", "kinds": "Service"}, ("kubernetes",), ("Service",), False,
                     id="kinds-as-a-string"),
        pytest.param({"kind": "kubernetes", "kinds": ["@namespaced"]}, ("kubernetes",), (), True, id="namespaced"),
        pytest.param({"kind": "kubernetes", "kinds": ["@namespaced", "Namespace"]}, ("kubernetes",), ("Namespace",),
                     True, id="namespaced-plus-a-cluster-kind"),
    ],
)
def test_rule_from_data_match(match: dict[str, Any], kinds: tuple, object_kinds: tuple, namespaced: bool) -> None:
    rule = _rule(match=match)
    assert (rule.kinds, rule.object_kinds, rule.namespaced) == (kinds, object_kinds, namespaced)


def test_rule_from_data_defaults() -> None:
    rule = _rule()
    assert (rule.message, rule.fix, rule.fold, rule.peers, rule.profile, rule.api_versions, rule.files) == (
        None, (), (), {}, "standard", (), ())


def test_rule_from_data_refuses_an_unknown_severity() -> None:
    with pytest.raises(Exception) as raised:
        _rule(severity="urgent")
    assert "urgent" in str(raised.value)


# --- applies --------------------------------------------------------------------------------------

DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}


@pytest.mark.parametrize(
    ("match", "doc", "expected"),
    [
        pytest.param({"kind": "kubernetes"}, _doc(DEPLOYMENT), True, id="file-kind-matches"),
        pytest.param({"kind": "compose"}, _doc(DEPLOYMENT), False, id="file-kind-differs"),
        pytest.param({"kind": "any"}, _doc(["a"], kind="config"), True, id="any-file-list-data"),
        pytest.param({"kind": "kubernetes", "kinds": ["@workloads"]}, _doc(DEPLOYMENT), True, id="workload"),
        pytest.param({"kind": "kubernetes", "kinds": ["@workloads"]}, _doc({**DEPLOYMENT, "kind": "Service"}), False,
                     id="not-a-workload"),
        pytest.param({"kind": "kubernetes", "kinds": ["@namespaced"]}, _doc(DEPLOYMENT), True, id="namespaced-kind"),
        pytest.param({"kind": "kubernetes", "kinds": ["@namespaced"]}, _doc({**DEPLOYMENT, "kind": "ClusterRole"}),
                     False, id="cluster-scoped-kind"),
        pytest.param({"kind": "kubernetes", "kinds": ["@namespaced", "Namespace"]},
                     _doc({**DEPLOYMENT, "kind": "Namespace"}), True, id="cluster-kind-named-beside-namespaced"),
        pytest.param({"kind": "kubernetes", "kinds": ["@namespaced"]}, _doc({**DEPLOYMENT, "kind": ["Pod"]}), False,
                     id="namespaced-kind-not-a-string"),
        pytest.param({"kind": "kubernetes", "apiVersions": ["apps/v1"]}, _doc(DEPLOYMENT), True, id="api-version"),
        pytest.param({"kind": "kubernetes", "apiVersions": ["v1"]}, _doc(DEPLOYMENT), False, id="other-api-version"),
        pytest.param({"kind": "kubernetes", "files": ["k8s/*"]}, _doc(DEPLOYMENT), True, id="files-glob"),
        pytest.param({"kind": "kubernetes", "files": ["prod/*"]}, _doc(DEPLOYMENT), False, id="files-glob-misses"),
        pytest.param({"kind": "kubernetes", "not_files": ["k8s/*"]}, _doc(DEPLOYMENT), False, id="not-files"),
        pytest.param({"kind": "kubernetes", "not_objects": ["Deployment/web"]}, _doc(DEPLOYMENT), False,
                     id="not-objects"),
        pytest.param({"kind": "kubernetes", "not_objects": ["Deployment/w*"]}, _doc(DEPLOYMENT), False,
                     id="not-objects-glob"),
        pytest.param({"kind": "kubernetes", "not_objects": ["Deployment/api"]}, _doc(DEPLOYMENT), True,
                     id="not-objects-other-name"),
        pytest.param({"kind": "kubernetes", "not_objects": ["Deployment/web"]},
                     _doc({**DEPLOYMENT, "metadata": ["web"]}), True, id="not-objects-metadata-a-list"),
    ],
)
def test_applies(match: dict[str, Any], doc: Document, expected: bool) -> None:
    assert _rule(match=match).applies(doc) is expected


# --- check ----------------------------------------------------------------------------------------

POD = """
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: web
      image:
      resources:
    - name: side
      image: nginx:latest
      env:
        - name: DB_PASSWORD
          value: hunter2
  initContainers:
    - name: init
"""


def test_a_required_key_written_with_no_value_is_absent_and_pointed_at() -> None:
    assert _found(_rule(), POD) == [
        (8, "/spec/containers/0/image", "Images are set", None),
        (16, "/spec/initContainers/0", "Images are set", None),
    ]


def test_absent_and_present_messages_fill_their_placeholders() -> None:
    rule = _rule(message={"absent": "container {container}: no image ({key})", "present": "container {name}: {value}"},
                 **{"assert": {"required": ["image"], "properties": {"image": {"pattern": ":[0-9]"}}}})
    assert _found(rule, POD) == [
        (8, "/spec/containers/0/image", "container web: no image (image)", None),
        (11, "/spec/containers/1/image", 'container side: "nginx:latest"', "nginx:latest"),
        (16, "/spec/initContainers/0", "container init: no image (0)", None),
    ]


def test_a_secret_value_is_masked_in_the_message_and_the_finding() -> None:
    rule = _rule(select="{containers}/env/*", message="{name} {key}={value} in {container}",
                 **{"assert": {"properties": {"value": {"maxLength": 3}}}})
    assert _found(rule, POD) == [(14, "/spec/containers/1/env/0/value", 'DB_PASSWORD value="********" in side', "********")]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        pytest.param("0", '"0"', id="string-quoted"),
        pytest.param(0, "0", id="number-bare"),
        pytest.param(True, "true", id="boolean-as-json"),
        pytest.param(1.5, "1.5", id="float"),
    ],
)
def test_value_placeholder_by_type(value: Any, shown: str) -> None:
    rule = _rule(match={"kind": "any"}, select="/x", message="x is {value}", **{"assert": {"const": "ok"}})
    (finding,) = rule.check(_doc({"x": value}, kind="config", name="c.yaml"))
    assert (finding.path, finding.message, finding.desired) == ("/x", f"x is {shown}", value)


def test_no_message_means_the_title() -> None:
    rule = _rule(match={"kind": "any"}, select="/x", **{"assert": {"type": "string"}})
    (finding,) = rule.check(_doc({"x": 1}, kind="config"))
    assert (finding.message, finding.severity, finding.target) == ("Images are set", Severity.MEDIUM, "k8s/app.yaml")


COMPOSE = """
services:
  web:
    image: nginx:${TAG}
  db:
    image: postgres:${PG:-16}
  cache:
    image: redis:${UNSET}
"""


def test_interpolate_fold_judges_the_resolved_value_and_shows_both() -> None:
    rule = _rule(match={"kind": "compose"}, select="/services/*", fold="interpolate",
                 message="service {service}: image {value}",
                 **{"assert": {"properties": {"image": {"not": {"pattern": ":latest$"}}}}})
    assert _found(rule, COMPOSE, name="compose.yaml", variables={"TAG": "latest", "PG": "latest"}) == [
        (3, "/services/web/image", 'service web: image "nginx:${TAG}" (compose resolves it to "nginx:latest")',
         "nginx:${TAG}"),
        (5, "/services/db/image",
         'service db: image "postgres:${PG:-16}" (compose resolves it to "postgres:latest")', "postgres:${PG:-16}"),
    ]
    assert _found(rule, COMPOSE, name="compose.yaml", variables={"TAG": "1.27"}) == []  # PG's default: 16


def test_without_the_fold_the_value_is_judged_as_written() -> None:
    rule = _rule(match={"kind": "compose"}, select="/services/*/image",
                 **{"assert": {"not": {"pattern": ":latest$"}}})
    assert _found(rule, COMPOSE, name="compose.yaml", variables={"TAG": "latest"}) == []


def test_capabilities_fold_judges_every_spelling_as_one_name() -> None:
    rule = _rule(match={"kind": "compose"}, select="/services/*/cap_add/*", fold="capabilities",
                 message="capability {value} is added", **{"assert": {"not": {"enum": ["NET_ADMIN"]}}})
    text = "services:\n  a:\n    cap_add:\n      - net_admin\n      - CAP_NET_ADMIN\n      - chown\n"
    assert _found(rule, text, name="compose.yaml") == [
        (4, "/services/a/cap_add/0", 'capability "net_admin" is added', "net_admin"),
        (5, "/services/a/cap_add/1", 'capability "CAP_NET_ADMIN" is added', "CAP_NET_ADMIN"),
    ]


def test_a_kind_without_a_pod_has_nothing_to_check() -> None:
    assert list(_rule().check(_doc({"kind": "Service", "spec": {"containers": [{}]}}))) == []


def test_check_on_data_that_is_not_a_mapping() -> None:
    rule = _rule(match={"kind": "any"}, select="/*", message="{key}: {value}", **{"assert": {"type": "integer"}})
    assert [(f.path, f.message) for f in rule.check(_doc([1, "two"], kind="config"))] == [("/1", '1: "two"')]


def test_explain_returns_none_for_a_passing_value() -> None:
    rule = _rule()
    doc = _doc({"kind": "Pod", "spec": {"containers": [{"image": "x"}]}})
    assert rule.explain(doc, "/spec/containers/0", {"image": "x"}) is None
    finding = rule.explain(doc, "/spec/containers/0", {})
    assert (finding.path, finding.message) == ("/spec/containers/0", "Images are set")


# --- properties -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "selects", "forbidden", "everywhere"),
    [
        pytest.param({"not": {"type": "string", "pattern": "AKIA[0-9A-Z]{16}"}}, "/**", "AKIA[0-9A-Z]{16}", True,
                     id="forbidden-pattern-everywhere"),
        pytest.param({"not": {"type": "string", "pattern": "x"}}, "/spec", "x", False, id="forbidden-one-place"),
        pytest.param({"not": {"pattern": "x"}}, "/**", None, True, id="not-without-type"),
        pytest.param({"not": {"type": "string", "pattern": "x"}, "type": "string"}, "/**", None, True,
                     id="more-than-not"),
        pytest.param({"required": ["image"]}, "{containers}", None, False, id="plain"),
    ],
)
def test_forbidden_and_everywhere(schema: Any, selects: str, forbidden: str | None, everywhere: bool) -> None:
    rule = _rule(select=selects, **{"assert": schema})
    assert (rule.forbidden, rule.everywhere) == (forbidden, everywhere)


def test_required_names_collects_every_required_list() -> None:
    rule = _rule(**{"assert": {"anyOf": [{"required": ["a", "b"]},
                                         {"properties": {"x": {"required": ["c", 1]}}}], "required": "nope"}})
    assert rule.required_names == frozenset({"a", "b", "c"})


VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["nginx", "nginx:1.2", "x:latest", ""])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["image", "name", "a"]), inner, max_size=3)),
    max_leaves=10,
)
SCHEMAS = st.sampled_from([
    {"required": ["image"]},
    {"properties": {"image": {"type": "string", "pattern": ":[0-9]"}}},
    {"type": "object", "properties": {"name": {"const": "web"}}},
    {"anyOf": [{"required": ["image"]}, {"required": ["name"]}]},
    {"not": {"type": "string", "pattern": "latest"}},
])


@settings(database=None, max_examples=150, deadline=None)
@given(VALUES, SCHEMAS)
def test_explain_agrees_with_jsonschema_on_which_values_fail(value: Any, schema: Any) -> None:
    from jsonschema import Draft202012Validator

    from trueup.policy.folds import without_nulls

    rule = _rule(match={"kind": "any"}, select="/v", **{"assert": schema})
    doc = _doc({"v": value}, kind="config")
    fails = not Draft202012Validator(schema).is_valid(without_nulls(value))
    assert (rule.explain(doc, "/v", without_nulls(value)) is not None) == fails
    assert len(list(rule.check(doc))) == int(fails)
