with targets as (
    select * from {{ ref('int_targets_flagged') }}
)

select
    cast(plan_id as {{ dbt.type_string() }}) as plan_id,
    cast(locality_id as {{ dbt.type_string() }}) as locality_id,
    cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
    cast(plan_item as {{ dbt.type_string() }}) as plan_item,
    cast(year as integer) as year,
    cast(comparator as {{ dbt.type_string() }}) as comparator,
    cast(target_value as {{ type_double() }}) as target_value,
    cast(target_value_high as {{ type_double() }}) as target_value_high,
    cast(source_section as {{ dbt.type_string() }}) as source_section,
    cast(source_quote as {{ dbt.type_string() }}) as source_quote,
    cast(is_conflicting as boolean) as is_conflicting,
    cast(is_authoritative as boolean) as is_authoritative,
    cast(claim_id as {{ dbt.type_string() }}) as claim_id,
    cast(unit_as_written as {{ dbt.type_string() }}) as unit_as_written,
    cast(conversion_factor as {{ type_double() }}) as conversion_factor,
    cast(authority_rule as {{ dbt.type_string() }}) as authority_rule,
    cast({{ plan_item_order('plan_item') }} as integer) as plan_item_order
from targets
