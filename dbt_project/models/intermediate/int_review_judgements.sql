-- Status at the milestone and the 2030 outlook for every review row (int_review_rows_assembled). The rules,
-- in the order they apply (judgement_rule names the ones used for each row):
--
-- Status at the milestone (status_milestone):
--   no_target     no authoritative target for the milestone year (one-year-only targets: e.g. a 2025-only
--                 target has no_target in the tổng kết).
--   annual_reduction targets ("giảm 2-3% hằng năm", CHILD_MARRIAGE): the target is a yearly rate in percent;
--                 achieved when the AARR from 2020 to the milestone, 1 - (v_M / v_2020)^(1/(M-2020)), is at least
--                 the range's low bound (2 % -> 0.02). A count falling to 0 has AARR 1.
--   no_data       no value for the milestone year.
--   otherwise     the comparator's exact semantics: '<' strict ("dưới 9,5" is not met by 9,5), '<=' ("xuống"),
--                 '>=' ("đạt"), '=' ("duy trì"); float noise is tolerated (1e-9) without turning '<' into '<='.
--                 For a range target the lenient bound counts (low bound for '>=', high bound for '<'/'<=').
--                 Natural limits need no special case: "duy trì 100%" is met only by 100, "0 deaths" only by 0.
--
-- Outlook for 2030 at the milestone (progress_2030), from the 2020 baseline b, the latest value t <= milestone
-- and the 2030 target T (domain-notes §5):
--   no_2030_target     the plan sets no 2030 target for the indicator (nothing to judge against).
--   insufficient_data  a 2030 target, but no baseline / no later value.
--   annual_reduction   AARR actual vs the required rate (low bound): ratio >= 0.95 on_track, >= 0.10
--                      acceleration_needed, else stagnation_or_regression.
--   target_already_met the latest value already meets the 2030 target (incl. a baseline already at target).
--   UNSD projection    v2030 = v_t (1 + CAGR)^(2030 - t), CAGR = (v_t / v_b)^(1/(t - b)) - 1;
--                      P = (v2030 - v_b) / (T - v_b): >= 0.95 on_track, 0.10-0.95 acceleration_needed,
--                      < 0.10 stagnation_or_regression.
--   zero baseline      (or a zero latest value): CAGR undefined, so the projection is linear,
--                      v2030 = v_t + (v_t - v_b) / (t - b) x (2030 - t).
--   natural limits     a projection is capped to [0, 100] for percentages and at 0 below for rates and counts.
-- Figures alongside: Eurostat ratio R = CAGR_actual / CAGR_required, CAGR_required = (T / v_b)^(1/(2030 - b))
-- - 1 (>= 0.95 on_track, 0.60-0.95 moderate, 0-0.60 insufficient, < 0 moving_away; null when undefined, e.g.
-- a zero baseline or a zero target; target_already_met, its own label, when the latest value already meets
-- the target, because R then measures nothing: a value past the target can show R < 0); UNICEF AARR actual
-- 1 - (v_t / v_b)^(1/(t - b)) and required
-- 1 - (T / v_t)^(1/(2030 - t)) (for annual_reduction: the target rate).
with

review_rows as (
    select * from {{ ref('int_review_rows_assembled') }}
),

bounds as (
    select
        review_rows.*,
        case
            when target_comparator in ('<', '<=') then coalesce(target_value_high, target_value)
            else target_value
        end as target_bound,
        case
            when comparator_2030 in ('<', '<=') then coalesce(target_2030_high, target_2030)
            else target_2030
        end as target_2030_bound,
        coalesce(
            baseline_value is not null
            and latest_value is not null
            and latest_year > baseline_year,
            false
        ) as has_trend
    from review_rows
),

growth as (
    select
        bounds.*,
        case
            when has_trend then
                {{ positive_power(
                    safe_divide('latest_value', 'baseline_value'),
                    safe_divide('1', 'latest_year - baseline_year')
                ) }} - 1
        end as cagr_actual,
        case
            when has_trend and baseline_value > 0 and latest_value = 0 then cast(1 as {{ type_double() }})
            when has_trend then
                1 - {{ positive_power(
                    safe_divide('latest_value', 'baseline_value'),
                    safe_divide('1', 'latest_year - baseline_year')
                ) }}
        end as aarr_actual,
        case
            when direction <> 'annual_reduction' then
                {{ positive_power(safe_divide('target_2030_bound', 'baseline_value'), safe_divide('1', '2030 - 2020')) }}
                - 1
        end as cagr_required,
        case
            when direction = 'annual_reduction' then {{ safe_divide('target_2030', '100') }}
            when latest_value is not null and latest_year < 2030 then
                1 - {{ positive_power(safe_divide('target_2030_bound', 'latest_value'), safe_divide('1', '2030 - latest_year')) }}
        end as aarr_required
    from bounds
),

