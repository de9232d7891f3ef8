{{ config(**year_incremental()) }}
-- Roll-ups of reported values up the locality hierarchy, per scheme:
--   vn2008: commune -> district -> province -> vn:VN
--   vn2025: commune -> province -> vn:VN
-- A parent's value is sum(numerators) / sum(denominators) x factor over its children, never an average of the
-- children's rates (DHIS2's rule; domain-notes §4). For `count` indicators (no denominator) the counts are
-- summed. Only children with both numerator and denominator (counts: a count) take part, and only values
-- without an error flag; warnings pass and are counted.
-- Each step uses, per child, its reported value when it has one, else its own roll-up. A roll-up is produced
-- even where the parent itself reported (fct_indicator_value keeps both rows, origin differs).
-- is_approximate: fewer children contributed than the parent has (child_count < expected_child_count), or a
-- contributing child was itself approximate. When both schemes give a national roll-up for one year, the one
-- with more contributing provinces wins (vn2025 on a tie).
-- plan_id: the plan whose submissions were summed, when they all belong to one plan; null when several plans'
-- submissions meet in the roll-up (the nation from provinces reporting under their own plans).
with

reported as (
    select * from {{ ref('int_indicator_values_flagged') }}
    where is_preferred
        and not is_total_row
        and quality_status <> 'error'
        and {{ in_rebuilt_years() }}
),

localities as (
    select * from {{ ref('stg_reference__localities') }}
),

indicators as (
    select * from {{ ref('stg_reference__indicators') }}
),

children_per_parent as (
    select
        parent_id,
        scheme,
        level,
        count(*) as expected_child_count
    from localities
    where parent_id is not null
    group by parent_id, scheme, level
),

additive as (
    select
        reported.indicator_code,
        reported.locality_id,
        reported.year,
        case
            when indicators.unit = 'count' then coalesce(reported.numerator, reported.value)
            else reported.numerator
        end as add_num,
        case when indicators.unit = 'count' then null else reported.denominator end as add_den,
        reported.quality_rank,
        case when reported.quality_status = 'warning' then 1 else 0 end as warning_value_count,
        case when reported.conflict_flag_count > 0 then 1 else 0 end as conflict_value_count,
        false as is_approximate,
        reported.plan_id as min_plan_id,
        reported.plan_id as max_plan_id
    from reported
    inner join indicators
        on reported.indicator_code = indicators.indicator_code
    where
        (indicators.unit = 'count' and coalesce(reported.numerator, reported.value) is not null)
        or (
            indicators.unit <> 'count'
            and reported.numerator is not null
            and reported.denominator is not null
            and reported.denominator > 0
        )
),

-- step 1: communes to their parent (vn2008 districts, vn2025 provinces)
from_communes as (
    {{ rollup_children('additive', 'localities', 'commune') }}
),

from_communes_nodes as (
    select
        from_communes.indicator_code,
        from_communes.locality_id,
        from_communes.year,
        from_communes.add_num,
        from_communes.add_den,
        from_communes.quality_rank,
        from_communes.warning_value_count,
        from_communes.conflict_value_count,
        (
            from_communes.any_child_approximate = 1
            or from_communes.child_count < coalesce(children_per_parent.expected_child_count, 0)
        ) as is_approximate,
        from_communes.min_plan_id,
        from_communes.max_plan_id
    from from_communes
    left join children_per_parent
        on from_communes.locality_id = children_per_parent.parent_id
        and from_communes.child_scheme = children_per_parent.scheme
        and children_per_parent.level = 'commune'
),

-- a node's best value: reported when it has one, else its roll-up
best_after_communes as (
    select * from additive
    union all
    select from_communes_nodes.*
    from from_communes_nodes
    left join additive
        on from_communes_nodes.indicator_code = additive.indicator_code
        and from_communes_nodes.locality_id = additive.locality_id
        and from_communes_nodes.year = additive.year
    where additive.locality_id is null
),

