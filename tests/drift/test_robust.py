"""Drift never crashes on wrong-typed documents (hypothesis): schema validation reports them, and
drift, its ignore rules, its Secret payloads and the patches built from it take any shape (a
string where a mapping is expected, an int where a list is, a list where a scalar is), in
process and through ``trueup drift --patches``."""
from __future__ import annotations

import copy
import io
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trueup.cli import main
from trueup.drift import IgnoreRule
from wrong_shapes import WRONG, compose_projects, corrupted, kubernetes_objects

from .conftest import drift_of

IGNORE = [IgnoreRule(("/spec/replicas", "/data/*"), "r", kinds=("Deployment", "Secret"), names=("web", "s")),
          IgnoreRule(("/metadata/**",), "r", names=("web",))]


@st.composite
def pairs(draw: st.DrawFn) -> tuple[str, Any, Any]:
    """(file name, desired, live): two wrong-typed variants of one realistic object or compose file,
    or a config file and another value."""
    rate = draw(st.sampled_from([3, 12, 40]))
    what = draw(st.sampled_from(["kubernetes", "compose", "config"]))
    if what == "config":
        return "app.yaml", draw(st.dictionaries(st.sampled_from(["a", "b"]), WRONG)), draw(WRONG)
    strategy = kubernetes_objects(rate) if what == "kubernetes" else compose_projects(rate)
    desired = draw(strategy)
    live = draw(st.one_of(st.just(copy.deepcopy(desired)), corrupted(desired, rate), strategy))
    return ("obj.yaml" if what == "kubernetes" else "compose.yaml"), desired, live


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs())
def test_drift_takes_wrong_typed_documents(pair: tuple[str, Any, Any]) -> None:
    name, desired, live = pair
    for a, b in ((desired, live), (live, desired)):
        for finding in drift_of(a, b, name, ignore=IGNORE, changes=[], verbose=True):
            assert finding.rule.startswith("drift.")
    if name != "obj.yaml":  # (Kubernetes: the server's defaults are filled into desired only, so a
        # wrong-typed field it defaults, such as minReplicas: null, differs from the same text live)
        assert [f for f in drift_of(desired, copy.deepcopy(desired), name) if f.rule != "drift.ignored"] == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs())
def test_drift_and_its_patches_report_wrong_types_without_a_traceback(pair: tuple[str, Any, Any]) -> None:
    name, desired, live = pair
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for side, data in (("d", desired), ("l", live)):
            (root / side).mkdir()
            (root / side / name).write_text(yaml.safe_dump(data), encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        code = main(["drift", "--desired", str(root / "d"), "--live", str(root / "l"), "--patches", str(root / "p"),
                     "--prune", "--format", "json"], stdout=out, stderr=err)
    assert code in (0, 1), err.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()


def test_pruning_an_object_whose_metadata_is_not_a_mapping(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "l").mkdir()
    (tmp_path / "l" / "obj.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: 1964\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["drift", "--desired", str(tmp_path / "d"), "--live", str(tmp_path / "l"), "--patches",
                 str(tmp_path / "p"), "--prune"], stdout=out, stderr=err)
    assert code == 1, err.getvalue()
    (delete,) = (tmp_path / "p" / "kubernetes").glob("*.delete.yaml")
    assert delete.read_text(encoding="utf-8") == "apiVersion: apps/v1\nkind: Deployment\nmetadata: {}\n"
