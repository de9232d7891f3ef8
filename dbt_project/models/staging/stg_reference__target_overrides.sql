with

source as (
    select * from {{ source('reference', 'target_overrides') }}
),

renamed as (
    select
        plan_id,
        indicator_code,
        year,
        authoritative_section,
        reason,
        reviewed_by
    from source
)

select * from renamed