-- step 2: vn2008 districts to provinces
from_districts as (
    {{ rollup_children('best_after_communes', 'localities', 'district') }}
),

from_districts_nodes as (
    select
        from_districts.indicator_code,
        from_districts.locality_id,
        from_districts.year,
        from_districts.add_num,
        from_districts.add_den,
        from_districts.quality_rank,
        from_districts.warning_value_count,
        from_districts.conflict_value_count,
        (
            from_districts.any_child_approximate = 1
            or from_districts.child_count < coalesce(children_per_parent.expected_child_count, 0)
        ) as is_approximate,
        from_districts.min_plan_id,
        from_districts.max_plan_id
    from from_districts
    left join children_per_parent
        on from_districts.locality_id = children_per_parent.parent_id
        and from_districts.child_scheme = children_per_parent.scheme
        and children_per_parent.level = 'district'
),

best_after_districts as (
    select * from best_after_communes
    union all
    select from_districts_nodes.*
    from from_districts_nodes
    left join best_after_communes
        on from_districts_nodes.indicator_code = best_after_communes.indicator_code
        and from_districts_nodes.locality_id = best_after_communes.locality_id
        and from_districts_nodes.year = best_after_communes.year
    where best_after_communes.locality_id is null
),

-- step 3: provinces (either scheme) to the nation
from_provinces as (
    {{ rollup_children('best_after_districts', 'localities', 'province') }}
),

all_rollups as (
    select
        from_communes.*,
        children_per_parent.expected_child_count
    from from_communes
    left join children_per_parent
        on from_communes.locality_id = children_per_parent.parent_id
        and from_communes.child_scheme = children_per_parent.scheme
        and children_per_parent.level = 'commune'
    union all
    select
        from_districts.*,
        children_per_parent.expected_child_count
    from from_districts
    left join children_per_parent
        on from_districts.locality_id = children_per_parent.parent_id
        and from_districts.child_scheme = children_per_parent.scheme
        and children_per_parent.level = 'district'
    union all
    select
        from_provinces.*,
        children_per_parent.expected_child_count
    from from_provinces
    left join children_per_parent
        on from_provinces.locality_id = children_per_parent.parent_id
        and from_provinces.child_scheme = children_per_parent.scheme
        and children_per_parent.level = 'province'
),

deduplicated as (
    select
        all_rollups.*,
        row_number() over (
            partition by all_rollups.indicator_code, all_rollups.locality_id, all_rollups.year
            order by all_rollups.child_count desc, all_rollups.child_scheme desc
        ) as rollup_rank
    from all_rollups
),

final as (
    select
        deduplicated.indicator_code,
        deduplicated.locality_id,
        deduplicated.year,
        case
            when indicators.unit = 'count' then cast(deduplicated.add_num as {{ type_double() }})
            else {{ safe_divide('deduplicated.add_num', 'deduplicated.add_den') }} * indicators.factor
        end as value,
        cast(deduplicated.add_num as {{ type_double() }}) as numerator,
        cast(deduplicated.add_den as {{ type_double() }}) as denominator,
        deduplicated.child_level,
        deduplicated.child_scheme,
        cast(deduplicated.child_count as integer) as child_count,
        cast(deduplicated.expected_child_count as integer) as expected_child_count,
        (
            deduplicated.any_child_approximate = 1
            or deduplicated.child_count < coalesce(deduplicated.expected_child_count, 0)
        ) as is_approximate,
        deduplicated.quality_rank,
        {{ quality_status('deduplicated.quality_rank') }} as quality_status,
        cast(deduplicated.warning_value_count as integer) as warning_value_count,
        cast(deduplicated.conflict_value_count as integer) as conflict_value_count,
        case
            when deduplicated.min_plan_id = deduplicated.max_plan_id then deduplicated.min_plan_id
        end as plan_id
    from deduplicated
    inner join indicators
        on deduplicated.indicator_code = indicators.indicator_code
    where deduplicated.rollup_rank = 1
)

select * from final
