"""``--jobs N``: plain files checked by a pool of worker processes.

Each file is loaded, validated and checked against the per-document rules on its
own, so files spread over processes; cross-file rules still run once, in the main
process, over every document the workers send back. Results come back in file
order, so a report is the same whatever N is. Workers are forked from the main
process and inherit its compiled schemas and rules; where ``fork`` is not
available the files are checked in the main process.
"""
from __future__ import annotations

import multiprocessing
import os
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many files a pool costs more than it saves (pre-commit passes a handful).
AUTO_MIN_FILES = 200
_CHUNK = 16

_work: Callable[[Any], Any] | None = None


def workers(requested: int, items: int) -> int:
    """How many processes: ``requested`` (0 = automatic: one per core for large runs)."""
    if requested == 0:
        if items < AUTO_MIN_FILES:
            return 1
        requested = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(requested, items))


def _run_chunk(chunk: Sequence[Any]) -> list[Any]:
    assert _work is not None
    return [_work(item) for item in chunk]


def ordered_map(work: Callable[[Item], Result], items: Sequence[Item], jobs: int) -> Iterable[Result]:
    """``work(item)`` for each item, in order; in ``jobs`` forked processes when more than one."""
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return map(work, items)
    return _pooled(work, items, jobs)


def _pooled(work: Callable[[Item], Result], items: Sequence[Item], jobs: int) -> Iterator[Result]:
    global _work
    _work = work
    chunks = [items[i:i + _CHUNK] for i in range(0, len(items), _CHUNK)]
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for results in pool.imap(_run_chunk, chunks):
                yield from results
    finally:
        _work = None
