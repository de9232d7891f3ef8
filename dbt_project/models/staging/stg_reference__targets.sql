with

source as (
    select * from {{ source('reference', 'targets') }}
),

renamed as (
    select
        claim_id,
        plan_id,
        locality_id,
        indicator_code,
        plan_item,
        year,
        comparator,
        target_value,
        target_value_high,
        unit_as_written,
        conversion_factor,
        source_section,
        {{ clean_quote('source_quote') }} as source_quote
    from source
)

select * from renamed
