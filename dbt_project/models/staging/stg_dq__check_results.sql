with

source as (
    select * from {{ source('dq', 'check_results') }}
),

renamed as (
    select
        cast(run_id as {{ dbt.type_string() }}) as run_id,
        checked_at,
        cast(suite as {{ dbt.type_string() }}) as suite,
        cast(check_name as {{ dbt.type_string() }}) as check_name,
        cast(severity as {{ dbt.type_string() }}) as severity,
        cast(success as boolean) as success,
        cast(element_count as integer) as element_count,
        cast(unexpected_count as integer) as unexpected_count,
        cast(unexpected_sample as {{ dbt.type_string() }}) as unexpected_sample,
        cast(submission_id as {{ dbt.type_string() }}) as submission_id
    from source
)

select * from renamed
