{{ config(**year_incremental()) }}
-- One usable value per indicator x locality x year for analysis: values with an error flag are excluded
-- (they never reach the review marts); among the rest, reported beats rollup beats plan_baseline.
with

unioned as (
    select * from {{ ref('int_indicator_values_unioned') }}
    where quality_status <> 'error'
        and value is not null
        and {{ in_rebuilt_years() }}
),

ranked as (
    select
        unioned.*,
        row_number() over (
            partition by indicator_code, locality_id, year
            order by case origin when 'reported' then 0 when 'rollup' then 1 else 2 end
        ) as origin_rank
    from unioned
),

final as (
    select
        indicator_code,
        locality_id,
        year,
        value,
        numerator,
        denominator,
        origin,
        quality_status,
        warning_value_count,
        conflict_value_count,
        is_approximate,
        scheme,
        level,
        -- coverage: the units behind the value (a roll-up's children; a reported value is its own unit)
        case origin when 'rollup' then child_count when 'reported' then 1 end as reporting_units,
        case origin when 'rollup' then expected_child_count when 'reported' then 1 end as expected_units
    from ranked
    where origin_rank = 1
)

select * from final
