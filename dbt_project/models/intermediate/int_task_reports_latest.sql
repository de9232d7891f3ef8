-- One task report per task x year: what the current loaded submission said about it.
--   current:  submissions with status `loaded`, the latest received per plan x sector x year (the ingest's own
--             supersede rule; ranked again here because a sector without a registered agency has a null
--             agency_id, which int_submissions_ranked would lump together).
--   several sectors report the same task (a duty addressed to every agency, or a coordinating sector adding a
--             row): the lead sector's report wins, else the latest received; reports_count says how many.
with

submissions as (
    select * from {{ ref('stg_audit__submissions') }}
    where status = 'loaded'
),

current_submissions as (
    select
        submission_id,
        agency_id,
        plan_id,
        sector,
        year,
        received_at
    from (
        select
            submission_id,
            agency_id,
            plan_id,
            sector,
            year,
            received_at,
            row_number() over (
                partition by plan_id, sector, year
                order by received_at desc, submission_id desc
            ) as recency_rank
        from submissions
    ) as ranked
    where recency_rank = 1
),

task_reports as (
    select * from {{ ref('stg_agency_workbooks__task_reports') }}
),

tasks as (
    select * from {{ ref('stg_reference__tasks') }}
),

reports as (
    select
        task_reports.task_id,
        tasks.plan_id,
        task_reports.year,
        task_reports.status,
        task_reports.narrative_vi,
        task_reports.evidence_ref,
        task_reports.submission_id,
        task_reports.sheet,
        task_reports.cell,
        current_submissions.agency_id as reported_by,
        current_submissions.sector as reported_by_sector,
        current_submissions.received_at,
        row_number() over (
            partition by task_reports.task_id, task_reports.year
            order by
                case when current_submissions.sector = tasks.lead_sector then 0 else 1 end,
                current_submissions.received_at desc,
                task_reports.submission_id desc
        ) as report_rank,
        count(*) over (partition by task_reports.task_id, task_reports.year) as reports_count
    from task_reports
    inner join current_submissions
        on task_reports.submission_id = current_submissions.submission_id
    inner join tasks
        on task_reports.task_id = tasks.task_id
        and current_submissions.plan_id = tasks.plan_id
)

select
    task_id,
    plan_id,
    year,
    status,
    narrative_vi,
    evidence_ref,
    submission_id,
    sheet,
    cell,
    reported_by,
    reported_by_sector,
    received_at,
    reports_count
from reports
where report_rank = 1
