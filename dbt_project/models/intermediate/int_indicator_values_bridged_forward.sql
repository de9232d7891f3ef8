{{ config(**year_incremental()) }}
-- Values for vn2008 districts and provinces in years after the 2025 reorganisation (their plans run to 2030
-- but the units ended on 2025-06-30), obtained from vn2025 values:
--   from_vn2025_province: a vn2008 province that went whole into a vn2025 province that has no other
--                         predecessor (Điện Biên 11 -> 11) takes that province's value; exact unless the value
--                         itself is approximate.
--   from_vn2025_communes: otherwise (a district such as Tân Yên, or a merged province such as old Bắc Ninh 27)
--                         the value is sum(numerators) / sum(denominators) x factor over the vn2025 communes that
--                         received any of the old unit's communes (the covering communes). It is approximate
--                         (is_exact false) when a covering commune also received communes from outside the old
--                         unit, when a bridge row involved is partial, or when not every covering commune has a
--                         value.
-- Rates are re-aggregated from numerators and denominators; values without them cannot be bridged this way.
with

selected as (
    select * from {{ ref('int_indicator_values_selected') }}
    where {{ in_rebuilt_years() }}
),

bridge as (
    select * from {{ ref('stg_reference__locality_succession') }}
),

localities as (
    select * from {{ ref('stg_reference__localities') }}
),

indicators as (
    select * from {{ ref('stg_reference__indicators') }}
),

old_units as (
    select locality_id, level
    from localities
    where scheme = 'vn2008'
        and level in ('district', 'province')
),

covering_flagged as (
    select * from {{ ref('int_successor_communes_mapped') }}
),

covering_counts as (
    select
        old_unit_id,
        count(*) as covering_count,
        max(any_partial) as any_partial,
        max(has_outside_member) as has_outside_member
    from covering_flagged
    group by old_unit_id
),

new_values as (
    select
        selected.*,
        indicators.unit,
        indicators.factor,
        case
            when indicators.unit = 'count' then coalesce(selected.numerator, selected.value)
            else selected.numerator
        end as add_num,
        case when indicators.unit = 'count' then null else selected.denominator end as add_den
    from selected
    inner join indicators
        on selected.indicator_code = indicators.indicator_code
    where selected.scheme = 'vn2025'
        and selected.year >= 2025
),

from_communes as (
    select
        covering_flagged.old_unit_id as locality_id,
        new_values.indicator_code,
        new_values.year,
        new_values.unit,
        new_values.factor,
        sum(new_values.add_num) as add_num,
        sum(new_values.add_den) as add_den,
        count(*) as contributing_count,
        max(case when new_values.is_approximate then 1 else 0 end) as any_approximate,
        max({{ severity_rank('new_values.quality_status') }}) as quality_rank,
        sum(new_values.warning_value_count) as warning_value_count,
        sum(new_values.conflict_value_count) as conflict_value_count,
        sum(new_values.reporting_units) as reporting_units,
        sum(new_values.expected_units) as expected_units
    from covering_flagged
    inner join new_values
        on covering_flagged.new_locality_id = new_values.locality_id
    where new_values.unit = 'count'
        or (new_values.add_num is not null and new_values.add_den is not null and new_values.add_den > 0)
    group by
        covering_flagged.old_unit_id, new_values.indicator_code, new_values.year,
        new_values.unit, new_values.factor
),

from_communes_final as (
    select
        from_communes.locality_id,
        from_communes.indicator_code,
        from_communes.year,
        case
            when from_communes.unit = 'count' then cast(from_communes.add_num as {{ type_double() }})
            else {{ safe_divide('from_communes.add_num', 'from_communes.add_den') }} * from_communes.factor
        end as value,
        cast(from_communes.add_num as {{ type_double() }}) as numerator,
        cast(from_communes.add_den as {{ type_double() }}) as denominator,
        'from_vn2025_communes' as basis,
        cast(from_communes.contributing_count as integer) as contributing_count,
        cast(covering_counts.covering_count as integer) as constituent_count,
        (
            from_communes.contributing_count = covering_counts.covering_count
            and covering_counts.any_partial = 0
            and covering_counts.has_outside_member = 0
            and from_communes.any_approximate = 0
        ) as is_exact,
        {{ quality_status('from_communes.quality_rank') }} as quality_status,
        cast(from_communes.warning_value_count as integer) as warning_value_count,
        cast(from_communes.conflict_value_count as integer) as conflict_value_count,
        1 as method_rank,
        cast(from_communes.reporting_units as integer) as reporting_units,
        -- a covering commune without a value counts as one unit that did not report
        cast(
            from_communes.expected_units + covering_counts.covering_count - from_communes.contributing_count
            as integer
        ) as expected_units
    from from_communes
    inner join covering_counts
        on from_communes.locality_id = covering_counts.old_unit_id
),

-- vn2008 province -> vn2025 province one-to-one
province_pairs as (
    select
        bridge.old_locality_id,
        bridge.new_locality_id
    from bridge
    inner join old_units
        on bridge.old_locality_id = old_units.locality_id
        and old_units.level = 'province'
    where not bridge.is_partial
        and bridge.allocation_share >= 1.0 - 1e-9
),

sole_predecessors as (
    select bridge.new_locality_id
    from bridge
    inner join old_units
        on bridge.old_locality_id = old_units.locality_id
        and old_units.level = 'province'
    group by bridge.new_locality_id
    having count(distinct bridge.old_locality_id) = 1
),

from_province as (
    select
        province_pairs.old_locality_id as locality_id,
        new_values.indicator_code,
        new_values.year,
        new_values.value,
        new_values.numerator,
        new_values.denominator,
        'from_vn2025_province' as basis,
        cast(1 as integer) as contributing_count,
        cast(1 as integer) as constituent_count,
        not new_values.is_approximate as is_exact,
        new_values.quality_status,
        cast(new_values.warning_value_count as integer) as warning_value_count,
        cast(new_values.conflict_value_count as integer) as conflict_value_count,
        0 as method_rank,
        cast(new_values.reporting_units as integer) as reporting_units,
        cast(new_values.expected_units as integer) as expected_units
    from province_pairs
    inner join sole_predecessors
        on province_pairs.new_locality_id = sole_predecessors.new_locality_id
    inner join new_values
        on province_pairs.new_locality_id = new_values.locality_id
),

unioned as (
    select * from from_province
    union all
    select * from from_communes_final
),

ranked as (
    select
        unioned.*,
        row_number() over (
            partition by unioned.locality_id, unioned.indicator_code, unioned.year
            order by unioned.method_rank
        ) as method_preference
    from unioned
),

final as (
    select
        locality_id,
        indicator_code,
        year,
        value,
        numerator,
        denominator,
        basis,
        contributing_count,
        constituent_count,
        is_exact,
        quality_status,
        warning_value_count,
        conflict_value_count,
        reporting_units,
        expected_units
    from ranked
    where method_preference = 1
)

select * from final
