with

source as (
    select * from {{ source('audit', 'quarantine') }}
),

renamed as (
    select
        cast(submission_id as {{ dbt.type_string() }}) as submission_id,
        cast(sheet as {{ dbt.type_string() }}) as sheet,
        cast(cell as {{ dbt.type_string() }}) as cell,
        cast(raw_value as {{ dbt.type_string() }}) as raw_value,
        cast(reason_code as {{ dbt.type_string() }}) as reason_code,
        cast(reason_vi as {{ dbt.type_string() }}) as reason_vi
    from source
)

select * from renamed
