-- conflicting_submissions: two current files giving different values for one locality × indicator × year.
--
-- It happens by design: a province reports its communes both in its own plan's workbook and, for the
-- national plan, in the workbook the ministry asks for; one plan assigns an indicator to two sectors and both
-- answer. The marts can use only one of the values (the rule is in dbt, `int_indicator_values_flagged`: the
-- file of the plan whose own territory it is first, then the latest received); this check makes the
-- disagreement a finding instead of a silent replacement, on every side of it, naming the other file.
--
-- Unlike the other cross checks it compares across plans, sectors and schemes, so the runner stages EVERY
-- loaded submission in `dq_scope` for it (`in_scope` marks those judged; `context_group` plays no part). A
-- total row typed without a locality stands for the file's territory, as in the dbt facts, and is compared
-- only with other total rows. Two figures for one quantity agree within max(absolute tolerance of the unit,
-- relative tolerance × the larger |value|) (config.yaml `conflicting_submissions`, the same numbers as value
-- vs ratio: 88,89 and 88,888889 are one figure rounded two ways).
--
-- One row per value judged and other file's value it meets; `examined` on the first of each value, so a
-- value counts once however many files also give it; the runner joins the texts of one value's differing
-- pairs into one flag.
with indicator_units as (
    select indicator_code, min(unit) as unit from raw.indicators group by indicator_code
), current_values as (
    select v.submission_id, s.in_scope, v.indicator_code, v.year, v.value, v.sheet, v.cell,
           coalesce(v.is_total_row, false) as is_total_row,
           coalesce(v.locality_id, case when v.is_total_row then s.locality_id end) as locality_id,
           s.file_name, s.plan_id, s.sector
    from raw.indicator_values v
    join dq_scope s on s.submission_id = v.submission_id
    where v.value is not null
), pairs as (
    select a.submission_id, a.indicator_code, a.locality_id, a.year, a.sheet, a.cell, a.value,
           b.submission_id as other_submission_id, b.file_name as other_file, b.plan_id as other_plan,
           b.sector as other_sector, b.value as other_value, b.sheet as other_sheet, b.cell as other_cell,
           abs(a.value - b.value)
               > greatest({absolute_tolerance}, {relative_tolerance} * greatest(abs(a.value), abs(b.value)))
               as differs
    from current_values a
    join current_values b
      on b.indicator_code = a.indicator_code and b.locality_id = a.locality_id and b.year = a.year
     and b.is_total_row = a.is_total_row and b.submission_id <> a.submission_id
    left join indicator_units u on u.indicator_code = a.indicator_code
    where a.in_scope
)
select submission_id, indicator_code, locality_id, locality_id as flag_locality_id, year, sheet, cell, value,
       other_submission_id, other_file, other_plan, other_sector, other_value, other_sheet, other_cell,
       row_number() over (
           partition by submission_id, indicator_code, locality_id, year, sheet, cell
           order by other_submission_id, other_sheet, other_cell
       ) = 1 as examined,
       differs as flagged
from pairs
