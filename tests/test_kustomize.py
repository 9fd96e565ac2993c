"""Kustomizations read without the kustomize binary (trueup.kustomize)."""
from __future__ import annotations

import shutil
from pathlib import Path

from conftest import EXAMPLES
from trueup.kustomize import near, read

REPO = EXAMPLES / "repos" / "kustomize"


def _names(read_out, root: Path) -> dict:
    return {p.relative_to(root.resolve()).as_posix(): ns for p, ns in read_out.namespaces.items()}


def test_overlays_set_the_namespace_of_what_they_build_and_list_their_patches(tmp_path: Path) -> None:
    root = tmp_path / "k"
    shutil.copytree(REPO, root)
    found = read(sorted(root.rglob("*")))
    # Both overlays build the base; the first (by path) names it, and each names its own patches.
    assert _names(found, root) == {
        "base/deployment.yaml": "shop-prod", "base/service.yaml": "shop-prod",
        "components/monitoring/annotations.yaml": "shop-prod",
        "overlays/prod/replicas.yaml": "shop-prod", "overlays/prod/probe-port.json": "shop-prod",
        "overlays/prod/remove-sidecar.yaml": "shop-prod", "overlays/prod/image.yaml": "shop-prod",
        "overlays/staging/bad-patch.yaml": "shop-staging",
    }
    assert sorted(p.relative_to(root.resolve()).as_posix() for p in found.patches) == [
        "components/monitoring/annotations.yaml", "overlays/prod/image.yaml", "overlays/prod/probe-port.json",
        "overlays/prod/remove-sidecar.yaml", "overlays/prod/replicas.yaml", "overlays/staging/bad-patch.yaml"]
    made = sorted((d.data["kind"], d.data["metadata"]["name"], d.data["metadata"].get("namespace")) for d in found.generated)
    assert made == [("ConfigMap", "web-config", "shop-prod"), ("Secret", "web-credentials", "shop-prod")]


def test_the_outermost_namespace_wins_and_generators_take_prefix_and_suffix(write, tmp_path: Path) -> None:
    write("base/kustomization.yaml", "namespace: inner\nnamePrefix: app-\nnameSuffix: -v1\nresources: [cm.yaml]\n"
          "configMapGenerator:\n  - name: settings\n  - name: pinned\n    namespace: elsewhere\n"
          "secretGenerator:\n  - {name: creds}\n")
    write("base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    write("prod/Kustomization", "namespace: outer\nresources:\n  - ../base\n  - https://github.com/x/y//z?ref=v1\n"
          "  - github.com/x/y/z\n")
    found = read([tmp_path / "prod" / "Kustomization", tmp_path / "base" / "kustomization.yaml"])
    assert _names(found, tmp_path) == {"base/cm.yaml": "outer"}
    made = sorted((d.data["kind"], d.data["metadata"]["name"], d.data["metadata"].get("namespace")) for d in found.generated)
    assert made == [("ConfigMap", "app-pinned-v1", "elsewhere"), ("ConfigMap", "app-settings-v1", "outer"),
                    ("ConfigMap", "pinned", "elsewhere"), ("ConfigMap", "settings", "outer"),
                    ("Secret", "app-creds-v1", "outer"), ("Secret", "creds", "outer")]
    alone = read([tmp_path / "base" / "kustomization.yaml"])
    assert _names(alone, tmp_path) == {"base/cm.yaml": "inner"}


def test_cycles_broken_files_and_odd_entries_are_harmless(write, tmp_path: Path) -> None:
    write("a/kustomization.yaml", "resources: [../b, 7, {x: 1}]\npatches: [{path: p.yaml}, 3, {patch: inline}]\n")
    write("b/kustomization.yaml", "namespace: b\nresources: [../a]\npatchesStrategicMerge:\n  - |\n    kind: X\n")
    write("c/kustomization.yaml", "resources: [\n")
    write("d/kustomization.yaml", "- just\n- a list\n")
    paths = [tmp_path / n / "kustomization.yaml" for n in "abcd"]
    found = read(paths)
    assert _names(found, tmp_path) == {}  # a cycle (kustomize refuses it): no outermost namespace
    assert [p.relative_to(tmp_path.resolve()).as_posix() for p in found.patches] == ["a/p.yaml"]


def test_kustomizations_beside_named_files_are_found(write, tmp_path: Path) -> None:
    write("overlay/kustomization.yaml", "patches: [{path: patch.yaml}]\n")
    write("overlay/deep/x.yaml", "a: 1\n")
    assert near([tmp_path / "overlay" / "deep" / "x.yaml"]) == [tmp_path / "overlay" / "kustomization.yaml"]


def test_a_generated_name_satisfies_the_reference_rules_and_only_it(trueup, tmp_path: Path) -> None:
    root = tmp_path / "k"
    shutil.copytree(REPO, root)
    clean = trueup("validate", "--no-cache", "--format", "json", "base", "overlays", "components", cwd=root)
    assert [f["rule"] for f in clean.json()["findings"]] == ["schema", "schema"]  # the staging patch's two errors
    base = root / "base" / "kustomization.yaml"
    base.write_text(base.read_text().replace("  - name: web-config\n", "  - name: other-config\n"))
    broken = trueup("validate", "--no-cache", "--format", "json", "base", "overlays", "components", cwd=root)
    refs = [(f["rule"], f["target"], f["path"]) for f in broken.json()["findings"] if f["rule"] != "schema"]
    assert refs == [("K8S-REFERENCE-EXISTS", "Deployment/shop-prod/web",
                     "/spec/template/spec/containers/0/envFrom/0/configMapRef/name")]


def test_a_patch_is_checked_for_types_and_unknown_fields_not_required_ones(trueup, write, tmp_path: Path) -> None:
    write("kustomization.yaml", "resources: []\npatches:\n  - path: patch.yaml\n")
    write("patch.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
          "    spec:\n      containers:\n        - name: web\n          resources: null\n        - name: old\n"
          "          $patch: delete\n      $setElementOrder/containers: [{name: web}]\n")
    result = trueup("validate", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert result.json()["findings"] == []
    (tmp_path / "kustomization.yaml").write_text("resources: [patch.yaml]\n")  # listed as a resource: a whole object
    whole = trueup("validate", "--no-cache", "--no-policy", "--format", "json", ".", cwd=tmp_path)
    assert [f["message"] for f in whole.json()["findings"]][:1] == ["required field 'selector' is missing"]


def test_kustomization_without_a_suffix_is_read_too(trueup, write, tmp_path: Path) -> None:
    write("base/Kustomization", "resources: [cm.yaml]\n")
    write("base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n")
    write("prod/Kustomization", "namespace: prod\nresources: [../base]\npatches: [{path: p.yaml}]\n")
    write("prod/p.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: 1}\n")
    result = trueup("validate", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert [(f["rule"], f["file"], f["target"], f["path"]) for f in result.json()["findings"]] == [
        ("schema", "prod/p.yaml", "ConfigMap/prod/x", "/data/a")]
    assert result.json()["summary"]["files"] == 4
