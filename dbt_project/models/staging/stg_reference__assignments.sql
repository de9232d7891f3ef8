with

source as (
    select * from {{ source('reference', 'assignments') }}
),

renamed as (
    select
        plan_id,
        indicator_code,
        plan_item,
        sector,
        agency_as_written
    from source
)

select * from renamed
