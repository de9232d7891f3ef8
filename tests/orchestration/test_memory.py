"""The pipeline's process returns large freed blocks to the OS (orchestration/memory.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ingest.warehouse import PROJECT_ROOT

# In a fresh process: load the definitions (or not), free one 2 MB block (glibc's adaptive threshold rises
# past it), then allocate 64 blocks of 1 MB, each followed by a small block that stays, and free the big
# ones. From the heap, pinned between the small blocks, the 64 MB stay with the process; mapped on their
# own, they go back to the OS when freed.
PROBE = """
if {load_definitions}:
    import orchestration.definitions  # noqa: F401
def rss_mb():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
del_me = bytearray(2 << 20)
del del_me
before = rss_mb()
big, kept = [], []
for _ in range(64):
    big.append(bytearray(1 << 20))
    kept.append(bytearray(64 << 10))
del big
print(rss_mb() - before)
"""


def _retained_mb(load_definitions: bool) -> float:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(load_definitions=load_definitions)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")
def test_loading_the_definitions_makes_the_process_give_large_frees_back():
    from orchestration.memory import return_large_frees_to_the_os

    if not return_large_frees_to_the_os():
        pytest.skip("this C library is not glibc")
    assert _retained_mb(load_definitions=True) < 16
    assert _retained_mb(load_definitions=False) > 32  # what the probe keeps without it
