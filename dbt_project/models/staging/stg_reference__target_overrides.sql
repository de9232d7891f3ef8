with source as (
    select * from {{ source('reference', 'target_overrides') }}
)

select * from source
