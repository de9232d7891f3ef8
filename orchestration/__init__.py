"""Dagster orchestration of treem: one Definitions object that the UI, the schedules and the CLI all run."""
