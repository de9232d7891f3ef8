-- A projection of its staging view (typed there); the intermediate models read the staging view too.
with succession as (
    select * from {{ ref('stg_reference__locality_succession') }}
)

select
    old_locality_id,
    new_locality_id,
    allocation_share,
    is_partial,
    allocation_rule
from succession
