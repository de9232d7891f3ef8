"""Cross checks run over batches of whole context groups (a national backfill in one query outgrows DuckDB's
memory cap): any batch size gives the verdicts of one batch."""

from __future__ import annotations

import shutil

import pandas as pd

from expectations import runner
from ingest.warehouse import connect

VERDICT_COLUMNS = ["submission_id", "suite", "check_name", "success", "element_count", "unexpected_count"]


def _judge(path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with connect(path) as con:
        summary = runner.validate_warehouse(con, run_id="batches", write=False)
    results = summary.check_results[[*VERDICT_COLUMNS, "unexpected_sample"]]
    flags = summary.flagged_values.drop(columns=["row_id"], errors="ignore").astype(str)
    return (
        results.astype(str).sort_values(VERDICT_COLUMNS, ignore_index=True),
        flags.sort_values(list(flags.columns), ignore_index=True),
    )


def test_one_group_per_batch_gives_the_verdicts_of_one_batch(built_warehouse, tmp_path, monkeypatch):
    path = tmp_path / "treem.duckdb"
    shutil.copy(built_warehouse, path)
    whole_results, whole_flags = _judge(path)
    with connect(path, read_only=True) as con:
        groups = runner._context_groups(runner._loaded_submissions(con))
    assert groups.nunique() > 3  # the demo has many plan x sector x scheme groups: batching is exercised

    monkeypatch.setattr(runner, "CROSS_BATCH_VALUES", 1)  # every group a batch of its own
    batched_results, batched_flags = _judge(path)
    pd.testing.assert_frame_equal(batched_results, whole_results)
    pd.testing.assert_frame_equal(batched_flags, whole_flags)
    assert (whole_results["check_name"] == "outlier_cross_locality").any() and len(whole_flags) > 0


def test_cross_checks_run_under_their_own_memory_cap_and_give_the_connection_its_own_back(
    built_warehouse, tmp_path, monkeypatch
):
    """Data quality's cross checks run under TREEM_DUCKDB_DQ_MEMORY_LIMIT (they share the pipeline's process
    with what its earlier runs left), and the connection gets its own cap back for what follows."""
    path = tmp_path / "treem.duckdb"
    shutil.copy(built_warehouse, path)
    monkeypatch.setenv("TREEM_DUCKDB_DQ_MEMORY_LIMIT", "300MB")
    seen = []
    run_cross_checks = runner.cross_checks.run_cross_checks

    def recording(con, *args, **kwargs):
        seen.append(con.execute("select current_setting('memory_limit')").fetchone()[0])
        return run_cross_checks(con, *args, **kwargs)

    monkeypatch.setattr(runner.cross_checks, "run_cross_checks", recording)
    with connect(path) as con:
        before = con.execute("select current_setting('memory_limit')").fetchone()[0]
        runner.validate_warehouse(con, run_id="capped", write=False)
        after = con.execute("select current_setting('memory_limit')").fetchone()[0]
    assert seen and set(seen) == {"286.1 MiB"}  # 300 MB as DuckDB shows it
    assert before != "286.1 MiB" and abs(float(after.split()[0]) - float(before.split()[0])) < 0.2


def test_gx_beside_the_cross_checks_gives_the_verdicts_of_gx_after_them(
    built_warehouse, tmp_path, monkeypatch
):
    """A small scope (a reporting year) is judged by GX on a thread while the cross checks run; a larger one
    (a backfill) after them, batch by batch. Both orders give the same verdicts."""
    import threading

    path = tmp_path / "treem.duckdb"
    shutil.copy(built_warehouse, path)
    threads = []
    judge = runner._GxRun.judge

    def recording(self, *args):
        threads.append(threading.current_thread().name)
        return judge(self, *args)

    monkeypatch.setattr(runner._GxRun, "judge", recording)
    beside_results, beside_flags = _judge(path)
    assert threads and all(name.startswith("treem-gx") for name in threads)

    threads.clear()
    monkeypatch.setattr(
        runner, "GX_BESIDE_MAX_VALUES", 0
    )  # every scope is "large": GX after the cross checks
    after_results, after_flags = _judge(path)
    assert threads == [threading.main_thread().name]
    pd.testing.assert_frame_equal(beside_results, after_results)
    pd.testing.assert_frame_equal(beside_flags, after_flags)
    assert (after_results["suite"] == "indicator_values").any() and (
        after_results["success"] == "False"
    ).any()


def test_judging_one_year_scores_its_peer_groups_as_a_full_run_does(built_warehouse, tmp_path):
    """outlier_cross_locality scores only the year groups holding a judged value (the other years are peers'
    history): a reporting year judged alone gets the verdicts a run judging everything gives it."""
    path = tmp_path / "treem.duckdb"
    shutil.copy(built_warehouse, path)
    check = "outlier_cross_locality"
    with connect(path) as con:
        full = runner.validate_warehouse(con, run_id="full", write=False)
        loaded = runner._loaded_submissions(con)
        loaded["group"] = runner._context_groups(loaded)
        # the year, in a context group of several years, whose submissions the check flagged most
        several = loaded.groupby("group")["year"].transform("nunique") > 1
        flagged = full.flagged_values[full.flagged_values["check_name"] == check]
        candidates = loaded[several & loaded["submission_id"].isin(flagged["submission_id"])]
        group, year = candidates.groupby(["group", "year"]).size().idxmax()
        ids = loaded.loc[(loaded["group"] == group) & (loaded["year"] == year), "submission_id"].tolist()
        alone = runner.validate_warehouse(con, run_id="alone", submission_ids=ids, write=False)

    def of_year(summary) -> tuple[pd.DataFrame, pd.DataFrame]:
        results = summary.check_results
        results = results[(results["check_name"] == check) & results["submission_id"].isin(ids)]
        flags = summary.flagged_values.drop(columns=["row_id"], errors="ignore")
        flags = flags[(flags["check_name"] == check) & flags["submission_id"].isin(ids)].astype(str)
        return (
            results[[*VERDICT_COLUMNS, "unexpected_sample"]]
            .astype(str)
            .sort_values(VERDICT_COLUMNS, ignore_index=True),
            flags.sort_values(list(flags.columns), ignore_index=True),
        )

    full_results, full_flags = of_year(full)
    alone_results, alone_flags = of_year(alone)
    assert len(full_flags) > 0
    pd.testing.assert_frame_equal(alone_results, full_results)
    pd.testing.assert_frame_equal(alone_flags, full_flags)
