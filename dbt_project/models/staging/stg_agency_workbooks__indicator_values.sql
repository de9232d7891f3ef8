with

source as (
    select * from {{ source('agency_workbooks', 'indicator_values') }}
),

renamed as (
    select
        cast(submission_id as {{ dbt.type_string() }}) as submission_id,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(agency_id as {{ dbt.type_string() }}) as agency_id,
        cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
        cast(locality_id as {{ dbt.type_string() }}) as locality_id,
        cast(year as integer) as year,
        cast(value as {{ type_double() }}) as value,
        cast(numerator as {{ type_double() }}) as numerator,
        cast(denominator as {{ type_double() }}) as denominator,
        cast(is_total_row as boolean) as is_total_row,
        cast(sheet as {{ dbt.type_string() }}) as sheet,
        cast(cell as {{ dbt.type_string() }}) as cell,
        cast(raw_value as {{ dbt.type_string() }}) as raw_value,
        cast(value_qualifier as {{ dbt.type_string() }}) as value_qualifier
    from source
)

select * from renamed
