-- Share of tasks done per plan x lead sector x year (the agency leading them; `all_agencies` groups the duties
-- addressed to every agency). done_pct = done / tasks x 100, unreported tasks counted as not done.
with

progress as (
    select * from {{ ref('mart_task_progress') }}
),

counted as (
    select
        plan_id,
        lead_sector,
        year,
        count(*) as tasks,
        sum(case when status = 'done' then 1 else 0 end) as done,
        sum(case when status = 'in_progress' then 1 else 0 end) as in_progress,
        sum(case when status = 'not_started' then 1 else 0 end) as not_started,
        sum(case when is_reported then 0 else 1 end) as not_reported
    from progress
    group by plan_id, lead_sector, year
)

select
    cast(plan_id as {{ dbt.type_string() }}) as plan_id,
    cast(lead_sector as {{ dbt.type_string() }}) as lead_sector,
    cast(year as integer) as year,
    cast(tasks as integer) as tasks,
    cast(done as integer) as done,
    cast(in_progress as integer) as in_progress,
    cast(not_started as integer) as not_started,
    cast(not_reported as integer) as not_reported,
    cast(100.0 * {{ safe_divide('done', 'tasks') }} as {{ type_double() }}) as done_pct
from counted
