"""Assets, one module per stage: reference data, agency submissions, data quality, dbt models, reports."""
