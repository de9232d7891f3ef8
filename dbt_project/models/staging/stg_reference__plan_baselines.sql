with

source as (
    select * from {{ source('reference', 'plan_baselines') }}
),

renamed as (
    select
        plan_id,
        locality_id,
        indicator_code,
        year,
        value,
        {{ clean_quote('source_quote') }} as source_quote
    from source
)

select * from renamed
