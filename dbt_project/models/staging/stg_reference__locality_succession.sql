with source as (
    select * from {{ source('reference', 'locality_succession') }}
)

select * from source
