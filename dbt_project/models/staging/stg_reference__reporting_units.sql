with

source as (
    select * from {{ source('reference', 'reporting_units') }}
),

renamed as (
    select
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(year as integer) as year,
        cast(valid_on as date) as valid_on,
        cast(unit_id as {{ dbt.type_string() }}) as unit_id,
        cast(unit_level as {{ dbt.type_string() }}) as unit_level
    from source
)

select * from renamed
