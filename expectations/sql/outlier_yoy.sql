-- outlier_yoy: a locality's change from its own previous year against its peers' changes.
--
-- The change x(t) − x(t−1) pairs a locality with itself (same id, so the same scheme: the 2024 → 2025
-- reorganisation breaks the series instead of comparing a district with a commune). Peers are the same
-- indicator, level, scheme and plan in the context group, all years pooled, and must hold at least
-- `yoy_min_group` changes. The change is scored with the Iglewicz-Hoaglin modified z-score
-- M = 0.6745 (x − median) / MAD; when MAD = 0, (x − median) / (1.253314 × mean absolute deviation); when that
-- is 0 too, 0. The value of year t is flagged when |M| > `threshold`, the change differs from the peers'
-- median change by at least `min_abs_deviation` of its unit, and by more than sampling noise of both years
-- explains: on Anscombe's variance-stabilised scale (rates with a denominator n: 2 asin √((k + 3/8) /
-- (n + 3/4)), variance 1 / (n + 1/2); counts: 2 √(x + 3/8), variance 1) the change's distance from the
-- peers' median change exceeds `sampling_z` standard errors, or cannot be measured (no denominator). A year
-- reported without a denominator is taken to have the other year's (the same population one year apart).
-- Medians are percentile_cont(0.5) aggregates, so the text runs on DuckDB and PostgreSQL alike.
with changes as (
    select cur.context_group, cur.in_scope, cur.submission_id, cur.indicator_code, cur.locality_id,
           cur.flag_locality_id, cur.year, cur.sheet, cur.cell, cur.unit, cur.level, cur.scheme, cur.plan_id,
           cur.value, prev.value as value_prev, cur.value - prev.value as change,
           cur.p, prev.p as p_prev,
           coalesce(cur.n, prev.n) as n_now, coalesce(prev.n, cur.n) as n_before
    from dq_cross_series cur
    join dq_cross_series prev
      on prev.context_group = cur.context_group and prev.locality_id = cur.locality_id
     and prev.indicator_code = cur.indicator_code and prev.year = cur.year - 1
), peers as (
    select context_group, indicator_code, level, scheme, plan_id,
           percentile_cont(0.5) within group (order by change) as median_change
    from changes
    group by context_group, indicator_code, level, scheme, plan_id
    having count(*) >= {min_group}
), centred as (
    select c.*, p.median_change,
           case when c.unit = 'count' then 2.0 * sqrt(greatest(c.value, 0.0) + 0.375)
                when c.n_now is not null and c.p is not null
                then 2.0 * asin(sqrt((c.p * c.n_now + 0.375) / (c.n_now + 0.75))) end
           - case when c.unit = 'count' then 2.0 * sqrt(greatest(c.value_prev, 0.0) + 0.375)
                  when c.n_before is not null and c.p_prev is not null
                  then 2.0 * asin(sqrt((c.p_prev * c.n_before + 0.375) / (c.n_before + 0.75))) end
               as dy,
           case when c.unit = 'count' then 1.0 else 1.0 / (c.n_now + 0.5) end
           + case when c.unit = 'count' then 1.0 else 1.0 / (c.n_before + 0.5) end as dvar
    from changes c
    join peers p
      on p.context_group = c.context_group and p.indicator_code = c.indicator_code and p.level = c.level
     and p.scheme = c.scheme and p.plan_id = c.plan_id
), spread as (
    select context_group, indicator_code, level, scheme, plan_id,
           percentile_cont(0.5) within group (order by abs(change - median_change)) as mad,
           avg(abs(change - median_change)) as mean_ad,
           percentile_cont(0.5) within group (order by dy) as median_dy
    from centred
    group by context_group, indicator_code, level, scheme, plan_id
), scored as (
    select c.*, s.median_dy,
           case when s.mad > 0 then {mad_scale} * (c.change - c.median_change) / s.mad
                when s.mean_ad > 0 then (c.change - c.median_change) / ({mean_ad_scale} * s.mean_ad)
                else 0.0 end as z
    from centred c
    join spread s
      on s.context_group = c.context_group and s.indicator_code = c.indicator_code and s.level = c.level
     and s.scheme = c.scheme and s.plan_id = c.plan_id
)
select submission_id, indicator_code, locality_id, flag_locality_id, year, sheet, cell,
       value_prev, value, change, median_change, z,
       true as examined,
       abs(z) > {threshold}
       and abs(change - median_change) >= {min_abs_deviation}
       and coalesce(abs(dy - median_dy) / sqrt(dvar) > {sampling_z}, true)
           as flagged
from scored
where in_scope
