-- A projection of its staging view (typed there); the intermediate models read the staging view too.
with agencies as (
    select * from {{ ref('stg_reference__agencies') }}
)

select
    agency_id,
    name_vi,
    sector,
    locality_id,
    valid_from,
    valid_to
from agencies
