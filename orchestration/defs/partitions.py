"""Reporting years as partitions: the programme runs 2021-2030 with 2020 as the baseline year.

A StaticPartitionsDefinition (not a time window) because a year's data keeps arriving after the year ends
and the review years are fixed by the plans, not by the calendar.
"""

from dagster import StaticPartitionsDefinition

from ingest.reference import labels

PROGRAMME_YEARS = [str(year) for year in labels.PROGRAMME_YEARS]

year_partitions = StaticPartitionsDefinition(PROGRAMME_YEARS)
