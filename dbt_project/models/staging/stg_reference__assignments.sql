with source as (
    select * from {{ source('reference', 'assignments') }}
)

select * from source
