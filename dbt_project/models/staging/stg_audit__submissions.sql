with

source as (
    select * from {{ source('audit', 'submissions') }}
),

renamed as (
    select
        cast(submission_id as {{ dbt.type_string() }}) as submission_id,
        cast(file_name as {{ dbt.type_string() }}) as file_name,
        cast(sha256 as {{ dbt.type_string() }}) as sha256,
        received_at,
        cast(agency_id as {{ dbt.type_string() }}) as agency_id,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(sector as {{ dbt.type_string() }}) as sector,
        cast(year as integer) as year,
        cast(locality_id as {{ dbt.type_string() }}) as locality_id,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(rows_read as integer) as rows_read,
        cast(cells_read as integer) as cells_read,
        cast(values_loaded as integer) as values_loaded,
        cast(values_quarantined as integer) as values_quarantined,
        cast(message as {{ dbt.type_string() }}) as message,
        cast(archived_path as {{ dbt.type_string() }}) as archived_path,
        cast(reason_code as {{ dbt.type_string() }}) as reason_code
    from source
)

select * from renamed
