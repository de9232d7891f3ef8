with

source as (
    select * from {{ source('reference', 'localities') }}
),

renamed as (
    select
        locality_id,
        scheme,
        code,
        name_vi,
        level,
        parent_id,
        province_id,
        valid_from,
        valid_to
    from source
)

select * from renamed
