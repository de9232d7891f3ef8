-- The inputs of every review judgement, one row per plan x locality x indicator x milestone (2025 sơ kết,
-- 2030 tổng kết), for every indicator with an authoritative target (either year) in the plan.
-- Localities: the plan's territory (always), and the units inside it at district/province level that have
-- data for the indicator (the districts of a vn2008 province plan; the provinces of both schemes for the
-- national plan). Values come from int_series_values_assembled (no error-flagged value).
--   baseline: the 2020 value (baseline_year 2020).
--   latest:   the latest available value in a year <= the milestone, and its year (missing years are skipped).
--   milestone value: the value of the milestone year itself (null when missing: status `no_data`).
-- coverage: the reporting / expected units behind the baseline and milestone values, and whether the
-- milestone value was withheld for coverage below var('min_rollup_coverage_pct') (int_series_values_assembled).
-- plan_baseline_value: the plan's own 2020 figure, shown beside a baseline taken from the agencies' data.
-- used_quality_rank / used_warning_count / used_conflict_count cover the values the judgement reads (baseline
-- and latest; the milestone value is the latest when present). used_conflict_count: how many of the reported
-- values behind them were chosen between conflicting submissions (int_indicator_values_flagged.is_preferred).
with

plans as (
    select * from {{ ref('stg_reference__plans') }}
),

localities as (
    select * from {{ ref('stg_reference__localities') }}
),

indicators as (
    select * from {{ ref('stg_reference__indicators') }}
),

targets as (
    select * from {{ ref('int_targets_flagged') }}
    where is_authoritative
),

series_in_years as (
    select * from {{ ref('int_series_values_assembled') }}
    where year between 2020 and 2030
),

plan_baselines as (
    select
        plan_id,
        locality_id,
        indicator_code,
        max(value) as plan_baseline_value
    from {{ ref('int_indicator_values_unioned') }}
    where origin = 'plan_baseline'
        and year = 2020
    group by plan_id, locality_id, indicator_code
),

milestones as (
    select cast(2025 as integer) as milestone_year
    union all
    select cast(2030 as integer) as milestone_year
),

plan_indicators as (
    select
        plan_id,
        indicator_code,
        min(plan_item) as plan_item,
        max(case when year = 2025 then comparator end) as comparator_2025,
        max(case when year = 2025 then target_value end) as target_2025,
        max(case when year = 2025 then target_value_high end) as target_2025_high,
        max(case when year = 2030 then comparator end) as comparator_2030,
        max(case when year = 2030 then target_value end) as target_2030,
        max(case when year = 2030 then target_value_high end) as target_2030_high
    from targets
    group by plan_id, indicator_code
),

plan_localities as (
    select
        plans.plan_id,
        plans.locality_id,
        true as is_plan_territory
    from plans
    where plans.locality_id is not null

    union all

    select
        plans.plan_id,
        localities.locality_id,
        false as is_plan_territory
    from plans
    inner join localities
        on (plans.locality_id = 'vn:VN' and localities.level = 'province')
        or (localities.level = 'district' and localities.parent_id = plans.locality_id)
),

-- Only the localities a plan reviews (territories and the units inside them): the series holds every
-- commune of the country, the review a few hundred units, so the rest is left out before any grouping.
series as (
    select series_in_years.*
    from series_in_years
    where series_in_years.locality_id in (select plan_localities.locality_id from plan_localities)
),

has_data as (
    select distinct locality_id, indicator_code
    from series
),

scoped as (
    select
        plan_localities.plan_id,
        plan_localities.locality_id,
        plan_localities.is_plan_territory,
        plan_indicators.indicator_code,
        plan_indicators.plan_item,
        plan_indicators.comparator_2025,
        plan_indicators.target_2025,
        plan_indicators.target_2025_high,
        plan_indicators.comparator_2030,
        plan_indicators.target_2030,
        plan_indicators.target_2030_high
    from plan_localities
    inner join plan_indicators
        on plan_localities.plan_id = plan_indicators.plan_id
    left join has_data
        on plan_localities.locality_id = has_data.locality_id
        and plan_indicators.indicator_code = has_data.indicator_code
    where plan_localities.is_plan_territory
        or has_data.locality_id is not null
),

