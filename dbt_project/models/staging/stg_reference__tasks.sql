with source as (
    select * from {{ source('reference', 'tasks') }}
)

select * from source
