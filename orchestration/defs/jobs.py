"""Jobs: the units the CLI, the schedules and the sensors launch.

Three stages because they are partitioned differently: reference data (unpartitioned), the yearly ingest
(partitioned by reporting year) and the warehouse build (data quality, dbt, reports; unpartitioned). All
run in one process, one step at a time: DuckDB admits a single writer.
"""

from dagster import AssetSelection, define_asset_job, in_process_executor

reference_job = define_asset_job(
    "reference_job",
    selection=AssetSelection.groups("reference"),
    executor_def=in_process_executor,
    tags={"treem/stage": "reference"},
    description="Land the indicator catalog, plan registry, localities, agencies and tasks.",
)

ingest_job = define_asset_job(
    "ingest_job",
    selection=AssetSelection.groups("submissions"),
    executor_def=in_process_executor,
    tags={"treem/stage": "ingest"},
    description="Ingest one reporting year's agency workbooks from the inbox.",
)

warehouse_job = define_asset_job(
    "warehouse_job",
    selection=AssetSelection.all() - AssetSelection.groups("reference", "submissions", "backup", "postgres"),
    executor_def=in_process_executor,
    tags={"treem/stage": "warehouse"},
    description="Validate, build the dbt models and marts, and write the review reports.",
)

report_job = define_asset_job(
    "report_job",
    selection=AssetSelection.groups("reports"),
    executor_def=in_process_executor,
    tags={"treem/stage": "reports"},
    description="Write the sơ kết 2025 / tổng kết 2030 reports from the current marts.",
)

backup_job = define_asset_job(
    "backup_job",
    selection=AssetSelection.groups("backup"),
    executor_def=in_process_executor,
    tags={"treem/stage": "backup"},
    description="Export the warehouse to <warehouse>/backups/ (DuckDB EXPORT DATABASE).",
)

postgres_job = define_asset_job(
    "postgres_job",
    selection=AssetSelection.groups("postgres"),
    executor_def=in_process_executor,
    tags={"treem/stage": "postgres"},
    description="Publish the landing tables to PostgreSQL and build the dbt project there.",
)
