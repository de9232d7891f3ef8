{{ config(**year_incremental()) }}
-- The comparable series on current (vn2025) units. Values of current units (vn2025, and the nation) pass
-- through unchanged (basis `native`: a reported value is never altered). A value of a vn2008 unit is
-- re-expressed by joining it to bridge_locality_succession on old_locality_id and summing, per new unit x
-- indicator x year, numerator x allocation_share and denominator x allocation_share; the new unit's value is
-- sum(numerator) / sum(denominator) x factor (counts: sum of count x share); the one home of this rule
-- (tests/localities/test_reexpression.py runs it on the real bridge). One old level at a time (basis
-- `reexpressed_from_<level>`), since mixing levels would double count.
-- is_exact is false when a contributing bridge row is partial, when a contributing value was itself
-- approximate, or when not every old unit the bridge maps into the new unit (at that old level) has a value.
-- is_preferred picks one row per indicator x locality x year: native, then exact before approximate, then the
-- coarsest old level (a whole province or district beats a sum of communes).
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

old_values as (
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
    where selected.scheme = 'vn2008'
        and (
            indicators.unit = 'count'
            or (selected.numerator is not null and selected.denominator is not null and selected.denominator > 0)
        )
),

constituents as (
    select
        bridge.new_locality_id,
        old_unit.level as old_level,
        count(distinct bridge.old_locality_id) as constituent_count
    from bridge
    inner join localities as old_unit
        on bridge.old_locality_id = old_unit.locality_id
    group by bridge.new_locality_id, old_unit.level
),

allocated as (
    select
        old_values.indicator_code,
        bridge.new_locality_id,
        old_values.level as old_level,
        old_values.year,
        old_values.unit,
        old_values.factor,
        sum(old_values.add_num * bridge.allocation_share) as add_num,
        sum(old_values.add_den * bridge.allocation_share) as add_den,
        count(distinct old_values.locality_id) as contributing_count,
        max(case when bridge.is_partial or old_values.is_approximate then 1 else 0 end) as any_partial,
        max({{ severity_rank('old_values.quality_status') }}) as quality_rank,
        sum(old_values.warning_value_count) as warning_value_count,
        sum(old_values.conflict_value_count) as conflict_value_count,
        min(old_values.origin) as min_origin,
        max(old_values.origin) as max_origin,
        sum(old_values.reporting_units) as reporting_units,
        sum(old_values.expected_units) as expected_units
    from old_values
    inner join bridge
        on old_values.locality_id = bridge.old_locality_id
    group by
        old_values.indicator_code, bridge.new_locality_id, old_values.level, old_values.year,
        old_values.unit, old_values.factor
),

reexpressed as (
    select
        allocated.indicator_code,
        allocated.new_locality_id as locality_id,
        allocated.year,
        case
            when allocated.unit = 'count' then cast(allocated.add_num as {{ type_double() }})
            else {{ safe_divide('allocated.add_num', 'allocated.add_den') }} * allocated.factor
        end as value,
        cast(allocated.add_num as {{ type_double() }}) as numerator,
        cast(allocated.add_den as {{ type_double() }}) as denominator,
        'reexpressed_from_' || allocated.old_level as basis,
        case
            when allocated.min_origin = allocated.max_origin then allocated.min_origin else 'mixed'
        end as source_origin,
        cast(allocated.contributing_count as integer) as contributing_count,
        cast(constituents.constituent_count as integer) as constituent_count,
        (
            allocated.any_partial = 0
            and allocated.contributing_count = constituents.constituent_count
        ) as is_exact,
        {{ quality_status('allocated.quality_rank') }} as quality_status,
        cast(allocated.warning_value_count as integer) as warning_value_count,
        cast(allocated.conflict_value_count as integer) as conflict_value_count,
        case allocated.old_level when 'province' then 1 when 'district' then 2 else 3 end as level_rank,
        cast(allocated.reporting_units as integer) as reporting_units,
        -- an old unit without a value counts as one unit that did not report
        cast(
            allocated.expected_units + constituents.constituent_count - allocated.contributing_count as integer
        ) as expected_units
    from allocated
    inner join constituents
        on allocated.new_locality_id = constituents.new_locality_id
        and allocated.old_level = constituents.old_level
),

native as (
    select
        indicator_code,
        locality_id,
        year,
        value,
        numerator,
        denominator,
        'native' as basis,
        origin as source_origin,
        cast(null as integer) as contributing_count,
        cast(null as integer) as constituent_count,
        not is_approximate as is_exact,
        quality_status,
        cast(warning_value_count as integer) as warning_value_count,
        cast(conflict_value_count as integer) as conflict_value_count,
        0 as level_rank,
        cast(reporting_units as integer) as reporting_units,
        cast(expected_units as integer) as expected_units
    from selected
    where scheme in ('vn2025', 'vn')
),

unioned as (
    select * from native
    union all
    select * from reexpressed
),

final as (
    select
        unioned.indicator_code,
        unioned.locality_id,
        unioned.year,
        unioned.value,
        unioned.numerator,
        unioned.denominator,
        unioned.basis,
        unioned.source_origin,
        unioned.contributing_count,
        unioned.constituent_count,
        unioned.is_exact,
        unioned.quality_status,
        unioned.warning_value_count,
        unioned.conflict_value_count,
        unioned.reporting_units,
        unioned.expected_units,
        row_number() over (
            partition by unioned.indicator_code, unioned.locality_id, unioned.year
            order by
                case when unioned.basis = 'native' then 0 else 1 end,
                case when unioned.is_exact then 0 else 1 end,
                unioned.level_rank
        ) = 1 as is_preferred
    from unioned
)

select * from final
