"""The read copy for analysts: complete, atomically replaced, and readable while the pipeline writes."""

from __future__ import annotations

import duckdb

from ingest.snapshot import read_copy_path, snapshot_for_readers


def test_snapshot_swaps_in_a_complete_copy(tmp_path):
    wh = tmp_path / "treem.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.t as select range as i from range(1000)")
    read = snapshot_for_readers(wh)
    assert read == read_copy_path(wh) == tmp_path / "treem.read.duckdb"

    reader = duckdb.connect(str(read), read_only=True)  # an analyst with the old copy open
    with duckdb.connect(str(wh)) as writer:  # the pipeline writes meanwhile: nobody is blocked
        writer.execute("insert into marts.t select range from range(1000, 1500)")
        assert reader.execute("select count(*) from marts.t").fetchone()[0] == 1000
    snapshot_for_readers(wh)
    assert reader.execute("select count(*) from marts.t").fetchone()[0] == 1000  # still the old snapshot
    reader.close()
    with duckdb.connect(str(read), read_only=True) as fresh:
        assert fresh.execute("select count(*) from marts.t").fetchone()[0] == 1500
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_the_readers_copy_is_written_for_duckdb_1x_clients(tmp_path):
    """Desktop SQL tools bundle DuckDB 1.x, which cannot open a file in DuckDB 2.x's own format."""
    from ingest.snapshot import READER_STORAGE_VERSION

    wh = tmp_path / "treem.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.t as select range as i, 'xã ' || range as name from range(10)")
        con.execute("create view marts.v as select count(*) as n from marts.t")
    read = snapshot_for_readers(wh)
    with duckdb.connect(str(read), read_only=True) as con:
        tags = con.execute("select tags from duckdb_databases() where not internal").fetchone()[0]
        assert tags["storage_version"].startswith(READER_STORAGE_VERSION)
        assert con.execute("select n from marts.v").fetchone()[0] == 10
        assert con.execute("select name from marts.t where i = 3").fetchone()[0] == "xã 3"


def test_a_treem_warehouse_is_copied_byte_for_byte_in_the_readers_format(tmp_path):
    """treem creates its warehouse in the readers' format, so the read copy is the checkpointed file itself
    (no table re-encoded) and still opens in DuckDB 1.4 clients."""
    import filecmp

    from ingest import warehouse
    from ingest.snapshot import READER_STORAGE_VERSION

    wh = tmp_path / "treem.duckdb"
    with warehouse.connect(wh) as con:
        con.execute("create schema marts")
        con.execute("create table marts.t as select range as i, 'xã ' || range as name from range(100000)")
    with duckdb.connect(str(wh)) as con:  # as dbt opens it, without the setting: the file keeps its format
        con.execute("insert into marts.t select range, 'phường' from range(100000, 100010)")
    read = snapshot_for_readers(wh)
    assert filecmp.cmp(wh, read, shallow=False)
    with duckdb.connect(str(read), read_only=True) as con:
        tags = con.execute("select tags from duckdb_databases() where not internal").fetchone()[0]
        assert tags["storage_version"].startswith(READER_STORAGE_VERSION)
        assert con.execute("select count(*) from marts.t").fetchone()[0] == 100010
