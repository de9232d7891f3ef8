{{ config(materialized="view") }}  {#- read by one model only: no table of its own -#}
-- Every task of every plan in every year it is expected to be reported on: from the year the plan was issued
-- (issued_on, else the year in its plan_id, e.g. lai-chau-2020) to var('completeness_last_year'), plus any
-- other year a report arrived for. Tasks nobody reported on stay visible as rows without a report.
with

tasks as (
    select * from {{ ref('stg_reference__tasks') }}
),

plans as (
    select * from {{ ref('stg_reference__plans') }}
),

reports as (
    select distinct task_id, year from {{ ref('int_task_reports_latest') }}
),

years as (
    {{ year_spine(2020, var('completeness_last_year', 2025)) }}
),

plan_start as (
    select
        tasks.task_id,
        coalesce(
            cast(extract(year from plans.issued_on) as integer),
            cast(right(tasks.plan_id, 4) as integer)
        ) as first_year
    from tasks
    left join plans
        on tasks.plan_id = plans.plan_id
),

expected as (
    select
        plan_start.task_id,
        years.year
    from plan_start
    cross join years
    where years.year >= plan_start.first_year
),

all_years as (
    select task_id, year from expected
    union
    select task_id, year from reports
)

select
    tasks.task_id,
    tasks.plan_id,
    all_years.year
from all_years
inner join tasks
    on all_years.task_id = tasks.task_id
