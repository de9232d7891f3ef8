with

source as (
    select * from {{ source('agency_workbooks', 'indicator_values') }}
),

renamed as (
    select
        submission_id,
        plan_id,
        agency_id,
        indicator_code,
        locality_id,
        year,
        value,
        numerator,
        denominator,
        is_total_row,
        sheet,
        cell,
        raw_value,
        value_qualifier
    from source
)

select * from renamed
