with

source as (
    select * from {{ source('reference', 'expected_agencies') }}
),

renamed as (
    select
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(sector as {{ dbt.type_string() }}) as sector,
        cast(year as integer) as year,
        cast(valid_on as date) as valid_on,
        cast(expected_agency_id as {{ dbt.type_string() }}) as expected_agency_id
    from source
)

select * from renamed
