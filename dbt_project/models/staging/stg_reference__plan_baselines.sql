with source as (
    select * from {{ source('reference', 'plan_baselines') }}
)

select * from source
