with

source as (
    select * from {{ source('dq', 'check_results') }}
),

renamed as (
    select
        run_id,
        checked_at,
        suite,
        check_name,
        severity,
        success,
        element_count,
        unexpected_count,
        unexpected_sample,
        submission_id
    from source
)

select * from renamed
