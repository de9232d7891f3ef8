"""Data quality of the agency submissions: Great Expectations suites plus the checks GX lacks, as SQL in
the warehouse (cross_checks.py, sql/).

`validate_warehouse` (runner.py) is the entry point; `config.yaml` is the one reviewed file of thresholds and
severities. Nothing here imports Great Expectations at module import time: GX costs seconds to import and the
Dagster definitions import this package.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import yaml

CONFIG_PATH = Path(__file__).with_name("config.yaml")
SEVERITIES = ("error", "warning")


@lru_cache(maxsize=4)
def _read_config(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    validate_config(config)
    return config


def load_config(path: Path | str | None = None) -> dict:
    """The reviewed thresholds as a dict (a copy: callers may adjust it in tests without leaking)."""
    return copy.deepcopy(_read_config(str(path or CONFIG_PATH)))


def validate_config(config: dict) -> None:
    """Fail loudly on a mistyped severity or a missing family, rather than silently skip a check."""
    from expectations.checks import CHECK_FAMILIES

    checks = config.get("checks") or {}
    missing = [family for family in CHECK_FAMILIES if family not in checks]
    if missing:
        raise ValueError(f"expectations config: no entry for check families {missing}")
    for family, entry in checks.items():
        if family not in CHECK_FAMILIES:
            raise ValueError(f"expectations config: unknown check family {family!r}")
        if entry.get("severity") not in SEVERITIES:
            raise ValueError(f"expectations config: {family}.severity must be one of {SEVERITIES}")


def severity_of(config: dict, family: str) -> str:
    return config["checks"][family]["severity"]
