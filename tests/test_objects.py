"""objects.py: how a Kubernetes object is named, and which kinds have no namespace."""
from __future__ import annotations

from typing import Any

import pytest

from trueup.objects import CLUSTER_SCOPED_KINDS, kubernetes_target


@pytest.mark.parametrize("obj, default, name", [
    ({"kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}}, "default", "Deployment/shop/web"),
    ({"kind": "Deployment", "metadata": {"name": "web"}}, "default", "Deployment/default/web"),
    ({"kind": "Deployment", "metadata": {"name": "web"}}, "team", "Deployment/team/web"),
    ({"kind": "ClusterRole", "metadata": {"name": "admin", "namespace": "x"}}, "default", "ClusterRole/admin"),
    ({"kind": "Job", "metadata": {"generateName": "migrate-"}}, "default", "Job/default/migrate-"),
    ({"kind": "ConfigMap", "metadata": "not a mapping"}, "default", "ConfigMap/default/?"),
    ({"metadata": {"name": "x"}}, "default", "?/default/x"),
    ({"kind": ["List"], "metadata": {"name": "x"}}, "default", "['List']/default/x"),
], ids=["namespaced", "default-namespace", "applied-namespace", "cluster-scoped", "generate-name",
        "bad-metadata", "no-kind", "unhashable-kind"])
def test_kubernetes_target(obj: dict[str, Any], default: str, name: str) -> None:
    assert kubernetes_target(obj, default) == name


def test_cluster_scoped_kinds_hold_the_api_servers_and_not_namespaced_ones() -> None:
    assert {"Namespace", "ClusterRole", "CustomResourceDefinition", "PersistentVolume", "StorageClass"} \
        <= CLUSTER_SCOPED_KINDS
    assert not {"Deployment", "Service", "PersistentVolumeClaim", "Role", "Secret"} & CLUSTER_SCOPED_KINDS
