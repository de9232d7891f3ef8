with

source as (
    select * from {{ source('reference', 'indicators') }}
),

renamed as (
    select
        indicator_code,
        goal_group,
        national_item,
        name_vi,
        name_en,
        unit,
        factor,
        direction,
        numerator_vi,
        denominator_vi,
        numerator_le_denominator,
        plausible_min,
        plausible_max,
        is_sensitive
    from source
)

select * from renamed
