-- Total rows of agency sheets ("Tổng cộng", "Toàn tỉnh"): reported figures to check against the roll-up of
-- the localities, never localities themselves (domain-notes §4). Whether a total agrees with its roll-up is
-- the data-quality layer's one verdict (check total_vs_rollup, tolerance in expectations/config.yaml): this
-- model shows the roll-up beside it and never judges a second time.
with

totals as (
    select * from {{ ref('int_indicator_values_flagged') }}
    where is_preferred
        and is_total_row
),

rollups as (
    select * from {{ ref('int_indicator_values_rolled_up') }}
),

rollup_flags as (
    select distinct
        submission_id,
        indicator_code,
        locality_id,
        year
    from {{ ref('stg_dq__flagged_values') }}
    where check_name = 'total_vs_rollup'
),

compared as (
    select
        totals.indicator_code,
        totals.locality_id,
        totals.year,
        totals.value as reported_value,
        totals.numerator as reported_numerator,
        totals.denominator as reported_denominator,
        rollups.value as rollup_value,
        rollups.numerator as rollup_numerator,
        rollups.denominator as rollup_denominator,
        rollups.child_count as rollup_child_count,
        rollups.is_approximate as rollup_is_approximate,
        {{ safe_divide('totals.value - rollups.value', 'abs(rollups.value)') }} as relative_difference,
        rollup_flags.submission_id is not null as is_flagged_by_dq,
        totals.agency_id,
        totals.submission_id,
        totals.plan_id,
        totals.quality_status,
        totals.sheet,
        totals.cell,
        totals.raw_value
    from totals
    left join rollups
        on totals.indicator_code = rollups.indicator_code
        and totals.locality_id = rollups.locality_id
        and totals.year = rollups.year
    left join rollup_flags
        on totals.submission_id = rollup_flags.submission_id
        and totals.indicator_code = rollup_flags.indicator_code
        and totals.locality_id = rollup_flags.locality_id
        and totals.year = rollup_flags.year
)

select
    cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
    cast(locality_id as {{ dbt.type_string() }}) as locality_id,
    cast(year as integer) as year,
    cast(reported_value as {{ type_double() }}) as reported_value,
    cast(reported_numerator as {{ type_double() }}) as reported_numerator,
    cast(reported_denominator as {{ type_double() }}) as reported_denominator,
    cast(rollup_value as {{ type_double() }}) as rollup_value,
    cast(rollup_numerator as {{ type_double() }}) as rollup_numerator,
    cast(rollup_denominator as {{ type_double() }}) as rollup_denominator,
    cast(rollup_child_count as integer) as rollup_child_count,
    cast(rollup_is_approximate as boolean) as rollup_is_approximate,
    cast(relative_difference as {{ type_double() }}) as relative_difference,
    cast(
        case
            when rollup_value is null or reported_value is null then null
            else not is_flagged_by_dq
        end as boolean
    ) as agrees_with_rollup,
    cast(agency_id as {{ dbt.type_string() }}) as agency_id,
    cast(submission_id as {{ dbt.type_string() }}) as submission_id,
    cast(plan_id as {{ dbt.type_string() }}) as plan_id,
    cast(quality_status as {{ dbt.type_string() }}) as quality_status,
    cast(sheet as {{ dbt.type_string() }}) as sheet,
    cast(cell as {{ dbt.type_string() }}) as cell,
    cast(raw_value as {{ dbt.type_string() }}) as raw_value
from compared
