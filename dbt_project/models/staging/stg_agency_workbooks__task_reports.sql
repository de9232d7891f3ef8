with

source as (
    select * from {{ source('agency_workbooks', 'task_reports') }}
),

renamed as (
    select
        submission_id,
        task_id,
        year,
        status,
        narrative_vi,
        evidence_ref,
        sheet,
        cell
    from source
)

select * from renamed
