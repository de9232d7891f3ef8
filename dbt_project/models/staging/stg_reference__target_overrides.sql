with

source as (
    select * from {{ source('reference', 'target_overrides') }}
),

renamed as (
    select
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
        cast(year as integer) as year,
        cast(authoritative_section as {{ dbt.type_string() }}) as authoritative_section,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(reviewed_by as {{ dbt.type_string() }}) as reviewed_by
    from source
)

select * from renamed
