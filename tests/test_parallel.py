"""``--jobs`` (trueup.parallel): how many workers, and results in item order whatever the pool."""
from __future__ import annotations

import multiprocessing
import os

import pytest

from trueup import parallel
from trueup.parallel import AUTO_MIN_FILES, ordered_map, workers

needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")


@pytest.mark.parametrize("requested, items, expected", [
    (1, 1000, 1),
    (4, 1000, 4),
    (8, 3, 3),           # never more processes than items
    (4, 0, 1),           # at least one
    (-3, 10, 1),
    (0, AUTO_MIN_FILES - 1, 1),  # automatic: a small run stays in one process
], ids=["one", "four", "capped-by-items", "no-items", "negative", "auto-small"])
def test_workers(requested: int, items: int, expected: int) -> None:
    assert workers(requested, items) == expected


def test_automatic_uses_the_cores_for_large_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert workers(0, AUTO_MIN_FILES) == 3
    assert workers(0, 2) == 1


def test_one_job_maps_in_this_process() -> None:
    result = ordered_map(lambda n: (n, os.getpid()), [3, 1, 2], 1)
    assert list(result) == [(3, os.getpid()), (1, os.getpid()), (2, os.getpid())]


@needs_fork
def test_pooled_results_come_back_in_item_order_from_other_processes() -> None:
    items = list(range(50))  # more than three chunks of 16
    # A lambda works: forked workers inherit the function instead of unpickling it.
    results = list(ordered_map(lambda n: (n * n, os.getpid()), items, 3))
    assert [square for square, _ in results] == [n * n for n in items]
    assert os.getpid() not in {pid for _, pid in results}
    assert parallel._work is None  # the module's worker slot is emptied after the run (no public accessor)


@needs_fork
def test_pooled_empty_input() -> None:
    assert list(ordered_map(str, [], 4)) == []


def _fail_on_seven(n: int) -> int:
    if n == 7:
        raise ValueError(f"bad item {n}")
    return n


@needs_fork
def test_a_worker_error_reaches_the_caller() -> None:
    with pytest.raises(ValueError, match="^bad item 7$"):
        list(ordered_map(_fail_on_seven, list(range(20)), 2))
    assert parallel._work is None
