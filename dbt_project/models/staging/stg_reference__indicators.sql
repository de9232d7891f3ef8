with source as (
    select * from {{ source('reference', 'indicators') }}
)

select * from source
