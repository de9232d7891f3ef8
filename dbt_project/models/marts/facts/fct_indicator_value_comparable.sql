{{ config(**year_incremental()) }}
with reexpressed as (
    select * from {{ ref('int_indicator_values_reexpressed') }}
    where {{ in_rebuilt_years() }}
)

select
    cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
    cast(locality_id as {{ dbt.type_string() }}) as locality_id,
    cast(year as integer) as year,
    cast(value as {{ type_double() }}) as value,
    cast(numerator as {{ type_double() }}) as numerator,
    cast(denominator as {{ type_double() }}) as denominator,
    cast(basis as {{ dbt.type_string() }}) as basis,
    cast(source_origin as {{ dbt.type_string() }}) as source_origin,
    cast(contributing_count as integer) as contributing_count,
    cast(constituent_count as integer) as constituent_count,
    cast(is_exact as boolean) as is_exact,
    cast(quality_status as {{ dbt.type_string() }}) as quality_status,
    cast(warning_value_count as integer) as warning_value_count,
    cast(is_preferred as boolean) as is_preferred,
    cast(reporting_units as integer) as reporting_units,
    cast(expected_units as integer) as expected_units
from reexpressed
