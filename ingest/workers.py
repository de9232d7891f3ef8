"""Worker processes: what every one of them does first, and the pool that writes files in parallel.

The ingest's read-ahead and the synthetic generator fork worker pools from processes where Dagster has
installed its own signal handlers (SIGTERM raises an interrupt inside the run). A worker that inherits them
turns a pool's `terminate()` into an exception while it may hold the pool's queue lock, and the pool then
waits for it forever. Workers restore the default handlers and leave Ctrl-C to the parent, which stops the
pool. A reading worker also exits when its parent is gone (`exit_with_parent`): the ingest keeps its workers
between batches, and an executor's workers wait for their next task forever once the process that would
send it was killed.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator


def reset_worker_signals() -> None:
    """Pool initializer: default SIGTERM (terminate kills the worker), SIGINT left to the parent."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def exit_with_parent(poll_seconds: float = 1.0) -> None:
    """Pool initializer part: exit this worker within `poll_seconds` of its parent process's end (killed,
    out of memory, `os._exit`), which no executor notices: its idle workers would block on their task queue
    holding their memory until the machine restarts. The parent is the process, not the forking thread."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def map_in_workers[Item, Result](
    function: Callable[[Item], Result],
    items: Iterable[Item],
    preload: list[str],
    workers: int | None = None,
) -> Iterator[tuple[Item, Result | Exception]]:
    """(item, result or the exception it raised) for every item, in the order they finish.

    For CPU-bound writing that needs no warehouse connection (review reports, feedback workbooks): up to one
    worker per core. The workers come from a fork server that imported the `preload` modules once, not from
    a fork of this process: a Dagster step has threads, and a forked copy of a threaded process can deadlock
    on a lock one of them held. One item, or one core, runs in this process.
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed

    items = list(items)
    workers = min(workers or os.cpu_count() or 1, len(items))
    if workers <= 1:
        for item in items:
            try:
                yield item, function(item)
            except Exception as error:  # one item's failure must not hide the others
                yield item, error
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(preload)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=reset_worker_signals) as pool:
        futures = {pool.submit(function, item): item for item in items}
        for future in as_completed(futures):
            try:
                yield futures[future], future.result()
            except Exception as error:
                yield futures[future], error
