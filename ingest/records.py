"""JSON records kept beside generated files: what each file was written from (a fingerprint), so that a run
rewrites only the files whose inputs changed (review reports, data-quality pages).

Written atomically (a temporary file, then `os.replace`): a crash never leaves a half-written record, and a
record that cannot be read counts as none (everything is rewritten, never skipped on a guess).
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def read_record(path: Path | str) -> dict:
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or unreadable: everything is rewritten
        return {}
    return record if isinstance(record, dict) else {}


def write_record(path: Path | str, record: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
