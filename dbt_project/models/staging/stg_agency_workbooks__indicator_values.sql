with source as (
    select * from {{ source('agency_workbooks', 'indicator_values') }}
)

select * from source