projection as (
    select
        growth.*,
        case
            when not has_trend or direction = 'annual_reduction' then null
            when cagr_actual is not null then
                latest_value * {{ positive_power('1 + cagr_actual', '2030 - latest_year') }}
            else
                latest_value
                + {{ safe_divide('latest_value - baseline_value', 'latest_year - baseline_year') }}
                * (2030 - latest_year)
        end as projected_raw
    from growth
),

capped as (
    select
        projection.*,
        case
            when projected_raw is null then null
            when unit = 'percent' then {{ smaller_of(larger_of('projected_raw', '0'), '100') }}
            else {{ larger_of('projected_raw', '0') }}
        end as projected_2030
    from projection
),

ratios as (
    select
        capped.*,
        case
            when direction <> 'annual_reduction' and projected_2030 is not null then
                {{ safe_divide('projected_2030 - baseline_value', 'target_2030_bound - baseline_value') }}
        end as unsd_progress_ratio,
        {{ safe_divide('cagr_actual', 'cagr_required') }} as eurostat_ratio,
        case
            when direction = 'annual_reduction' then {{ safe_divide('aarr_actual', 'aarr_required') }}
        end as aarr_ratio,
        {{ meets_target('milestone_value', 'target_comparator', 'target_bound') }} as milestone_meets_target,
        {{ meets_target('latest_value', 'comparator_2030', 'target_2030_bound') }} as latest_meets_2030_target
    from capped
),

judged as (
    select
        ratios.*,
        case
            when target_value is null then 'no_target'
            when direction = 'annual_reduction' then
                case
                    when milestone_value is null or latest_year <> milestone_year or aarr_actual is null
                        then 'no_data'
                    when aarr_actual >= {{ safe_divide('target_value', '100') }} - 1e-9 then 'achieved'
                    else 'not_achieved'
                end
            when milestone_value is null then 'no_data'
            when milestone_meets_target then 'achieved'
            else 'not_achieved'
        end as status_milestone,
        case
            when target_2030 is null then 'no_2030_target'
            when direction = 'annual_reduction' then
                case
                    when aarr_ratio is null then 'insufficient_data'
                    when aarr_ratio >= 0.95 then 'on_track'
                    when aarr_ratio >= 0.10 then 'acceleration_needed'
                    else 'stagnation_or_regression'
                end
            when latest_meets_2030_target then 'target_already_met'
            when not has_trend then 'insufficient_data'
            when unsd_progress_ratio is null then 'insufficient_data'
            when unsd_progress_ratio >= 0.95 then 'on_track'
            when unsd_progress_ratio >= 0.10 then 'acceleration_needed'
            else 'stagnation_or_regression'
        end as progress_2030,
        case
            when latest_meets_2030_target then 'target_already_met'
            when eurostat_ratio is null then null
            when eurostat_ratio >= 0.95 then 'on_track'
            when eurostat_ratio >= 0.60 then 'moderate'
            when eurostat_ratio >= 0 then 'insufficient'
            else 'moving_away'
        end as eurostat_category
    from ratios
),

final as (
    select
        judged.*,
        'status: '
        || case
            when target_value is null then 'no target for ' || cast(milestone_year as {{ dbt.type_string() }})
            when direction = 'annual_reduction'
                then 'annual reduction, AARR since 2020 vs required yearly rate (low bound of the range)'
            when milestone_value is null
                then 'no value for ' || cast(milestone_year as {{ dbt.type_string() }})
            when target_comparator = '<' then 'value < target (strict)'
            else 'value ' || target_comparator || ' target'
        end
        || case
            when target_value is not null and unit = 'percent' and target_bound = 100
                and target_comparator in ('>=', '=') then ', natural limit 100%'
            when target_value is not null and target_bound = 0 then ', natural limit 0'
            else ''
        end
        || '; outlook: '
        || case
            when target_2030 is null then 'no 2030 target'
            when direction = 'annual_reduction' then 'AARR actual vs required yearly rate'
            when latest_meets_2030_target then 'latest value already meets the 2030 target'
            when not has_trend then 'needs the 2020 baseline and a later value'
            when cagr_actual is null then 'zero baseline or value: CAGR undefined, linear projection (UNSD P)'
            else 'UNSD CAGR projection (P)'
        end
        || case
            when projected_raw is not null and projected_2030 <> projected_raw
                then ', projection capped at the natural limit'
            else ''
        end
        || case
            when latest_year is not null and latest_year < milestone_year
                then '; latest value from ' || cast(latest_year as {{ dbt.type_string() }})
            else ''
        end
        || case
            when milestone_is_withheld
                then '; ' || cast(milestone_year as {{ dbt.type_string() }}) || ' roll-up withheld: '
                    || cast(milestone_reporting_units as {{ dbt.type_string() }}) || ' of '
                    || cast(milestone_expected_units as {{ dbt.type_string() }})
                    || ' units reported, below the publication threshold of '
                    || cast({{ var('min_rollup_coverage_pct') }} as {{ dbt.type_string() }}) || '%'
            else ''
        end as judgement_rule
    from judged
)

select * from final
