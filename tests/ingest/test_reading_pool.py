"""The reading workers kept between ingest batches: reused only for what they were forked with."""

from __future__ import annotations

import dataclasses
import time

from ingest.workbook.reading_pool import KeptPool


class FakeExecutor:
    """Stands for a ProcessPoolExecutor: records its shutdown."""

    made = 0

    def __init__(self) -> None:
        FakeExecutor.made += 1
        self.shut: list[bool] = []

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.shut.append(wait)


def test_a_batch_after_a_clean_one_reuses_its_workers():
    kept = KeptPool(keep_seconds=60)
    ref, limits = object(), object()
    first = kept.acquire((2, ref, limits), FakeExecutor)
    kept.release(first, keep=True)
    assert kept.acquire((2, ref, limits), FakeExecutor) is first
    assert first.shut == []


def test_workers_forked_with_anything_else_are_never_reused():
    """Another reference object (even one with equal tables), other limits or another worker count: the
    kept workers are shut down and new ones made."""
    kept = KeptPool(keep_seconds=60)
    ref, limits = object(), object()
    first = kept.acquire((2, ref, limits), FakeExecutor)
    kept.release(first, keep=True)
    for key in [(2, object(), limits), (3, ref, limits), (2, ref, object())]:
        pool = kept.acquire(key, FakeExecutor)
        assert pool is not first and first.shut
        kept.release(pool, keep=True)
        first = pool


def test_a_batch_that_ended_early_or_lost_a_worker_does_not_keep_its_pool():
    kept = KeptPool(keep_seconds=60)
    key = (2, object())
    first = kept.acquire(key, FakeExecutor)
    kept.release(first, keep=False)
    assert first.shut == [True]
    assert kept.acquire(key, FakeExecutor) is not first


def test_two_batches_at_once_get_a_pool_each_and_the_second_is_not_kept():
    kept = KeptPool(keep_seconds=60)
    key = (2, object())
    first = kept.acquire(key, FakeExecutor)
    second = kept.acquire(key, FakeExecutor)
    assert second is not first
    kept.release(second, keep=True)
    assert second.shut == [True] and first.shut == []
    kept.release(first, keep=True)
    assert kept.acquire(key, FakeExecutor) is first


def test_idle_workers_exit_after_the_keeping_time():
    kept = KeptPool(keep_seconds=0.05)
    key = (2, object())
    first = kept.acquire(key, FakeExecutor)
    kept.release(first, keep=True)
    deadline = time.monotonic() + 5
    while not first.shut and time.monotonic() < deadline:
        time.sleep(0.01)
    assert first.shut == [False]
    assert kept.acquire(key, FakeExecutor) is not first


def test_the_ingest_reuses_its_workers_for_the_next_batch_only_with_the_same_reference(
    tan_yen_template, tmp_path, reference
):
    """Two batches in one process read by the same two workers; a batch with another reference object gets
    new ones. The files load the same either way (the pooled and serial parses are compared elsewhere)."""
    from ingest.workbook import ingest_paths, loader
    from tests.ingest.conftest import fill

    def batch(name: str, ref) -> list[str]:
        files = [
            fill(tan_yen_template, tmp_path / f"{name}{i}.xlsx", {("Xã Tân Trung", "F"): 90 + i})
            for i in range(3)
        ]
        summary = ingest_paths(files, tmp_path / name / "t.duckdb", reference=ref, workers=2)
        return [r.status for r in summary.results]

    assert batch("a", reference) == ["loaded", "loaded", "loaded"]
    pool = loader._READERS._pool
    assert pool is not None
    assert batch("b", reference) == ["loaded", "loaded", "loaded"]
    assert loader._READERS._pool is pool
    other = dataclasses.replace(reference, _cache={})  # equal tables, another object
    assert batch("c", other) == ["loaded", "loaded", "loaded"]
    assert loader._READERS._pool is not pool
