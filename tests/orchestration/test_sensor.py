"""The inbox sensor requests one run per new file set and reporting year, never the same unchanged file twice,
and its cursor stays bounded by what waits in the inbox."""

from __future__ import annotations

import json
import os
import shutil
import time

from dagster import DagsterInstance, build_sensor_context

from ingest.inbox import list_inbox
from ingest.warehouse import DEFAULT_WAREHOUSE
from ingest.workbook.template import write_template
from orchestration.definitions import defs
from orchestration.defs import sensors
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.sensors import inbox_sensor, plan_inbox_runs


def _tick(cursor):
    with DagsterInstance.ephemeral() as instance:
        return inbox_sensor.evaluate_tick(
            build_sensor_context(
                cursor=cursor,
                instance=instance,
                repository_def=defs.get_repository_def(),
                resources={"warehouse": WarehouseResource(path=str(DEFAULT_WAREHOUSE))},
            )
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

    # a renamed copy is a new arrival: it gets a run, and the ingest records it as a duplicate by content
    shutil.copy(inbox / "tan-yen_y-te_2024.xlsx", inbox / "tan-yen_y-te_2024 (1).xlsx")
    copy = _tick(first.cursor)
    assert [r.run_config["ops"]["agency_submissions"]["config"]["paths"] for r in copy.run_requests] == [
        [str(inbox / "tan-yen_y-te_2024 (1).xlsx")]
    ]

    # a genuinely new file for 2024 gets exactly one run for 2024
    write_template("tan-yen-2021", "education", 2024, inbox / "tan-yen_giao-duc_2024.xlsx")
    third = _tick(copy.cursor)
    assert [r.partition_key for r in third.run_requests] == ["2024"]
    assert len(third.run_requests[0].run_config["ops"]["agency_submissions"]["config"]["paths"]) == 1


def test_a_changed_file_is_requested_again(tmp_path):
    path = tmp_path / "a.xlsx"
    write_template("dien-bien-2021", "health", 2022, path)
    first, cursor = plan_inbox_runs(tmp_path, None)
    assert plan_inbox_runs(tmp_path, cursor)[0] == []
    write_template("dien-bien-2021", "education", 2022, path)  # the agency overwrote it with another file
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    again, _ = plan_inbox_runs(tmp_path, cursor)
    assert [r.partition_key for r in again] == ["2022"]
    assert again[0].run_key != first[0].run_key


def test_unchanged_files_are_neither_hashed_nor_opened(tmp_path, monkeypatch):
    for sector in ("health", "education"):
        write_template("tan-yen-2021", sector, 2023, tmp_path / f"{sector}.xlsx")
    _, cursor = plan_inbox_runs(tmp_path, None)
    opened = []
    monkeypatch.setattr(sensors, "file_fingerprint", lambda p: opened.append(p) or "x")
    monkeypatch.setattr(sensors, "reporting_year", lambda p: opened.append(p) or 2023)
    assert plan_inbox_runs(tmp_path, cursor)[0] == []
    assert opened == []


def test_cursor_is_bounded_by_the_waiting_files_and_ticks_are_capped(tmp_path):
    """3,200 arrivals: requested at most `limit` per tick, each once; once processed (moved to the archive)
    they leave the cursor, which then holds nothing."""
    folder = tmp_path / "inbox"
    for i in range(3200):
        (folder / f"p{i % 63:02d}").mkdir(parents=True, exist_ok=True)
        (folder / f"p{i % 63:02d}" / f"bao-cao-{i:04d}.xlsx").write_bytes(f"not a workbook {i}".encode())
    cursor, requested = None, []
    for _ in range(5):
        requests, cursor = plan_inbox_runs(folder, cursor, limit=1000)
        requested += [
            p for r in requests for p in r.run_config["ops"]["agency_submissions"]["config"]["paths"]
        ]
    assert len(requested) == len(set(requested)) == 3200
    assert len(json.loads(cursor)["pending"]) == 3200
    for path in list_inbox(folder)[:3000]:  # the ingest retired these
        path.unlink()
    requests, cursor = plan_inbox_runs(folder, cursor)
    assert requests == [] and len(json.loads(cursor)["pending"]) == 200


def test_run_keys_are_stable(tmp_path):
    """Dagster drops a second request with the same run key, a second guard against double ingest."""
    write_template("dien-bien-2021", "health", 2022, tmp_path / "a.xlsx")
    first, _ = plan_inbox_runs(tmp_path, None)
    again, _ = plan_inbox_runs(tmp_path, None)
    assert [r.run_key for r in first] == [r.run_key for r in again]


def _finished_run(instance, job_name: str, **tags):
    """A run of `job_name` that started and succeeded now (start and end times recorded by the events)."""
    from dagster import DagsterEvent, DagsterEventType, DagsterRunStatus

    run = instance.create_run_for_job(
        defs.resolve_job_def(job_name), status=DagsterRunStatus.STARTING, tags=tags
    )
    for event in (DagsterEventType.RUN_START, DagsterEventType.RUN_SUCCESS):
        instance.report_dagster_event(DagsterEvent(event.value, job_name=job_name), run.run_id)
    return instance.get_run_by_id(run.run_id)


def test_a_burst_of_ingests_queues_one_warehouse_build():
    from dagster import DagsterEvent, DagsterEventType, DagsterRunStatus, build_run_status_sensor_context

    from orchestration.defs.sensors import rebuild_after_ingest

    with DagsterInstance.ephemeral() as instance:

        def evaluate(ingest):
            context = build_run_status_sensor_context(
                sensor_name="rebuild_after_ingest",
                dagster_event=DagsterEvent(DagsterEventType.RUN_SUCCESS.value, job_name="ingest_job"),
                dagster_instance=instance,
                dagster_run=ingest,
            )
            return rebuild_after_ingest(context)

        early = _finished_run(instance, "ingest_job", **{"dagster/partition": "2023"})
        first = evaluate(early)
        assert first.tags["treem/trigger"] == "after_ingest"
        # a build waiting to start covers every ingest (queued runs need a code location; not-started
        # waits the same way): nothing more is asked, and the tick goes on to the next finished ingest
        waiting = instance.create_run_for_job(
            defs.resolve_job_def("warehouse_job"), status=DagsterRunStatus.NOT_STARTED
        )
        assert evaluate(early) is None
        instance.delete_run(waiting.run_id)

        # a build that started after an ingest ended covers it; an ingest that ended after the build
        # started is not covered and asks for a build of its own
        time.sleep(0.01)
        _finished_run(instance, "warehouse_job")
        assert evaluate(early) is None
        time.sleep(0.01)
        late = _finished_run(instance, "ingest_job", **{"dagster/partition": "2024"})
        assert evaluate(late).tags["treem/year"] == "2024"
