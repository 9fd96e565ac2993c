"""installed: versions and entry points read from dist-info directories, as importlib.metadata reads them."""
from __future__ import annotations

import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from trueup import installed


@pytest.mark.parametrize("name", ["PyYAML", "pyyaml", "jsonschema", "kubernetes-validate", "kubernetes_validate",
                                  "check-jsonschema", "Jinja2"])
def test_versions_are_importlib_metadata_s(name: str) -> None:
    assert installed.version(name) == metadata.version(name)


def test_a_missing_distribution_has_no_version() -> None:
    assert installed.version("no-such-distribution-anywhere") is None


def _dist(site: Path, name: str, entry_points: str | None) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points)


def test_a_group_is_declared_only_where_a_distribution_names_it(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _dist(tmp_path, "other", "[console_scripts]\nx = other:main\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert not installed.declared("trueup.test-group")
    assert installed.entry_points("trueup.test-group") == []
    _dist(tmp_path, "plugin", "[trueup.test-group]\nhouse = plugin:PACKS\n")
    assert installed.declared("trueup.test-group")
    assert [e.name for e in installed.entry_points("trueup.test-group")] == ["house"]


def test_a_zip_on_the_path_is_left_to_importlib_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("zipped-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zipped\nVersion: 1.0\n")
        out.writestr("zipped-1.0.dist-info/entry_points.txt", "[trueup.zip-group]\nz = zipped:PACKS\n")
    monkeypatch.setattr(sys, "path", [str(archive), *sys.path])
    assert installed.declared("trueup.zip-group")
    assert [e.name for e in installed.entry_points("trueup.zip-group")] == ["z"]
