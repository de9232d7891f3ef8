with source as (
    select * from {{ source('reference', 'task_coordination') }}
)

select * from source
