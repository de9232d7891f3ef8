with

source as (
    select * from {{ source('agency_workbooks', 'task_reports') }}
),

renamed as (
    select
        cast(submission_id as {{ dbt.type_string() }}) as submission_id,
        cast(task_id as {{ dbt.type_string() }}) as task_id,
        cast(year as integer) as year,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(narrative_vi as {{ dbt.type_string() }}) as narrative_vi,
        cast(evidence_ref as {{ dbt.type_string() }}) as evidence_ref,
        cast(sheet as {{ dbt.type_string() }}) as sheet,
        cast(cell as {{ dbt.type_string() }}) as cell
    from source
)

select * from renamed
