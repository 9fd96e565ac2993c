"""policy/suppress.py: ``# trueup: ignore[RULE-ID] reason`` comments read from a finding's file."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trueup.model import Finding, Severity
from trueup.policy.suppress import Suppressions


def _finding(rule: str = "K8S-CPU-LIMIT", file: str | None = "deploy.yaml", line: int | None = 3) -> Finding:
    return Finding(rule=rule, severity=Severity.MEDIUM, message="no CPU limit", target="Deployment/default/web",
                   path="/spec", file=file, line=line)


TEXT = """\
apiVersion: apps/v1
kind: Deployment  # trueup: ignore[K8S-CPU-LIMIT, K8S-SECCOMP] load test only
spec:
  replicas: 1  #trueup:ignore[K8S-REPLICAS]
  # trueup: ignore[K8S-IMAGE-TAG]   pinned by digest in prod  
  image: nginx
  other: 1
  x: 2
"""


@pytest.mark.parametrize(
    ("rule", "line", "expected"),
    [
        pytest.param("K8S-CPU-LIMIT", 2, "load test only", id="same-line-first-id"),
        pytest.param("K8S-SECCOMP", 2, "load test only", id="same-line-second-id-after-space"),
        pytest.param("K8S-CPU-LIMIT", 3, "load test only", id="line-below-the-mark"),
        pytest.param("K8S-CPU-LIMIT", 4, None, id="two-lines-below-the-mark"),
        pytest.param("K8S-CPU-LIMIT", 1, None, id="line-above-the-mark"),
        pytest.param("K8S-REPLICAS", 4, "no reason given", id="no-spaces-and-no-reason"),
        pytest.param("K8S-IMAGE-TAG", 6, "pinned by digest in prod", id="comment-line-above-reason-stripped"),
        pytest.param("K8S-IMAGE-TAG", 5, "pinned by digest in prod", id="on-the-comment-line-itself"),
        pytest.param("k8s-cpu-limit", 2, None, id="ids-are-case-sensitive"),
        pytest.param("K8S-CPU", 2, None, id="no-prefix-match"),
        pytest.param("K8S-PRIVILEGED", 2, None, id="other-rule-same-line"),
        pytest.param("K8S-CPU-LIMIT", 99, None, id="line-past-end"),
    ],
)
def test_reason(tmp_path: Path, rule: str, line: int, expected: str | None) -> None:
    (tmp_path / "deploy.yaml").write_text(TEXT)
    assert Suppressions(tmp_path).reason(_finding(rule, line=line)) == expected


@pytest.mark.parametrize(
    ("file", "line"),
    [
        pytest.param(None, 2, id="no-file"),
        pytest.param("deploy.yaml", None, id="no-line"),
        pytest.param("deploy.yaml", 0, id="line-zero"),
        pytest.param("missing.yaml", 2, id="file-not-found"),
    ],
)
def test_no_reason_without_a_readable_place(tmp_path: Path, file: str | None, line: int | None) -> None:
    (tmp_path / "deploy.yaml").write_text(TEXT)
    assert Suppressions(tmp_path).reason(_finding(file=file, line=line)) is None


def test_a_file_named_outside_the_root_is_read_as_given(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "f.yaml"
    outside.parent.mkdir()
    outside.write_text("a: 1  # trueup: ignore[R1] given path\n")
    root = tmp_path / "root"
    root.mkdir()
    assert Suppressions(root).reason(_finding("R1", file=str(outside), line=1)) == "given path"


def test_a_byte_order_mark_and_crlf_do_not_hide_a_mark(tmp_path: Path) -> None:
    (tmp_path / "f.yaml").write_bytes(b"\xef\xbb\xbf# trueup: ignore[R1] bom\r\na: 1\r\n")
    assert Suppressions(tmp_path).reason(_finding("R1", file="f.yaml", line=2)) == "bom"


def test_a_file_that_is_not_utf8_suppresses_nothing(tmp_path: Path) -> None:
    (tmp_path / "f.yaml").write_bytes(b"a: \xff  # trueup: ignore[R1] latin\n")
    assert Suppressions(tmp_path).reason(_finding("R1", file="f.yaml", line=1)) is None


def test_a_file_is_read_once(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("a: 1  # trueup: ignore[R1] first\n")
    suppressions = Suppressions(tmp_path)
    assert suppressions.reason(_finding("R1", file="f.yaml", line=1)) == "first"
    path.write_text("a: 1  # trueup: ignore[R1] second\n")
    assert suppressions.reason(_finding("R1", file="f.yaml", line=1)) == "first"
    assert Suppressions(tmp_path).reason(_finding("R1", file="f.yaml", line=1)) == "second"


def test_apply_marks_suppressed_findings_waived_and_keeps_the_others(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text(TEXT)
    kept, waived = _finding("K8S-PRIVILEGED", line=2), _finding("K8S-SECCOMP", line=3)
    out = list(Suppressions(tmp_path).apply(iter([kept, waived])))
    assert out == [kept, waived]  # every finding still reported, in order
    assert (kept.waived, kept.message) == (False, "no CPU limit")
    assert (waived.waived, waived.message) == (True, "no CPU limit (suppressed: load test only)")


def test_apply_is_lazy(tmp_path: Path) -> None:
    def findings():
        yield _finding(file="a.yaml")
        raise AssertionError("read past the first finding")

    it = Suppressions(tmp_path).apply(findings())
    assert next(it).waived is False


MARKS = st.dictionaries(st.integers(1, 12), st.sets(st.sampled_from(["R1", "R2", "R3"]), min_size=1), max_size=6)
ASKED = st.lists(st.tuples(st.sampled_from(["R1", "R2", "R3", "R4"]), st.integers(1, 13)), max_size=12)


@settings(database=None, max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(MARKS, ASKED)
def test_reason_follows_the_marks_whatever_the_order_asked(tmp_path: Path, marks: dict[int, set[str]],
                                                          asked: list[tuple[str, int]]) -> None:
    lines = [f"k{n}: v" + (f"  # trueup: ignore[{', '.join(sorted(marks[n]))}] why {n}" if n in marks else "")
             for n in range(1, 13)]
    (tmp_path / "f.yaml").write_text("\n".join(lines) + "\n")

    def expected(rule: str, line: int) -> str | None:
        return next((f"why {n}" for n in (line, line - 1) if rule in marks.get(n, ())), None)

    forward = Suppressions(tmp_path)
    answers = [forward.reason(_finding(rule, "f.yaml", line)) for rule, line in asked]
    assert answers == [expected(rule, line) for rule, line in asked]
    backward = Suppressions(tmp_path)
    assert [backward.reason(_finding(rule, "f.yaml", line)) for rule, line in reversed(asked)] == answers[::-1]


@settings(database=None, max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ASKED)
def test_apply_gives_the_same_verdicts_on_copies_of_the_same_findings(tmp_path: Path,
                                                                     asked: list[tuple[str, int]]) -> None:
    (tmp_path / "f.yaml").write_text("a: 1  # trueup: ignore[R1, R3] x\nb: 2\nc: 3  # trueup: ignore[R2]\n")
    findings = [_finding(rule, "f.yaml", line) for rule, line in asked]
    once = list(Suppressions(tmp_path).apply(copy.deepcopy(findings)))
    again = list(Suppressions(tmp_path).apply(copy.deepcopy(findings)))
    assert [(f.waived, f.message) for f in once] == [(f.waived, f.message) for f in again]
    assert [f.waived for f in once] == [(r in ("R1", "R3") and n in (1, 2)) or (r == "R2" and n in (3, 4))
                                        for r, n in asked]
