with

source as (
    select * from {{ source('reference', 'agencies') }}
),

renamed as (
    select
        agency_id,
        name_vi,
        sector,
        locality_id,
        valid_from,
        valid_to
    from source
)

select * from renamed
