"""What every forked worker process of treem does first.

The ingest's read-ahead and the synthetic generator fork worker pools from processes where Dagster has
installed its own signal handlers (SIGTERM raises an interrupt inside the run). A worker that inherits them
turns a pool's `terminate()` into an exception while it may hold the pool's queue lock, and the pool then
waits for it forever. Workers restore the default handlers and leave Ctrl-C to the parent, which stops the
pool.
"""

from __future__ import annotations

import signal


def reset_worker_signals() -> None:
    """Pool initializer: default SIGTERM (terminate kills the worker), SIGINT left to the parent."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
