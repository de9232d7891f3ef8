with

source as (
    select * from {{ source('reference', 'locality_succession') }}
),

renamed as (
    select
        cast(old_locality_id as {{ dbt.type_string() }}) as old_locality_id,
        cast(new_locality_id as {{ dbt.type_string() }}) as new_locality_id,
        cast(allocation_share as {{ type_double() }}) as allocation_share,
        cast(is_partial as boolean) as is_partial,
        cast(allocation_rule as {{ dbt.type_string() }}) as allocation_rule
    from source
)

select * from renamed
