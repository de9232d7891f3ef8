-- A projection of its staging view (typed there); the intermediate models read the staging view too.
with indicators as (
    select * from {{ ref('stg_reference__indicators') }}
)

select
    indicator_code,
    goal_group,
    name_vi,
    name_en,
    unit,
    direction,
    numerator_vi,
    denominator_vi,
    factor,
    national_item,
    numerator_le_denominator,
    plausible_min,
    plausible_max,
    is_sensitive
from indicators
