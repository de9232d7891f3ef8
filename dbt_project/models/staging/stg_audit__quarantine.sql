with source as (
    select * from {{ source('audit', 'quarantine') }}
)

select * from source
