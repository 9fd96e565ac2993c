"""drift.pair: object identity, pairing desired with live (objects by identity, files by path), by_index."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.drift.pair import Pairs, Side, by_index, identity, pair

from .conftest import side


def cm(name: str, namespace: str | None = None, api: str = "v1", kind: str = "ConfigMap", **extra: Any) -> dict:
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    return {"apiVersion": api, "kind": kind, "metadata": meta, **extra}


# ------------------------------------------------------------------ identity


@pytest.mark.parametrize(
    ("obj", "namespace", "expected"),
    [
        (cm("a"), "ns", ("", "ConfigMap", "ns", "a")),
        (cm("a", "own"), "ns", ("", "ConfigMap", "own", "a")),
        (cm("a", api="apps/v1", kind="Deployment"), "ns", ("apps", "Deployment", "ns", "a")),
        (cm("a", api="apps/v1beta2", kind="Deployment"), "ns", ("apps", "Deployment", "ns", "a")),
        (cm("a", api="rbac.authorization.k8s.io/v1", kind="ClusterRole"), "ns",
         ("rbac.authorization.k8s.io", "ClusterRole", "", "a")),
        (cm("a", "ignored", kind="Namespace"), "ns", ("", "Namespace", "", "a")),
        (cm("a", "x", api="storage.k8s.io/v1", kind="StorageClass"), "ns", ("storage.k8s.io", "StorageClass", "", "a")),
        ({"kind": "ConfigMap", "metadata": {"generateName": "job-"}}, "ns", ("", "ConfigMap", "ns", "job-")),
        ({"kind": "ConfigMap", "metadata": {"name": "n", "generateName": "g-"}}, "ns", ("", "ConfigMap", "ns", "n")),
        ({"kind": "ConfigMap", "metadata": {"name": "a", "namespace": ""}}, "ns", ("", "ConfigMap", "ns", "a")),
        ({"kind": "ConfigMap", "metadata": {"name": "a", "namespace": None}}, "ns", ("", "ConfigMap", "ns", "a")),
        ({"kind": "ConfigMap", "metadata": None}, "ns", ("", "ConfigMap", "ns", "")),
        ({"kind": "ConfigMap", "metadata": ["not", "a", "map"]}, "ns", ("", "ConfigMap", "ns", "")),
        ({"apiVersion": 5, "kind": 3, "metadata": {"name": 7}}, "ns", ("", "3", "ns", "7")),
        ({}, "default", ("", "", "default", "")),
    ],
    ids=["core-default-ns", "own-namespace", "apps-group", "group-not-version", "cluster-scoped-rbac",
         "namespace-is-cluster-scoped", "storageclass-ignores-namespace", "generate-name", "name-over-generate-name",
         "empty-namespace-takes-default", "null-namespace-takes-default", "null-metadata", "list-metadata",
         "non-string-fields", "empty-object"],
)
def test_identity(obj: dict, namespace: str, expected: tuple) -> None:
    assert identity(obj, namespace) == expected


def test_identity_is_the_group_not_the_version() -> None:
    current = identity(cm("w", api="apps/v1", kind="Deployment"), "d")
    assert current == identity(cm("w", api="apps/v1beta2", kind="Deployment"), "d")
    # The same kind in another group (extensions/v1beta1) is another identity.
    assert identity(cm("w", api="extensions/v1beta1", kind="Deployment"), "d") == ("extensions", "Deployment", "d", "w")


# ------------------------------------------------------------------ pair


def names(pairs: Pairs) -> list[tuple[Any, Any]]:
    """Each object pair as (desired name, live name); None for a side without the object."""
    def name(doc: Any) -> Any:
        return None if doc is None else (doc.source.file, doc.data["metadata"]["name"])
    return [(name(d), name(l)) for d, l in pairs.objects]


def files(pairs: Pairs) -> list[tuple[Any, Any]]:
    return [(d.rel if d else None, l.rel if l else None) for d, l in pairs.files]


def test_objects_pair_by_identity_wherever_they_sit() -> None:
    desired = [side([cm("a"), cm("b")], "d/all.yaml", "all.yaml")]
    live = [side(cm("b"), "l/b.yaml", "b.yaml"), side(cm("a"), "l/a.yaml", "a.yaml")]
    result = pair(desired, live)
    assert names(result) == [(("d/all.yaml", "a"), ("l/a.yaml", "a")), (("d/all.yaml", "b"), ("l/b.yaml", "b"))]
    assert files(result) == []


def test_missing_and_extra_objects_come_out_desired_first_then_live_only() -> None:
    desired = [side([cm("keep"), cm("gone")], "d/x.yaml", "x.yaml")]
    live = [side([cm("new"), cm("keep")], "l/x.yaml", "x.yaml")]
    assert names(pair(desired, live)) == [
        (("d/x.yaml", "keep"), ("l/x.yaml", "keep")),
        (("d/x.yaml", "gone"), None),
        (None, ("l/x.yaml", "new")),
    ]


@pytest.mark.parametrize(
    ("desired_ns", "live_ns", "namespace", "paired"),
    [
        (None, None, "default", True),
        (None, "default", "default", True),
        (None, "prod", "prod", True),
        (None, "prod", "default", False),
        ("prod", "staging", "default", False),
    ],
    ids=["both-unset", "unset-is-default", "unset-is-the-given-namespace", "unset-is-not-another", "two-namespaces"],
)
def test_an_unset_namespace_is_the_context_namespace(desired_ns: str | None, live_ns: str | None, namespace: str,
                                                     paired: bool) -> None:
    result = pair([side(cm("a", desired_ns), "d.yaml")], [side(cm("a", live_ns), "l.yaml")], namespace)
    expected = [(("d.yaml", "a"), ("l.yaml", "a"))] if paired else [(("d.yaml", "a"), None), (None, ("l.yaml", "a"))]
    assert names(result) == expected


def test_a_cluster_scoped_object_pairs_whatever_namespace_it_names() -> None:
    result = pair([side(cm("ns1", "x", kind="Namespace"), "d.yaml")], [side(cm("ns1", "y", kind="Namespace"), "l.yaml")])
    assert names(result) == [(("d.yaml", "ns1"), ("l.yaml", "ns1"))]


def test_a_different_api_group_is_another_object() -> None:
    desired = [side(cm("a", api="example.com/v1", kind="Widget"), "d.yaml")]
    live = [side(cm("a", api="other.io/v1", kind="Widget"), "l.yaml")]
    assert names(pair(desired, live)) == [(("d.yaml", "a"), None), (None, ("l.yaml", "a"))]


def test_the_first_of_two_objects_with_one_identity_is_paired() -> None:
    desired = [side(cm("a", data={"n": "1"}), "d1.yaml"), side(cm("a", data={"n": "2"}), "d2.yaml")]
    live = [side(cm("a", data={"n": "3"}), "l.yaml")]
    result = pair(desired, live)
    assert [(d.data["data"]["n"], l.data["data"]["n"]) for d, l in result.objects] == [("1", "3")]


def test_plain_files_pair_by_relative_path() -> None:
    desired = [side({"a": 1}, "desired/app.json", "app.json"), side({"b": 1}, "desired/only.yaml", "only.yaml")]
    live = [side({"a": 2}, "live/app.json", "app.json"), side({"c": 1}, "live/extra.yaml", "extra.yaml")]
    result = pair(desired, live)
    assert files(result) == [("app.json", "app.json"), ("only.yaml", None), (None, "extra.yaml")]
    assert result.objects == []


def test_a_file_mixing_objects_and_plain_documents_splits() -> None:
    desired = [side([cm("a"), {"plain": True}], "d/mix.yaml", "mix.yaml")]
    live = [side([{"plain": False}], "l/mix.yaml", "mix.yaml"), side(cm("a"), "l/a.yaml", "a.yaml")]
    result = pair(desired, live)
    assert names(result) == [(("d/mix.yaml", "a"), ("l/a.yaml", "a"))]
    assert files(result) == [("mix.yaml", "mix.yaml")]
    d_side, l_side = result.files[0]
    assert d_side is not None and l_side is not None
    # The desired file keeps only its plain document, at its own index in the stream.
    assert [(doc.index, doc.data) for doc in d_side.documents] == [(1, {"plain": True})]
    assert [(doc.index, doc.data) for doc in l_side.documents] == [(0, {"plain": False})]


def test_a_file_of_objects_only_is_no_file_pair() -> None:
    result = pair([side(cm("a"), "d/a.yaml", "a.yaml")], [side({"x": 1}, "l/a.yaml", "a.yaml")])
    assert files(result) == [(None, "a.yaml")]
    assert names(result) == [(("d/a.yaml", "a"), None)]


def test_empty_trees() -> None:
    result = pair([], [])
    assert (result.objects, result.files) == ([], [])


NAMES = st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), unique=True, max_size=5)


@settings(max_examples=100, deadline=None, database=None)
@given(NAMES, NAMES, st.randoms(use_true_random=False))
def test_pairing_does_not_depend_on_file_order(desired_names: list[str], live_names: list[str], rnd: Any) -> None:
    desired = [side(cm(n), f"d/{n}.yaml", f"{n}.yaml") for n in desired_names]
    live = [side(cm(n), f"l/{n}.yaml", f"{n}.yaml") for n in live_names]
    before = sorted(map(repr, names(pair(desired, live))))
    rnd.shuffle(desired)
    rnd.shuffle(live)
    assert sorted(map(repr, names(pair(desired, live)))) == before
    both = set(desired_names) & set(live_names)
    paired = [d for d, l in names(pair(desired, live)) if d is not None and l is not None]
    assert sorted(n for _, n in paired) == sorted(both)


# ------------------------------------------------------------------ by_index


def test_by_index_pairs_documents_by_place_in_the_stream() -> None:
    d = side([{"n": 0}, {"n": 1}, {"n": 2}], "d.yaml")
    l = side([{"n": 10}, {"n": 11}], "l.yaml")
    assert [(a.data if a else None, b.data if b else None) for a, b in by_index(d, l)] == [
        ({"n": 0}, {"n": 10}), ({"n": 1}, {"n": 11}), ({"n": 2}, None)]


@pytest.mark.parametrize(
    ("desired", "live", "expected"),
    [
        (None, None, []),
        ([{"a": 1}], None, [({"a": 1}, None)]),
        (None, [{"b": 1}], [(None, {"b": 1})]),
    ],
    ids=["neither", "desired-only", "live-only"],
)
def test_by_index_with_one_side_absent(desired: Any, live: Any, expected: list) -> None:
    d = side(desired, "d.yaml") if desired is not None else None
    l = side(live, "l.yaml") if live is not None else None
    assert [(a.data if a else None, b.data if b else None) for a, b in by_index(d, l)] == expected


def test_by_index_follows_index_not_list_position() -> None:
    # After a split, a side's documents keep their indices in the file: gaps pair by index.
    mixed = side([cm("a"), {"p": 1}], "d.yaml")
    plain = Side("d.yaml", [doc for doc in mixed.documents if doc.kind != "kubernetes"])
    live = side([{"p": 0}, {"p": 2}], "l.yaml")
    assert [(a.data if a else None, b.data if b else None) for a, b in by_index(plain, live)] == [
        (None, {"p": 0}), ({"p": 1}, {"p": 2})]
