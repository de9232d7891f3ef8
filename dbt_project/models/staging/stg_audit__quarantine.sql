with

source as (
    select * from {{ source('audit', 'quarantine') }}
),

renamed as (
    select
        submission_id,
        sheet,
        cell,
        raw_value,
        reason_code,
        reason_vi
    from source
)

select * from renamed
