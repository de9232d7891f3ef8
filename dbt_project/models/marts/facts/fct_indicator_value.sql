{{ config(**year_incremental()) }}
with values_unioned as (
    select * from {{ ref('int_indicator_values_unioned') }}
    where {{ in_rebuilt_years() }}
)

select
    cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
    cast(locality_id as {{ dbt.type_string() }}) as locality_id,
    cast(year as integer) as year,
    cast(value as {{ type_double() }}) as value,
    cast(numerator as {{ type_double() }}) as numerator,
    cast(denominator as {{ type_double() }}) as denominator,
    cast(origin as {{ dbt.type_string() }}) as origin,
    cast(agency_id as {{ dbt.type_string() }}) as agency_id,
    cast(submission_id as {{ dbt.type_string() }}) as submission_id,
    cast(quality_status as {{ dbt.type_string() }}) as quality_status,
    cast(plan_id as {{ dbt.type_string() }}) as plan_id,
    cast(scheme as {{ dbt.type_string() }}) as scheme,
    cast(level as {{ dbt.type_string() }}) as level,
    cast(is_approximate as boolean) as is_approximate,
    cast(child_count as integer) as child_count,
    cast(expected_child_count as integer) as expected_child_count,
    cast(warning_value_count as integer) as warning_value_count,
    cast(sheet as {{ dbt.type_string() }}) as sheet,
    cast(cell as {{ dbt.type_string() }}) as cell,
    cast(raw_value as {{ dbt.type_string() }}) as raw_value,
    cast(value_qualifier as {{ dbt.type_string() }}) as value_qualifier,
    cast(source_quote as {{ dbt.type_string() }}) as source_quote
from values_unioned
