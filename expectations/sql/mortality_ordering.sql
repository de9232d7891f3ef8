-- mortality_ordering: neonatal <= infant <= under-5 mortality (config.yaml `mortality_ordering.chain`) for
-- each locality × year of a context group. Every pair of the chain is compared, so neonatal > under-5 is
-- caught when infant is missing, and a partner value of another file of the group takes part (context).
--
-- Like is compared with like, so that rounding is not reported as an inversion: when both rates count
-- deaths over the same live births (equal denominators) their numerators are compared; otherwise a rate is
-- numerator / denominator × factor when both are known (exact), else its typed value, which stands for
-- anything within half a unit of its last reported decimal (at most `max_reported_decimals` decimals count
-- as typed). A pair is inverted when the lower rate exceeds the higher by more than the two half-units plus
-- `tolerance` + `relative_tolerance` × the higher rate.
--
-- One row per value judged and pair it is in (both sides of a pair), `examined` on the first pair of each
-- value; the runner joins the texts of one value's inverted pairs into one flag.
with chain as (
    {chain}
), rates as (
    select v.context_group, v.in_scope, v.submission_id, v.indicator_code, v.locality_id, v.flag_locality_id,
           v.year, v.sheet, v.cell, v.value, v.numerator, v.denominator, c.chain_position,
           coalesce(nullif(v.name_vi, ''), v.indicator_code) as name_vi,
           v.numerator is not null and v.denominator > 0 and v.factor is not null as exact,
           row_number() over (
               partition by v.context_group
               order by v.submission_id, v.sheet, v.cell, v.indicator_code, v.locality_id, v.year
           ) as rid,
           case when v.numerator is not null and v.denominator > 0 and v.factor is not null
                then v.numerator / v.denominator * v.factor else v.value end as rate,
           case when v.numerator is not null and v.denominator > 0 and v.factor is not null then 0.0
                {half_unit}
                else 0.0 end as half_unit
    from dq_cross_values v
    join chain c on c.indicator_code = v.indicator_code
    where v.value is not null
), pairs as (
    select lo.context_group, lo.chain_position * 100 + hi.chain_position as pair_order,
           lo.in_scope as lo_in_scope, hi.in_scope as hi_in_scope, lo.rid as lo_rid, hi.rid as hi_rid,
           lo.submission_id as lo_submission_id, hi.submission_id as hi_submission_id,
           lo.indicator_code as lo_code, hi.indicator_code as hi_code,
           lo.locality_id as lo_locality_id, hi.locality_id as hi_locality_id,
           lo.flag_locality_id as lo_flag_locality_id, hi.flag_locality_id as hi_flag_locality_id,
           lo.year as lo_year, hi.year as hi_year,
           lo.sheet as lo_sheet, hi.sheet as hi_sheet, lo.cell as lo_cell, hi.cell as hi_cell,
           lo.name_vi as lower_name, hi.name_vi as higher_name,
           lo.value as lower_value, hi.value as higher_value,
           lo.numerator as lower_numerator, hi.numerator as higher_numerator, lo.denominator as births,
           lo.numerator is not null and hi.numerator is not null and lo.denominator > 0
               and lo.denominator = hi.denominator as same_births,
           case when lo.numerator is not null and hi.numerator is not null and lo.denominator > 0
                     and lo.denominator = hi.denominator
                then lo.numerator > hi.numerator
                else lo.rate > hi.rate + (lo.half_unit + hi.half_unit + {tolerance}
                                          + {relative_tolerance} * abs(hi.rate))
           end as inverted
    from rates lo
    join rates hi
      on hi.context_group = lo.context_group and hi.flag_locality_id = lo.flag_locality_id
     and hi.year = lo.year and hi.chain_position > lo.chain_position
), sides as (
    select context_group, pair_order, lo_in_scope as in_scope, lo_rid as rid, hi_rid as partner_rid,
           lo_submission_id as submission_id, lo_code as indicator_code, lo_locality_id as locality_id,
           lo_flag_locality_id as flag_locality_id, lo_year as year, lo_sheet as sheet, lo_cell as cell,
           hi_sheet as partner_sheet, hi_cell as partner_cell,
           lower_name, lower_value, higher_name, higher_value, same_births, lower_numerator,
           higher_numerator, births, inverted
    from pairs
    union all
    select context_group, pair_order, hi_in_scope, hi_rid, lo_rid,
           hi_submission_id, hi_code, hi_locality_id,
           hi_flag_locality_id, hi_year, hi_sheet, hi_cell,
           lo_sheet, lo_cell,
           lower_name, lower_value, higher_name, higher_value, same_births, lower_numerator,
           higher_numerator, births, inverted
    from pairs
)
select submission_id, indicator_code, locality_id, flag_locality_id, year, sheet, cell, rid, pair_order,
       partner_rid, partner_sheet, partner_cell, lower_name, lower_value, higher_name, higher_value,
       same_births, lower_numerator, higher_numerator, births,
       row_number() over (partition by context_group, rid order by pair_order, partner_rid) = 1 as examined,
       inverted as flagged
from sides
where in_scope
