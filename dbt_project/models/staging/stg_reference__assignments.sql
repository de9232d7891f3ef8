with

source as (
    select * from {{ source('reference', 'assignments') }}
),

renamed as (
    select
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
        cast(plan_item as {{ dbt.type_string() }}) as plan_item,
        cast(sector as {{ dbt.type_string() }}) as sector,
        cast(agency_as_written as {{ dbt.type_string() }}) as agency_as_written
    from source
)

select * from renamed
