-- Reporting completeness per plan x sector x year: how many of the expected values (units x assigned
-- indicators, int_reporting_obligations_expanded) arrived in current loaded submissions, and whether the
-- expected agency's first file (loaded, possibly superseded since) arrived by the plan's deadline.
with

obligations as (
    select * from {{ ref('int_reporting_obligations_expanded') }}
),

received_values as (
    select * from {{ ref('int_indicator_values_flagged') }}
    where not is_total_row
),

submissions as (
    select * from {{ ref('stg_audit__submissions') }}
    where status in ('loaded', 'superseded')
),

matched as (
    select distinct
        obligations.plan_id,
        obligations.sector,
        obligations.year,
        obligations.unit_id,
        obligations.indicator_code
    from obligations
    inner join received_values
        on obligations.plan_id = received_values.plan_id
        and obligations.year = received_values.year
        and obligations.unit_id = received_values.locality_id
        and obligations.indicator_code = received_values.indicator_code
),

expected as (
    select
        plan_id,
        sector,
        year,
        territory_id,
        deadline,
        expected_agency_id,
        count(*) as expected_values
    from obligations
    group by plan_id, sector, year, territory_id, deadline, expected_agency_id
),

received as (
    select
        plan_id,
        sector,
        year,
        count(*) as received_values
    from matched
    group by plan_id, sector, year
),

arrivals as (
    select
        expected.plan_id,
        expected.sector,
        expected.year,
        min(submissions.received_at) as first_received_at,
        max(submissions.received_at) as last_received_at
    from expected
    inner join submissions
        on expected.plan_id = submissions.plan_id
        and expected.year = submissions.year
        and (
            submissions.agency_id = expected.expected_agency_id
            or (expected.expected_agency_id is null and submissions.sector = expected.sector)
        )
    group by expected.plan_id, expected.sector, expected.year
),

final as (
    select
        expected.expected_agency_id as agency_id,
        expected.territory_id as locality_id,
        expected.year,
        expected.expected_values,
        coalesce(received.received_values, 0) as received_values,
        100.0 * coalesce(received.received_values, 0) / expected.expected_values as completeness_pct,
        arrivals.first_received_at,
        arrivals.last_received_at,
        expected.deadline,
        case
            when arrivals.first_received_at is null then false
            else cast(arrivals.first_received_at as date) <= expected.deadline
        end as on_time,
        expected.plan_id,
        expected.sector
    from expected
    left join received
        on expected.plan_id = received.plan_id
        and expected.sector = received.sector
        and expected.year = received.year
    left join arrivals
        on expected.plan_id = arrivals.plan_id
        and expected.sector = arrivals.sector
        and expected.year = arrivals.year
)

select
    cast(agency_id as {{ dbt.type_string() }}) as agency_id,
    cast(locality_id as {{ dbt.type_string() }}) as locality_id,
    cast(year as integer) as year,
    cast(expected_values as integer) as expected_values,
    cast(received_values as integer) as received_values,
    cast(completeness_pct as {{ type_double() }}) as completeness_pct,
    cast(first_received_at as timestamp) as first_received_at,
    cast(last_received_at as timestamp) as last_received_at,
    cast(deadline as date) as deadline,
    cast(on_time as boolean) as on_time,
    cast(plan_id as {{ dbt.type_string() }}) as plan_id,
    cast(sector as {{ dbt.type_string() }}) as sector
from final
