with source as (
    select * from {{ source('agency_workbooks', 'task_reports') }}
)

select * from source
