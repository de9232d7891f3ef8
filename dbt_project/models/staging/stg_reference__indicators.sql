with

source as (
    select * from {{ source('reference', 'indicators') }}
),

renamed as (
    select
        cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
        cast(goal_group as integer) as goal_group,
        cast(national_item as {{ dbt.type_string() }}) as national_item,
        cast(name_vi as {{ dbt.type_string() }}) as name_vi,
        cast(name_en as {{ dbt.type_string() }}) as name_en,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(factor as integer) as factor,
        cast(direction as {{ dbt.type_string() }}) as direction,
        cast(numerator_vi as {{ dbt.type_string() }}) as numerator_vi,
        cast(denominator_vi as {{ dbt.type_string() }}) as denominator_vi,
        cast(numerator_le_denominator as boolean) as numerator_le_denominator,
        cast(plausible_min as {{ type_double() }}) as plausible_min,
        cast(plausible_max as {{ type_double() }}) as plausible_max,
        cast(is_sensitive as boolean) as is_sensitive
    from source
)

select * from renamed
