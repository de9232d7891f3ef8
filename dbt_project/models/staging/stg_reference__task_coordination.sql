with

source as (
    select * from {{ source('reference', 'task_coordination') }}
),

renamed as (
    select
        cast(task_id as {{ dbt.type_string() }}) as task_id,
        cast(sector as {{ dbt.type_string() }}) as sector,
        cast(agency_as_written as {{ dbt.type_string() }}) as agency_as_written
    from source
)

select * from renamed
