{{ config(**year_incremental()) }}
-- The one value per locality x indicator x year the review marts read, error-flagged values excluded.
-- Priority: the locality's own reported value, then its own roll-up, then a value carried across the 2025
-- reorganisation (a vn2025 unit's pre-2025 value re-expressed from vn2008 units, or a vn2008 district's or
-- province's 2025+ value bridged forward from vn2025 units), then a plan's quoted baseline.
-- series_source says which; is_approximate carries the roll-up / bridge approximations.
-- Coverage: reporting_units of expected_units stood behind the value (a roll-up's children, the old units of
-- a re-expressed value, the covering communes of a bridged one; a reported value is its own single unit). A
-- candidate below var('min_rollup_coverage_pct') is not published as the unit's value: a candidate above the
-- threshold wins over it whatever its source, and when none is above, the best one is kept with a null value
-- and is_below_coverage_threshold, so the review marts can say what was withheld and why.
with

selected as (
    select * from {{ ref('int_indicator_values_selected') }}
    where {{ in_rebuilt_years() }}
),

reexpressed as (
    select * from {{ ref('int_indicator_values_reexpressed') }}
    where is_preferred
        and basis <> 'native'
        and {{ in_rebuilt_years() }}
),

bridged as (
    select * from {{ ref('int_indicator_values_bridged_forward') }}
    where {{ in_rebuilt_years() }}
),

candidates as (
    select
        locality_id,
        indicator_code,
        year,
        value,
        origin as series_source,
        is_approximate,
        quality_status,
        warning_value_count,
        conflict_value_count,
        case origin when 'reported' then 0 when 'rollup' then 1 else 4 end as source_rank,
        reporting_units,
        expected_units
    from selected

    union all

    select
        locality_id,
        indicator_code,
        year,
        value,
        basis as series_source,
        not is_exact as is_approximate,
        quality_status,
        warning_value_count,
        conflict_value_count,
        2 as source_rank,
        reporting_units,
        expected_units
    from reexpressed

    union all

    select
        locality_id,
        indicator_code,
        year,
        value,
        basis as series_source,
        not is_exact as is_approximate,
        quality_status,
        warning_value_count,
        conflict_value_count,
        3 as source_rank,
        reporting_units,
        expected_units
    from bridged
),

covered as (
    select
        candidates.*,
        coalesce(
            expected_units > 1
            and reporting_units * 100.0 < {{ var('min_rollup_coverage_pct') }} * expected_units,
            false
        ) as is_below_coverage_threshold
    from candidates
    where value is not null
),

ranked as (
    select
        covered.*,
        row_number() over (
            partition by locality_id, indicator_code, year
            order by case when is_below_coverage_threshold then 1 else 0 end, source_rank
        ) as candidate_rank
    from covered
),

final as (
    select
        locality_id,
        indicator_code,
        year,
        case when not is_below_coverage_threshold then value end as value,
        series_source,
        is_approximate,
        quality_status,
        cast(warning_value_count as integer) as warning_value_count,
        cast(conflict_value_count as integer) as conflict_value_count,
        cast(reporting_units as integer) as reporting_units,
        cast(expected_units as integer) as expected_units,
        is_below_coverage_threshold
    from ranked
    where candidate_rank = 1
)

select * from final
