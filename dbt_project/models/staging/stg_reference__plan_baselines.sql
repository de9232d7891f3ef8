with

source as (
    select * from {{ source('reference', 'plan_baselines') }}
),

renamed as (
    select
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(locality_id as {{ dbt.type_string() }}) as locality_id,
        cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
        cast(year as integer) as year,
        cast(value as {{ type_double() }}) as value,
        {{ clean_quote('source_quote') }} as source_quote
    from source
)

select * from renamed
