with source as (
    select * from {{ source('reference', 'agencies') }}
)

select * from source
