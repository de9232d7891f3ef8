{{ config(materialized="view") }}  {#- read only by its test and by people: no table of its own -#}
-- Every selected value that does not reach the current (vn2025) units in int_indicator_values_reexpressed,
-- with the reason, so nothing leaves the comparable series unseen:
--   no_bridge_row:            a vn2008 unit the succession bridge does not map (the reference data lacks it;
--                             its value would silently vanish from the comparable series: a test fails);
--   no_numerator_denominator: a vn2008 rate without both counts (or a zero denominator): a rate cannot be
--                             re-weighted onto new units without its counts (by design; the value stays in
--                             fct_indicator_value on its own unit);
--   unknown_scheme:           a locality outside every scheme (not in the administrative units).
-- The conditions are those of int_indicator_values_reexpressed (`old_values`, its bridge join, `native`),
-- read from the same inputs.
with

selected as (
    select * from {{ ref('int_indicator_values_selected') }}
),

bridge as (
    select distinct old_locality_id from {{ ref('stg_reference__locality_succession') }}
),

indicators as (
    select * from {{ ref('stg_reference__indicators') }}
),

classified as (
    select
        selected.indicator_code,
        selected.locality_id,
        selected.year,
        selected.origin,
        selected.scheme,
        selected.level,
        selected.value,
        selected.numerator,
        selected.denominator,
        case
            when selected.scheme is null or selected.scheme not in ('vn2008', 'vn2025', 'vn')
                then 'unknown_scheme'
            when selected.scheme <> 'vn2008' then null
            when
                indicators.unit <> 'count'
                and (
                    selected.numerator is null
                    or selected.denominator is null
                    or not selected.denominator > 0
                )
                then 'no_numerator_denominator'
            when bridge.old_locality_id is null then 'no_bridge_row'
        end as reason
    from selected
    inner join indicators
        on selected.indicator_code = indicators.indicator_code
    left join bridge
        on selected.locality_id = bridge.old_locality_id
)

select * from classified
where reason is not null
