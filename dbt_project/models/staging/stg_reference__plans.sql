with source as (
    select * from {{ source('reference', 'plans') }}
)

select * from source
