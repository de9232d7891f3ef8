"""Reporting years as partitions: the programme runs 2021-2030 with 2020 as the baseline year.

A StaticPartitionsDefinition (not a time window) because a year's data keeps arriving after the year ends
and the review years are fixed by the plans, not by the calendar.
"""

from dagster import StaticPartitionsDefinition

PROGRAMME_YEARS = [str(year) for year in range(2020, 2031)]

year_partitions = StaticPartitionsDefinition(PROGRAMME_YEARS)
