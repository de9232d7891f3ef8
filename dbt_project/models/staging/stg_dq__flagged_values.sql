with

source as (
    select * from {{ source('dq', 'flagged_values') }}
),

renamed as (
    select
        submission_id,
        indicator_code,
        locality_id,
        year,
        severity,
        check_name,
        detail
    from source
)

select * from renamed
