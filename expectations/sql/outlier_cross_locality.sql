-- outlier_cross_locality: a value against its peers' values in the same year (same indicator, level,
-- scheme and plan in the context group; groups smaller than `cross_min_group` are not scored).
--
-- What is scored is the value's deviation from the peers' median less the locality's usual deviation: the
-- median of its deviations in its other years, when it has at least `cross_own_history_years` of them (with
-- fewer, one odd year would shift the "usual" and flag the good years). A district always a little above
-- its neighbours is a real difference; a one-year jump away from its usual position is the signal. The
-- deviation is scored with the modified z-score (as outlier_yoy) among the year's peers and flagged when
-- |M| > `threshold`, it is at least `min_abs_deviation` of its unit away from the peers' median deviation,
-- and it exceeds sampling noise given the value's denominator (Anscombe's scale, as outlier_yoy; the usual
-- position, a median of k noisy years, adds (π/2) var / k to the value's variance), or that noise cannot be
-- measured (no denominator).
--
-- Every statistic is taken within one year's peer group, so only the groups holding a value being judged
-- are scored (`scored_rows`); the other years' values serve as the peers' medians and as each locality's
-- history. When only some values are judged (a new reporting year: a sixth of the staged groups), that
-- saves scoring the rest; `all_judged` (every staged value judged: a first validation) skips the search.
with sized as (
    select s.*,
           count(*) over (partition by context_group, indicator_code, level, scheme, plan_id, year) as peers,
           case when unit = 'count' then 2.0 * sqrt(greatest(value, 0.0) + 0.375)
                when n is not null and p is not null
                then 2.0 * asin(sqrt((p * n + 0.375) / (n + 0.75))) end as y,
           case when unit = 'count' then 1.0 else 1.0 / (n + 0.5) end as var
    from dq_cross_series s
), medians as (
    select context_group, indicator_code, level, scheme, plan_id, year,
           percentile_cont(0.5) within group (order by value) as median,
           percentile_cont(0.5) within group (order by y) as median_y
    from sized
    where peers >= {min_group}
    group by context_group, indicator_code, level, scheme, plan_id, year
), placed as (
    select s.*, m.median, s.value - m.median as residual, s.y - m.median_y as y_residual
    from sized s
    join medians m
      on m.context_group = s.context_group and m.indicator_code = s.indicator_code and m.level = s.level
     and m.scheme = s.scheme and m.plan_id = s.plan_id and m.year = s.year
), scored_rows as (
    -- the rows of the year's peer groups that hold a value being judged; all rows when all are judged
    select p.*
    from placed p
    where {all_judged}
       or exists (
           select 1 from sized j
           where j.in_scope
             and j.context_group = p.context_group and j.indicator_code = p.indicator_code
             and j.level = p.level and j.scheme = p.scheme and j.plan_id = p.plan_id and j.year = p.year
       )
), history as (
    select a.context_group, a.locality_id, a.indicator_code, a.year,
           count(b.residual) as years,
           percentile_cont(0.5) within group (order by b.residual) as usual,
           count(b.y_residual) as years_y,
           percentile_cont(0.5) within group (order by b.y_residual) as usual_y
    from scored_rows a
    join placed b
      on b.context_group = a.context_group and b.locality_id = a.locality_id
     and b.indicator_code = a.indicator_code and b.year <> a.year
    group by a.context_group, a.locality_id, a.indicator_code, a.year
), deviated as (
    select p.*,
           case when h.years >= {min_years} then h.usual else 0.0 end as usual,
           case when h.years >= {min_years} then h.years else 0 end as history,
           p.residual - case when h.years >= {min_years} then h.usual else 0.0 end as deviation,
           p.y_residual - case when h.years_y >= {min_years} then h.usual_y else 0.0 end as adj_y,
           case when h.years >= {min_years} then p.var * (1.0 + pi() / 2 / h.years)
                else p.var * (1.0 + 0.0) end as adj_var
    from scored_rows p
    left join history h
      on h.context_group = p.context_group and h.locality_id = p.locality_id
     and h.indicator_code = p.indicator_code and h.year = p.year
), centres as (
    select context_group, indicator_code, level, scheme, plan_id, year,
           percentile_cont(0.5) within group (order by deviation) as centre,
           percentile_cont(0.5) within group (order by adj_y) as median_adj_y
    from deviated
    group by context_group, indicator_code, level, scheme, plan_id, year
), spread as (
    select d.context_group, d.indicator_code, d.level, d.scheme, d.plan_id, d.year,
           percentile_cont(0.5) within group (order by abs(d.deviation - c.centre)) as mad,
           avg(abs(d.deviation - c.centre)) as mean_ad
    from deviated d
    join centres c
      on c.context_group = d.context_group and c.indicator_code = d.indicator_code and c.level = d.level
     and c.scheme = d.scheme and c.plan_id = d.plan_id and c.year = d.year
    group by d.context_group, d.indicator_code, d.level, d.scheme, d.plan_id, d.year
), scored as (
    select d.*, c.centre, c.median_adj_y,
           case when s.mad > 0 then {mad_scale} * (d.deviation - c.centre) / s.mad
                when s.mean_ad > 0 then (d.deviation - c.centre) / ({mean_ad_scale} * s.mean_ad)
                else 0.0 end as z
    from deviated d
    join centres c
      on c.context_group = d.context_group and c.indicator_code = d.indicator_code and c.level = d.level
     and c.scheme = d.scheme and c.plan_id = d.plan_id and c.year = d.year
    join spread s
      on s.context_group = d.context_group and s.indicator_code = d.indicator_code and s.level = d.level
     and s.scheme = d.scheme and s.plan_id = d.plan_id and s.year = d.year
)
select submission_id, indicator_code, locality_id, flag_locality_id, year, sheet, cell,
       value, median, usual, z,
       true as examined,
       abs(z) > {threshold}
       and abs(deviation - centre) >= {min_abs_deviation}
       and coalesce(abs(adj_y - median_adj_y) / sqrt(adj_var) > {sampling_z}, true)
           as flagged
from scored
where in_scope
