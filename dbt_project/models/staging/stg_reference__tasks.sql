with

source as (
    select * from {{ source('reference', 'tasks') }}
),

renamed as (
    select
        cast(task_id as {{ dbt.type_string() }}) as task_id,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(section as {{ dbt.type_string() }}) as section,
        cast(task_label as {{ dbt.type_string() }}) as task_label,
        cast(text_vi as {{ dbt.type_string() }}) as text_vi,
        cast(lead_sector as {{ dbt.type_string() }}) as lead_sector,
        cast(lead_as_written as {{ dbt.type_string() }}) as lead_as_written,
        cast(locality_id as {{ dbt.type_string() }}) as locality_id
    from source
)

select * from renamed
