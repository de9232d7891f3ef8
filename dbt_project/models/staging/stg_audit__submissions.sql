with source as (
    select * from {{ source('audit', 'submissions') }}
)

select * from source
