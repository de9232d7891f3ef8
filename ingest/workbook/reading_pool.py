"""The reading workers of a process, kept from one ingest batch to the next.

Why: an ingest batch is one reporting year, and a backfill or a `treem ingest` of several years runs its
batches one after the other in one process. Forking two workers from a process that has loaded Dagster's
definitions (~600 MB) and warming them (the pages they copy on write, the parse's caches) cost ~0.1 s a
batch, a tenth of a 204-file year: over ten years in one process, kept workers made the ingest 9 % faster.

A pool is kept while batches follow each other (`KEEP_SECONDS` after the last one, then its workers exit)
and replaced whenever what its workers were forked with is not what the next batch would fork them with:
the key the caller gives (the reference, the limits, the worker count, the parse function), compared by
identity, so that a new reference object, a test's patch or other limits never meet a stale worker. A pool
whose batch ended early or whose worker died is not kept. Two batches at once in one process (not a thing
the pipeline does: one writer) would get a pool each.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

KEEP_SECONDS = 10.0


class KeptPool:
    """One process's reading pool between batches: `acquire` at a batch's start, `release` at its end."""

    def __init__(self, keep_seconds: float = KEEP_SECONDS) -> None:
        self.keep_seconds = keep_seconds
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._key: tuple = ()
        self._busy = False
        self._timer: threading.Timer | None = None

    def acquire(self, key: tuple, new: Callable[[], ProcessPoolExecutor]) -> ProcessPoolExecutor:
        """The kept pool when it was made for `key` (each item the same object) and is idle; else a new one
        from `new()`, kept in its place unless the kept one is busy."""
        with self._lock:
            self._cancel_timer()
            if self._busy:
                return new()
            if self._pool is None or not _same(self._key, key):
                self._drop(wait=True)
                self._pool, self._key = new(), key
            self._busy = True
            return self._pool

    def release(self, pool: ProcessPoolExecutor, keep: bool) -> None:
        """A batch is done with `pool`: kept `keep_seconds` for the next batch when `keep` (its batch read
        every file and no worker died), else shut down now."""
        with self._lock:
            if pool is not self._pool:
                pool.shutdown(wait=True, cancel_futures=True)
                return
            self._busy = False
            if not keep:
                self._drop(wait=True)
                return
            self._timer = threading.Timer(self.keep_seconds, self._expire)
            self._timer.daemon = True
            self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            self._timer = None
            if not self._busy:
                self._drop(wait=False)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _drop(self, wait: bool) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
        self._pool, self._key = None, ()


def _same(kept: tuple, key: tuple) -> bool:
    """Item by item the same objects: never `==`, which a new reference with equal tables would pass."""
    return len(kept) == len(key) and all(a is b for a, b in zip(kept, key, strict=True))
