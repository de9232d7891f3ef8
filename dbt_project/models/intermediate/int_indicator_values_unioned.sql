{{ config(**year_incremental()) }}
-- All values of all origins, one row per indicator x locality x year x origin (the grain of
-- fct_indicator_value):
--   reported:       the preferred non-total value of a current loaded submission (error-flagged values are kept
--                   here with quality_status `error` so they stay visible; the review marts drop them);
--   rollup:         int_indicator_values_rolled_up;
--   plan_baseline:  results quoted by a plan (raw.plan_baselines); when several plans quote the same locality
--                   and year, the plan whose territory it is wins, then the lowest plan_id.
with

reported as (
    select * from {{ ref('int_indicator_values_flagged') }}
    where is_preferred
        and not is_total_row
        and {{ in_rebuilt_years() }}
),

rollups as (
    select * from {{ ref('int_indicator_values_rolled_up') }}
    where {{ in_rebuilt_years() }}
),

plan_baselines as (
    select * from {{ ref('stg_reference__plan_baselines') }}
    where {{ in_rebuilt_years() }}
),

plans as (
    select * from {{ ref('stg_reference__plans') }}
),

localities as (
    select * from {{ ref('stg_reference__localities') }}
),

baselines_ranked as (
    select
        plan_baselines.plan_id,
        plan_baselines.locality_id,
        plan_baselines.indicator_code,
        plan_baselines.year,
        plan_baselines.value,
        plan_baselines.source_quote,
        row_number() over (
            partition by plan_baselines.indicator_code, plan_baselines.locality_id, plan_baselines.year
            order by
                case when plans.locality_id = plan_baselines.locality_id then 0 else 1 end,
                plan_baselines.plan_id
        ) as baseline_rank
    from plan_baselines
    left join plans
        on plan_baselines.plan_id = plans.plan_id
    where plan_baselines.value is not null
),

unioned as (
    select
        indicator_code,
        locality_id,
        year,
        value,
        numerator,
        denominator,
        'reported' as origin,
        agency_id,
        submission_id,
        quality_status,
        plan_id,
        false as is_approximate,
        cast(null as integer) as child_count,
        cast(null as integer) as expected_child_count,
        case when quality_status = 'warning' then 1 else 0 end as warning_value_count,
        case when conflict_flag_count > 0 then 1 else 0 end as conflict_value_count,
        sheet,
        cell,
        raw_value,
        value_qualifier,
        cast(null as {{ dbt.type_string() }}) as source_quote
    from reported

    union all

    select
        indicator_code,
        locality_id,
        year,
        value,
        numerator,
        denominator,
        'rollup' as origin,
        cast(null as {{ dbt.type_string() }}) as agency_id,
        cast(null as {{ dbt.type_string() }}) as submission_id,
        quality_status,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        is_approximate,
        child_count,
        expected_child_count,
        warning_value_count,
        conflict_value_count,
        cast(null as {{ dbt.type_string() }}) as sheet,
        cast(null as {{ dbt.type_string() }}) as cell,
        cast(null as {{ dbt.type_string() }}) as raw_value,
        cast(null as {{ dbt.type_string() }}) as value_qualifier,
        cast(null as {{ dbt.type_string() }}) as source_quote
    from rollups

    union all

    select
        indicator_code,
        locality_id,
        year,
        cast(value as {{ type_double() }}) as value,
        cast(null as {{ type_double() }}) as numerator,
        cast(null as {{ type_double() }}) as denominator,
        'plan_baseline' as origin,
        cast(null as {{ dbt.type_string() }}) as agency_id,
        cast(null as {{ dbt.type_string() }}) as submission_id,
        'ok' as quality_status,
        plan_id,
        false as is_approximate,
        cast(null as integer) as child_count,
        cast(null as integer) as expected_child_count,
        0 as warning_value_count,
        0 as conflict_value_count,
        cast(null as {{ dbt.type_string() }}) as sheet,
        cast(null as {{ dbt.type_string() }}) as cell,
        cast(null as {{ dbt.type_string() }}) as raw_value,
        cast(null as {{ dbt.type_string() }}) as value_qualifier,
        source_quote
    from baselines_ranked
    where baseline_rank = 1
),

final as (
    select
        unioned.*,
        localities.scheme,
        localities.level
    from unioned
    left join localities
        on unioned.locality_id = localities.locality_id
)

select * from final
