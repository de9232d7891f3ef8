-- The values the cross checks judge, as a temporary view over the warehouse's own tables.
--
-- `dq_scope` (staged by expectations/cross_checks.py) lists the submissions being judged (in_scope) and the
-- other loaded submissions of the same plan × sector × scheme (`context_group`): those are context only
-- (last year's value, a neighbour's value, the partner mortality rate), never flagged. Every check compares
-- values within one context group, so every join and every statistic of the checks is partitioned by it.
-- The catalog gives unit and factor, raw.localities the administrative level; a total row typed without a
-- locality stands for the file's territory, so its flags name that locality (`flag_locality_id`), as in
-- the dbt facts.
create temporary view dq_cross_values as
with indicators as (
    select indicator_code, unit, factor, name_vi
    from (
        select indicator_code, unit, factor, name_vi,
               row_number() over (partition by indicator_code) as nth
        from raw.indicators
    ) numbered
    where nth = 1
), localities as (
    select locality_id, level
    from (
        select locality_id, level, row_number() over (partition by locality_id) as nth
        from raw.localities
    ) numbered
    where nth = 1
)
select s.context_group, s.in_scope, v.submission_id, v.plan_id, v.indicator_code, v.locality_id, v.year,
       v.value, v.numerator, v.denominator, coalesce(v.is_total_row, false) as is_total_row, v.sheet, v.cell,
       i.unit, i.factor, i.name_vi, l.level,
       coalesce(v.locality_id, case when v.is_total_row then s.locality_id end) as flag_locality_id
from raw.indicator_values v
join dq_scope s on s.submission_id = v.submission_id
left join indicators i on i.indicator_code = v.indicator_code
left join localities l on l.locality_id = v.locality_id
