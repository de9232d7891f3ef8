-- The one value per locality x indicator x year the review marts read, error-flagged values excluded.
-- Priority: the locality's own reported value, then its own roll-up, then a value carried across the 2025
-- reorganisation (a vn2025 unit's pre-2025 value re-expressed from vn2008 units, or a vn2008 district's or
-- province's 2025+ value bridged forward from vn2025 units), then a plan's quoted baseline.
-- series_source says which; is_approximate carries the roll-up / bridge approximations.
with

selected as (
    select * from {{ ref('int_indicator_values_selected') }}
),

reexpressed as (
    select * from {{ ref('int_indicator_values_reexpressed') }}
    where is_preferred
        and basis <> 'native'
),

bridged as (
    select * from {{ ref('int_indicator_values_bridged_forward') }}
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
        case origin when 'reported' then 0 when 'rollup' then 1 else 4 end as source_rank
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
        2 as source_rank
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
        3 as source_rank
    from bridged
),

ranked as (
    select
        candidates.*,
        row_number() over (
            partition by locality_id, indicator_code, year
            order by source_rank
        ) as candidate_rank
    from candidates
    where value is not null
),

final as (
    select
        locality_id,
        indicator_code,
        year,
        value,
        series_source,
        is_approximate,
        quality_status,
        cast(warning_value_count as integer) as warning_value_count
    from ranked
    where candidate_rank = 1
)

select * from final
