with source as (
    select * from {{ source('reference', 'localities') }}
)

select * from source
