with

source as (
    select * from {{ source('dq', 'flagged_values') }}
),

renamed as (
    select
        cast(submission_id as {{ dbt.type_string() }}) as submission_id,
        cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
        cast(locality_id as {{ dbt.type_string() }}) as locality_id,
        cast(year as integer) as year,
        cast(severity as {{ dbt.type_string() }}) as severity,
        cast(check_name as {{ dbt.type_string() }}) as check_name,
        cast(detail as {{ dbt.type_string() }}) as detail
    from source
)

select * from renamed
