with source as (
    select * from {{ source('reference', 'targets') }}
)

select * from source
