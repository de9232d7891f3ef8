with

source as (
    select * from {{ source('reference', 'targets') }}
),

renamed as (
    select
        cast(claim_id as {{ dbt.type_string() }}) as claim_id,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(locality_id as {{ dbt.type_string() }}) as locality_id,
        cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
        cast(plan_item as {{ dbt.type_string() }}) as plan_item,
        cast(year as integer) as year,
        cast(comparator as {{ dbt.type_string() }}) as comparator,
        cast(target_value as {{ type_double() }}) as target_value,
        cast(target_value_high as {{ type_double() }}) as target_value_high,
        cast(unit_as_written as {{ dbt.type_string() }}) as unit_as_written,
        cast(conversion_factor as {{ type_double() }}) as conversion_factor,
        cast(source_section as {{ dbt.type_string() }}) as source_section,
        {{ clean_quote('source_quote') }} as source_quote
    from source
)

select * from renamed
