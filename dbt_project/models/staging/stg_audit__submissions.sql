with

source as (
    select * from {{ source('audit', 'submissions') }}
),

renamed as (
    select
        submission_id,
        file_name,
        sha256,
        received_at,
        agency_id,
        plan_id,
        sector,
        year,
        locality_id,
        status,
        rows_read,
        cells_read,
        values_loaded,
        values_quarantined,
        message,
        archived_path,
        reason_code
    from source
)

select * from renamed
