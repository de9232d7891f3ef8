with

source as (
    select * from {{ source('reference', 'plans') }}
),

renamed as (
    select
        plan_id,
        title_vi,
        document_no,
        issued_on,
        issuer_vi,
        locality_id,
        source_file,
        report_deadline
    from source
)

select * from renamed
