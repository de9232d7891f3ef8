-- value_matches_ratio: when the agency typed value, numerator and denominator, the value must equal
-- numerator / denominator × factor, within max(absolute tolerance of the unit, relative tolerance × |ratio|)
-- (config.yaml `ratio`). A mismatch says one of the three cells is wrong but not which.
select submission_id, indicator_code, locality_id, flag_locality_id, year, sheet, cell,
       value, numerator, denominator, factor,
       true as examined,
       abs(value - numerator / denominator * factor)
           > greatest({absolute_tolerance}, {relative_tolerance} * abs(numerator / denominator * factor))
           as flagged
from dq_cross_values
where in_scope
  and numerator is not null and denominator > 0 and value is not null and factor is not null
