"""Objects that name no namespace are judged where they are applied: an environment's or a
target's ``namespace:`` (``kubectl apply -n``, an Argo CD destination), as a kustomization's
``namespace:`` already is. K8S-DEFAULT-NAMESPACE fires only where nothing gives one, and the
cross-file rules match a ConfigMap that names the namespace with a Deployment that does not."""
from __future__ import annotations

from pathlib import Path

import pytest

from manifests import CONFIGMAP, deployment

DEPLOYMENT = deployment("api", namespace=None)
ROLE = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules: []\n"

CONFIGS = {
    "environment": "version: 1\nenvironments:\n  prod: {namespace: shop}\n",
    "target": ("version: 1\nenvironments:\n  prod: {}\ntargets:\n"
               "  - {name: app, kind: kubernetes, desired: 'k8s/*.yaml', namespace: shop}\n"),
    "none": "version: 1\nenvironments:\n  prod: {}\n",
    "default": "version: 1\nenvironments:\n  prod: {namespace: default}\n",
}


def _findings(trueup, tmp_path: Path, config: str) -> list[dict]:
    (tmp_path / "trueup.yaml").write_text(config)
    (tmp_path / "templates" / "k8s").mkdir(parents=True)
    (tmp_path / "templates" / "k8s" / "api.yaml").write_text(DEPLOYMENT + "---\n" + CONFIGMAP + "---\n" + ROLE)
    result = trueup("validate", "--format", "json", cwd=tmp_path)
    assert result.code in (0, 1), result.out + result.err
    return result.json()["findings"]


@pytest.mark.parametrize("given", ["environment", "target"])
def test_a_namespace_given_where_it_is_applied_counts(trueup, tmp_path: Path, given: str) -> None:
    findings = _findings(trueup, tmp_path, CONFIGS[given])
    rules = {f["rule"] for f in findings}
    assert "K8S-DEFAULT-NAMESPACE" not in rules
    assert "K8S-REFERENCE-EXISTS" not in rules  # the ConfigMap in shop is the one the Deployment uses
    # Findings name the object where it lands.
    assert {f["target"] for f in findings if f["rule"] == "K8S-SECCOMP"} == {"Deployment/shop/api"}


def test_nothing_gives_a_namespace(trueup, tmp_path: Path) -> None:
    findings = _findings(trueup, tmp_path, CONFIGS["none"])
    assert [(f["rule"], f["target"]) for f in findings if f["rule"] in ("K8S-DEFAULT-NAMESPACE", "K8S-REFERENCE-EXISTS")] \
        == [("K8S-DEFAULT-NAMESPACE", "Deployment/default/api"), ("K8S-REFERENCE-EXISTS", "Deployment/default/api")]


def test_an_explicit_default_namespace_still_fires(trueup, tmp_path: Path) -> None:
    findings = _findings(trueup, tmp_path, CONFIGS["default"])
    messages = [f["message"] for f in findings if f["rule"] == "K8S-DEFAULT-NAMESPACE"]
    assert messages == ['namespace is "default"']
