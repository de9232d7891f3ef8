with

source as (
    select * from {{ source('reference', 'tasks') }}
),

renamed as (
    select
        task_id,
        plan_id,
        section,
        task_label,
        text_vi,
        lead_sector,
        lead_as_written,
        locality_id
    from source
)

select * from renamed
