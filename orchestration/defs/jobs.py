"""Jobs: the units the CLI, the schedules and the sensor launch.

Three stages because they have different partitioning: reference data (unpartitioned), the yearly ingest
(partitioned by reporting year), and the warehouse build (dbt, data quality, reports; unpartitioned).
"""

from dagster import AssetSelection, define_asset_job

reference_job = define_asset_job(
    "reference_job",
    selection=AssetSelection.groups("reference"),
    description="Land the indicator catalog, plan registry, localities, agencies and tasks.",
)

warehouse_job = define_asset_job(
    "warehouse_job",
    selection=AssetSelection.all() - AssetSelection.groups("reference", "submissions"),
    description="Validate, build the dbt models and marts, and write the review reports.",
)
