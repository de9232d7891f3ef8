-- Task implementation per plan x task x year: the status, narrative and evidence of the current loaded
-- submission (int_task_reports_latest), on every expected year (int_task_years_expanded), so a task nobody
-- reported on is a row with is_reported = false and a null status.
with

task_years as (
    select * from {{ ref('int_task_years_expanded') }}
),

tasks as (
    select * from {{ ref('dim_task') }}
),

reports as (
    select * from {{ ref('int_task_reports_latest') }}
),

final as (
    select
        task_years.plan_id,
        task_years.task_id,
        task_years.year,
        tasks.section,
        tasks.task_label,
        tasks.text_vi,
        tasks.lead_sector,
        tasks.lead_as_written,
        reports.status,
        reports.narrative_vi,
        reports.evidence_ref,
        reports.reported_by,
        reports.reported_by_sector,
        reports.received_at,
        reports.submission_id,
        reports.sheet,
        reports.cell,
        coalesce(reports.reports_count, 0) as reports_count,
        reports.task_id is not null as is_reported
    from task_years
    inner join tasks
        on task_years.task_id = tasks.task_id
    left join reports
        on task_years.task_id = reports.task_id
        and task_years.year = reports.year
)

select
    cast(plan_id as {{ dbt.type_string() }}) as plan_id,
    cast(task_id as {{ dbt.type_string() }}) as task_id,
    cast(year as integer) as year,
    cast(section as {{ dbt.type_string() }}) as section,
    cast(task_label as {{ dbt.type_string() }}) as task_label,
    cast(text_vi as {{ dbt.type_string() }}) as text_vi,
    cast(lead_sector as {{ dbt.type_string() }}) as lead_sector,
    cast(lead_as_written as {{ dbt.type_string() }}) as lead_as_written,
    cast(status as {{ dbt.type_string() }}) as status,
    cast(narrative_vi as {{ dbt.type_string() }}) as narrative_vi,
    cast(evidence_ref as {{ dbt.type_string() }}) as evidence_ref,
    cast(reported_by as {{ dbt.type_string() }}) as reported_by,
    cast(reported_by_sector as {{ dbt.type_string() }}) as reported_by_sector,
    cast(received_at as timestamp) as received_at,
    cast(submission_id as {{ dbt.type_string() }}) as submission_id,
    cast(sheet as {{ dbt.type_string() }}) as sheet,
    cast(cell as {{ dbt.type_string() }}) as cell,
    cast(reports_count as integer) as reports_count,
    cast(is_reported as boolean) as is_reported
from final
