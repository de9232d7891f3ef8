with

source as (
    select * from {{ source('reference', 'agencies') }}
),

renamed as (
    select
        cast(agency_id as {{ dbt.type_string() }}) as agency_id,
        cast(name_vi as {{ dbt.type_string() }}) as name_vi,
        cast(sector as {{ dbt.type_string() }}) as sector,
        cast(locality_id as {{ dbt.type_string() }}) as locality_id,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to
    from source
)

select * from renamed
