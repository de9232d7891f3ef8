with

source as (
    select * from {{ source('reference', 'locality_succession') }}
),

renamed as (
    select
        old_locality_id,
        new_locality_id,
        allocation_share,
        is_partial,
        allocation_rule
    from source
)

select * from renamed