latest_years as (
    select
        series.locality_id,
        series.indicator_code,
        milestones.milestone_year,
        max(series.year) as latest_year
    from series
    cross join milestones
    where series.year <= milestones.milestone_year
        and series.value is not null
    group by series.locality_id, series.indicator_code, milestones.milestone_year
),

trajectory as (
    select
        locality_id,
        indicator_code
        {%- for y in range(2020, 2031) %},
        max(case when year = {{ y }} then value end) as value_{{ y }}
        {%- endfor %}
    from series
    group by locality_id, indicator_code
),

assembled as (
    select
        scoped.plan_id,
        scoped.locality_id,
        scoped.is_plan_territory,
        localities.scheme,
        localities.level,
        scoped.indicator_code,
        scoped.plan_item,
        indicators.goal_group,
        indicators.name_vi as indicator_name_vi,
        indicators.unit,
        indicators.direction,
        milestones.milestone_year,
        case when baseline.value is not null then cast(2020 as integer) end as baseline_year,
        baseline.value as baseline_value,
        baseline.series_source as baseline_source,
        milestone.value as milestone_value,
        coalesce(milestone.is_approximate, false) as milestone_is_approximate,
        milestone.series_source as milestone_source,
        latest_years.latest_year,
        latest.value as latest_value,
        coalesce(latest.is_approximate, false) as latest_is_approximate,
        case when milestones.milestone_year = 2025 then scoped.comparator_2025 else scoped.comparator_2030 end
            as target_comparator,
        case when milestones.milestone_year = 2025 then scoped.target_2025 else scoped.target_2030 end
            as target_value,
        case when milestones.milestone_year = 2025 then scoped.target_2025_high else scoped.target_2030_high end
            as target_value_high,
        scoped.comparator_2025,
        scoped.target_2025,
        scoped.target_2025_high,
        scoped.comparator_2030,
        scoped.target_2030,
        scoped.target_2030_high,
        case
            when coalesce({{ severity_rank('baseline.quality_status') }}, 0)
                >= coalesce({{ severity_rank('latest.quality_status') }}, 0)
                then coalesce({{ severity_rank('baseline.quality_status') }}, 0)
            else coalesce({{ severity_rank('latest.quality_status') }}, 0)
        end as used_quality_rank,
        coalesce(baseline.warning_value_count, 0)
            + case
                when latest_years.latest_year is not null and latest_years.latest_year <> 2020
                    then coalesce(latest.warning_value_count, 0)
                else 0
            end as used_warning_count,
        coalesce(baseline.conflict_value_count, 0)
            + case
                when latest_years.latest_year is not null and latest_years.latest_year <> 2020
                    then coalesce(latest.conflict_value_count, 0)
                else 0
            end as used_conflict_count
        {%- for y in range(2020, 2031) %},
        trajectory.value_{{ y }}
        {%- endfor %},
        baseline.reporting_units as baseline_reporting_units,
        baseline.expected_units as baseline_expected_units,
        milestone.reporting_units as milestone_reporting_units,
        milestone.expected_units as milestone_expected_units,
        coalesce(milestone.is_below_coverage_threshold, false) as milestone_is_withheld,
        plan_baselines.plan_baseline_value
    from scoped
    cross join milestones
    inner join indicators
        on scoped.indicator_code = indicators.indicator_code
    left join localities
        on scoped.locality_id = localities.locality_id
    left join series as baseline
        on scoped.locality_id = baseline.locality_id
        and scoped.indicator_code = baseline.indicator_code
        and baseline.year = 2020
    left join series as milestone
        on scoped.locality_id = milestone.locality_id
        and scoped.indicator_code = milestone.indicator_code
        and milestone.year = milestones.milestone_year
    left join latest_years
        on scoped.locality_id = latest_years.locality_id
        and scoped.indicator_code = latest_years.indicator_code
        and latest_years.milestone_year = milestones.milestone_year
    left join series as latest
        on latest_years.locality_id = latest.locality_id
        and latest_years.indicator_code = latest.indicator_code
        and latest_years.latest_year = latest.year
    left join trajectory
        on scoped.locality_id = trajectory.locality_id
        and scoped.indicator_code = trajectory.indicator_code
    left join plan_baselines
        on scoped.plan_id = plan_baselines.plan_id
        and scoped.locality_id = plan_baselines.locality_id
        and scoped.indicator_code = plan_baselines.indicator_code
),

final as (
    select * from assembled
)

select * from final
