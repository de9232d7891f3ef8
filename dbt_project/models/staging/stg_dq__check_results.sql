with source as (
    select * from {{ source('dq', 'check_results') }}
)

select * from source
