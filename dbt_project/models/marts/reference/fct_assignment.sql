-- A projection of its staging view (typed there); the intermediate models read the staging view too.
with assignments as (
    select * from {{ ref('stg_reference__assignments') }}
)

select
    plan_id,
    indicator_code,
    plan_item,
    sector,
    agency_as_written
from assignments
