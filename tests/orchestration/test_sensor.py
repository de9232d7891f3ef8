"""The inbox sensor requests one run per new file set and reporting year, and never the same file twice."""

from __future__ import annotations

import shutil

from dagster import DagsterInstance, build_sensor_context

from ingest.workbook.template import write_template
from orchestration.definitions import defs
from orchestration.defs.sensors import inbox_sensor, plan_inbox_runs


def _tick(cursor):
    with DagsterInstance.ephemeral() as instance:
        return inbox_sensor.evaluate_tick(
            build_sensor_context(cursor=cursor, instance=instance, repository_def=defs.get_repository_def())
        )


def test_one_run_per_year_then_nothing(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    write_template("tan-yen-2021", "health", 2023, inbox / "tan-yen_y-te_2023.xlsx")
    write_template("tan-yen-2021", "education", 2023, inbox / "tan-yen_giao-duc_2023.xlsx")
    write_template("tan-yen-2021", "health", 2024, inbox / "tan-yen_y-te_2024.xlsx")
    monkeypatch.setenv("TREEM_INBOX", str(inbox))

    first = _tick(None)
    by_year = {request.partition_key: request for request in first.run_requests}
    assert sorted(by_year) == ["2023", "2024"]
    paths_2023 = by_year["2023"].run_config["ops"]["agency_submissions"]["config"]["paths"]
    assert sorted(p.rsplit("/", 1)[1] for p in paths_2023) == [
        "tan-yen_giao-duc_2023.xlsx",
        "tan-yen_y-te_2023.xlsx",
    ]
    assert by_year["2024"].tags["treem/trigger"] == "inbox_sensor"

    second = _tick(first.cursor)
    assert not second.run_requests
    assert second.skip_message

    # a renamed copy of a file already seen is the same submission: no new run
    shutil.copy(inbox / "tan-yen_y-te_2024.xlsx", inbox / "tan-yen_y-te_2024 (1).xlsx")
    assert not _tick(first.cursor).run_requests

    # a genuinely new file for 2024 gets exactly one run for 2024
    write_template("tan-yen-2021", "education", 2024, inbox / "tan-yen_giao-duc_2024.xlsx")
    third = _tick(first.cursor)
    assert [r.partition_key for r in third.run_requests] == ["2024"]


def test_run_keys_are_stable(tmp_path):
    """Dagster drops a second request with the same run key, a second guard against double ingest."""
    write_template("dien-bien-2021", "health", 2022, tmp_path / "a.xlsx")
    first, _ = plan_inbox_runs(tmp_path, None)
    again, _ = plan_inbox_runs(tmp_path, None)
    assert [r.run_key for r in first] == [r.run_key for r in again]
