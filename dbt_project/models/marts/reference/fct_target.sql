-- A projection of int_targets_flagged, where the judgements and plan_item_order are made.
with targets as (
    select * from {{ ref('int_targets_flagged') }}
)

select
    plan_id,
    locality_id,
    indicator_code,
    plan_item,
    year,
    comparator,
    target_value,
    target_value_high,
    source_section,
    source_quote,
    is_conflicting,
    is_authoritative,
    claim_id,
    unit_as_written,
    conversion_factor,
    authority_rule,
    plan_item_order
from targets
