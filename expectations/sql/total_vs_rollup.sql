-- total_vs_rollup: a total row ("Tổng cộng", "Toàn tỉnh") of a submission judged against the roll-up of
-- the localities under it in the same file, indicator and year.
--
-- The localities under a total are found through raw.localities at any depth; when a file lists two levels
-- (districts and their communes) only the level nearest the total is summed, so nothing counts twice. When
-- the total's locality (its own, else the file's territory) is not in raw.localities, every other locality
-- of the same file, indicator and year is taken. Rates roll up as Σ numerators / Σ denominators × factor
-- (never an average of rates), counts as a sum; rates whose localities lack a numerator or denominator
-- cannot be rolled up and are not examined. Flagged when |total − roll-up| > max(absolute tolerance of the
-- unit, relative tolerance × |roll-up|) (config.yaml `total_vs_rollup`). Only rows of the submissions
-- judged take part: a total and its localities are one file.
with recursive parents as (
    select distinct locality_id, parent_id
    from raw.localities
    where locality_id is not null and parent_id is not null and parent_id <> ''
), ancestry as (
    select locality_id, parent_id as ancestor_id, 1 as depth from parents
    union all
    select a.locality_id, p.parent_id, a.depth + 1
    from ancestry a
    join parents p on p.locality_id = a.ancestor_id
    where p.parent_id <> a.locality_id and a.depth < {max_depth}
), scoped as (
    select * from dq_cross_values where in_scope and value is not null
), totals as (
    select t.*, coalesce(t.locality_id, s.locality_id) as total_locality,
           row_number() over (order by t.submission_id, t.sheet, t.cell, t.indicator_code, t.year) as total_id
    from scoped t
    join dq_scope s on s.submission_id = t.submission_id
    where t.is_total_row
), children as (
    select * from scoped where not is_total_row
), under as (
    select t.total_id, p.value, p.numerator, p.denominator, a.depth
    from children p
    join ancestry a on a.locality_id = p.locality_id
    join totals t
      on t.submission_id = p.submission_id and t.indicator_code = p.indicator_code and t.year = p.year
     and t.total_locality = a.ancestor_id
    union all
    select t.total_id, p.value, p.numerator, p.denominator, 1 as depth
    from totals t
    join children p
      on p.submission_id = t.submission_id and p.indicator_code = t.indicator_code and p.year = t.year
    where p.locality_id is distinct from t.total_locality
      and (t.total_locality is null
           or t.total_locality not in (select locality_id from raw.localities where locality_id is not null))
), nearest as (
    select u.*
    from under u
    join (select total_id, min(depth) as depth from under group by total_id) m
      on m.total_id = u.total_id and m.depth = u.depth
), rolled as (
    select total_id, count(*) as parts, sum(value) as sum_value, sum(numerator) as sum_num,
           sum(denominator) as sum_den, count(numerator) as num_known, count(denominator) as den_known
    from nearest
    group by total_id
), checked as (
    select t.submission_id, t.indicator_code, t.locality_id, t.flag_locality_id, t.year, t.sheet, t.cell,
           t.unit, t.value, r.parts, r.sum_num, r.sum_den,
           case when t.unit = 'count' then r.sum_value else r.sum_num / r.sum_den * t.factor end as rolled_up
    from totals t
    join rolled r on r.total_id = t.total_id
    where t.unit = 'count'
       or (r.num_known = r.parts and r.den_known = r.parts and r.sum_den > 0 and t.factor is not null)
)
select submission_id, indicator_code, locality_id, flag_locality_id, year, sheet, cell, unit, value, parts,
       sum_num, sum_den, rolled_up,
       true as examined,
       abs(value - rolled_up) > greatest({absolute_tolerance}, {relative_tolerance} * abs(rolled_up)) as flagged
from checked
