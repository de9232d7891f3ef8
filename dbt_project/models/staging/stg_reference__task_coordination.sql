with

source as (
    select * from {{ source('reference', 'task_coordination') }}
),

renamed as (
    select
        task_id,
        sector,
        agency_as_written
    from source
)

select * from renamed
