"""Everything that brings data into the warehouse's raw layer.

Reference data (indicator catalog, plans and targets, localities, agencies) and agency workbooks are read
here, in plain Python, and landed as `raw.*` / `audit.*` tables. dbt takes over from the raw layer.
"""
