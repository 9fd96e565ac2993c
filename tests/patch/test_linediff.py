"""linediff: unified diffs that ``git apply`` takes, for any pair of texts, in time linear in the changes."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from hypothesis import given, settings, strategies as st

from trueup.patch import unified_diff
from trueup.patch.linediff import matching_blocks, unified

_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@\n")


def _patched(old: list[str], diff: list[str]) -> list[str]:
    """``old`` with a unified diff applied strictly: every context and removed line must match."""
    out, at, k = [], 0, 2
    while k < len(diff):
        found = _HUNK.fullmatch(diff[k])
        assert found, diff[k]
        k += 1
        start, count = int(found.group(1)), int(found.group(2) or 1)
        start = start - 1 if count else start
        assert start >= at
        out += old[at:start]
        at = start
        while k < len(diff) and not diff[k].startswith("@@"):
            line = diff[k]
            k += 1
            if line[0] in " -":
                assert old[at] == line[1:], (old[at], line)
                at += 1
            if line[0] in " +":
                out.append(line[1:])
    return out + old[at:]


lines = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "key: 1\n", "- x\n", "\n"]), max_size=40)


@settings(max_examples=400, deadline=None)
@given(lines, lines)
def test_the_diff_turns_old_into_new(old: list[str], new: list[str]) -> None:
    diff = list(unified(old, new, "a/f", "b/f"))
    assert (diff == []) == (old == new)
    assert _patched(old, diff) == new


@settings(max_examples=200, deadline=None)
@given(lines, st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["ins", "del", "sub"])), max_size=8))
def test_small_edits_give_blocks_that_match(old: list[str], edits: list[tuple[int, str]]) -> None:
    new = list(old)
    for at, what in edits:
        at = min(at, len(new))
        if what == "ins":
            new.insert(at, "new\n")
        elif new and at < len(new):
            if what == "del":
                del new[at]
            else:
                new[at] = "changed\n"
    for i, j, n in matching_blocks(old, new):
        assert old[i:i + n] == new[j:j + n] and n > 0
    assert _patched(old, list(unified(old, new, "a/f", "b/f"))) == new


def test_many_changes_between_unique_lines_are_one_hunk_each_with_context() -> None:
    old = [line for i in range(3000) for line in (f"- name: V{i}\n", f"  value: old{i}\n")]
    new = [line for i in range(3000) for line in (f"- name: V{i}\n", f"  value: new{i}\n")]
    diff = list(unified(old, new, "a/f", "b/f"))
    assert diff[:3] == ["--- a/f\n", "+++ b/f\n", "@@ -1,6000 +1,6000 @@\n"]
    assert sum(1 for line in diff if line.startswith("-  value: old")) == 3000
    assert _patched(old, diff) == new


def test_hunks_far_apart_are_separate_with_three_lines_of_context() -> None:
    old = [f"{i}\n" for i in range(20)]
    new = list(old)
    new[1], new[18] = "one\n", "eighteen\n"
    diff = list(unified(old, new, "a/f", "b/f"))
    assert [line for line in diff if line.startswith("@@")] == ["@@ -1,5 +1,5 @@\n", "@@ -16,5 +16,5 @@\n"]


def test_git_apply_takes_the_patch(tmp_path: Path) -> None:
    old = "".join(f"- name: V{i}\n  value: old{i}\n" for i in range(200)) + "tail: no newline"
    new = old.replace("old1", "new1").replace("V7\n", "V7\n  extra: 1\n") + "!"
    (tmp_path / "f.yaml").write_text(old)
    (tmp_path / "f.patch").write_text(unified_diff(old, new, "f.yaml"))
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "apply", "f.patch"], cwd=tmp_path, check=True, capture_output=True)
    assert (tmp_path / "f.yaml").read_text() == new
