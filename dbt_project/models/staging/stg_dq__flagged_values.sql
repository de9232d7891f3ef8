with source as (
    select * from {{ source('dq', 'flagged_values') }}
)

select * from source
