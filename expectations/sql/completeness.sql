-- completeness: each submission judged must carry every indicator its plan assigns to the agency's sector,
-- for its reporting year. A value for any locality counts (a province may send its districts without a
-- total row). One row per expected indicator; a missing one is "flagged" at the submission level only: there
-- is no value to flag, the verdict lists the missing indicators.
with judged_submissions as (
    select submission_id, plan_id, sector, year from dq_scope where in_scope
), assigned as (
    select distinct plan_id, sector, indicator_code from raw.assignments
), received as (
    select distinct v.submission_id, v.indicator_code, v.year
    from raw.indicator_values v
    join judged_submissions s on s.submission_id = v.submission_id
)
select s.submission_id, a.indicator_code, s.year,
       true as examined,
       r.submission_id is null as flagged
from judged_submissions s
join assigned a on a.plan_id = s.plan_id and a.sector = s.sector
left join received r
  on r.submission_id = s.submission_id and r.indicator_code = a.indicator_code
 and coalesce(r.year, -1) = coalesce(s.year, -1)
