with

source as (
    select * from {{ source('reference', 'plans') }}
),

renamed as (
    select
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(title_vi as {{ dbt.type_string() }}) as title_vi,
        cast(document_no as {{ dbt.type_string() }}) as document_no,
        cast(issued_on as date) as issued_on,
        cast(issuer_vi as {{ dbt.type_string() }}) as issuer_vi,
        cast(locality_id as {{ dbt.type_string() }}) as locality_id,
        cast(source_file as {{ dbt.type_string() }}) as source_file,
        cast(report_deadline as {{ dbt.type_string() }}) as report_deadline
    from source
)

select * from renamed
