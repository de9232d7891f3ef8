-- A projection of its staging view (typed there); the intermediate models read the staging view too.
with localities as (
    select * from {{ ref('stg_reference__localities') }}
)

select
    locality_id,
    scheme,
    code,
    name_vi,
    level,
    parent_id,
    valid_from,
    valid_to,
    province_id
from localities
