"""Process-wide memory setting of the pipeline's process: large freed blocks go back to the OS.

Why: treem's runs execute their steps in one long-lived Python process (the CLI, the bench, a run worker),
and glibc's malloc raises its mmap threshold after each large block is freed (up to 32 MB), so the large
arrays of later steps come from the heap, which it keeps. In the national bench the data-quality step's
GX stage climbed from ~900 to ~1,500 MB batch after batch while Python's live objects were ~150 MB
(tracemalloc), Arrow's pool and DuckDB's reads ruled out. With the threshold fixed at 128 kB, glibc's
starting value, blocks that large are mapped and unmapped on their own: alone, the GX stage levelled off at
~860 MB instead of ~1,000 MB, at the same speed.

glibc only: on another C library (musl, macOS), nothing is changed.
"""

from __future__ import annotations

import ctypes
import sys

M_MMAP_THRESHOLD = -3  # mallopt's parameter number in glibc's <malloc.h>
MMAP_THRESHOLD_BYTES = 128 * 1024


def return_large_frees_to_the_os() -> bool:
    """Fix glibc's mmap threshold at MMAP_THRESHOLD_BYTES; True when glibc took it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
