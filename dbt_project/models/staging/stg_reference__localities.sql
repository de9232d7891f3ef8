with

source as (
    select * from {{ source('reference', 'localities') }}
),

renamed as (
    select
        cast(locality_id as {{ dbt.type_string() }}) as locality_id,
        cast(scheme as {{ dbt.type_string() }}) as scheme,
        cast(code as {{ dbt.type_string() }}) as code,
        cast(name_vi as {{ dbt.type_string() }}) as name_vi,
        cast(level as {{ dbt.type_string() }}) as level,
        cast(parent_id as {{ dbt.type_string() }}) as parent_id,
        cast(province_id as {{ dbt.type_string() }}) as province_id,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to
    from source
)

select * from renamed
