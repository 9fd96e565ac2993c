"""Each normalization removes its noise, and a real change under it is still reported."""
from __future__ import annotations

import pytest
import yaml

from conftest import EXAMPLES

from .conftest import drift_of

CASES = yaml.safe_load((EXAMPLES / "drift" / "normalizations.yaml").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_noise_is_not_drift(case: dict) -> None:
    findings = drift_of(case["desired"], case["live"], case.get("file", "obj.yaml"))
    assert [(f.rule, f.path, f.desired, f.live) for f in findings] == []


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_real_change_under_the_rule_is_reported(case: dict) -> None:
    findings = drift_of(case["desired"], case["changed"], case.get("file", "obj.yaml"))
    assert sorted((f.rule, f.path) for f in findings) == sorted(tuple(e) for e in case["expect"])
