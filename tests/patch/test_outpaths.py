"""Patch files stay under --patches DIR, under names that neither escape nor collide (trueup.patch.outpaths)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from trueup.patch.outpaths import Places, object_stem, safe_part

DEPLOY = "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: shop}}\ndata: {{a: '{value}'}}\n"


@pytest.mark.parametrize("part, safe", [
    ("..", "%2E%2E"), (".", "%2E"), ("", "%"), ("a/b", "a%2Fb"), ("a\\b", "a%5Cb"), ("50%", "50%25"),
    ("nul\x00", "nul%00"), ("app.config", "app.config"), ("x" * 300, "x" * 120 + "~"),
])
def test_safe_parts(part: str, safe: str) -> None:
    got = safe_part(part)
    assert got.startswith(safe) and "/" not in got and len(got.encode()) <= 200


def test_object_names_with_dots_underscores_and_case_do_not_collide(tmp_path: Path) -> None:
    places = Places(tmp_path / "out")
    stems = [object_stem(t) for t in ("ConfigMap/shop/app.config", "ConfigMap/shop/app.settings",
                                       "ConfigMap/a_b/c", "ConfigMap/a/b_c")]
    assert len(set(stems)) == 4
    paths = [places.place("kubernetes/" + s, ".yaml") for s in stems]
    assert [p.name for p in paths][:2] == ["ConfigMap_shop_app.config.yaml", "ConfigMap_shop_app.settings.yaml"]
    again = places.place("kubernetes/" + stems[0].upper(), ".yaml")  # a case-insensitive file system's twin
    assert again.name.endswith("~2.yaml")


def test_a_live_path_with_dots_stays_in_the_patches_dir(trueup, write, tmp_path: Path) -> None:
    write("repo/d/app.yaml", "port: 8080\n")
    write("export/app.yaml", "port: 9090\n")
    result = trueup("drift", "--desired", "d", "--live", "../export", "--patches", "out", cwd=tmp_path / "repo")
    assert result.code == 1
    written = sorted(p.relative_to(tmp_path / "repo" / "out").as_posix() for p in (tmp_path / "repo" / "out").rglob("*")
                     if p.is_file())
    assert written == ["%2E%2E/export/app.yaml.patch"]
    assert not (tmp_path / "export" / "app.yaml.patch").exists()


def test_two_objects_whose_names_differ_after_a_dot_get_two_patches(trueup, write, tmp_path: Path) -> None:
    for name in ("app.config", "app.settings"):
        write(f"d/{name}.yaml", DEPLOY.format(name=name, value="1"))
        write(f"l/{name}.yaml", DEPLOY.format(name=name, value="2"))
    result = trueup("drift", "--desired", "d", "--live", "l", "--patches", "out", cwd=tmp_path)
    assert result.code == 1
    names = sorted(p.name for p in (tmp_path / "out" / "kubernetes").iterdir())
    assert names == ["ConfigMap_shop_app.config.jsonpatch.json", "ConfigMap_shop_app.config.yaml",
                     "ConfigMap_shop_app.settings.jsonpatch.json", "ConfigMap_shop_app.settings.yaml"]


@pytest.mark.parametrize("planted", ["kubernetes", "l", "l/app.yaml.patch"])
def test_a_symlink_planted_in_the_patches_dir_is_refused(trueup, write, tmp_path: Path, planted: str) -> None:
    write("d/app.yaml", "port: 8080\n")
    write("l/app.yaml", "port: 9090\n")
    write("d/cm.yaml", DEPLOY.format(name="cm", value="1"))
    write("l/cm.yaml", DEPLOY.format(name="cm", value="2"))
    outside = tmp_path / "outside"
    outside.mkdir()
    link = tmp_path / "out" / planted
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(outside if not planted.endswith(".patch") else outside / "x.patch", link)
    result = trueup("drift", "--desired", "d", "--live", "l", "--patches", "out", cwd=tmp_path)
    assert result.code == 2
    assert "refused, not followed" in result.err and len(result.err.strip().splitlines()) == 1
    assert list(outside.iterdir()) == []
