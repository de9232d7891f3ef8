{{ config(**year_incremental()) }}
-- Every value of a current loaded submission with its data-quality verdict attached.
--   quality_status: the worst severity among dq.flagged_values rows of the same submission, indicator,
--                   locality and year (a flag without locality or indicator applies to all of them); `ok` when
--                   none.
--   is_preferred:   one value per indicator x locality x year x is_total_row. When two current submissions
--                   report the same cell (a province's own-plan file and its national-plan file; two sectors
--                   answering one indicator), the review uses, in this order:
--                   1. the file of the plan whose own territory the file covers (Điện Biên's plan for Điện
--                      Biên) before a file sent under a wider plan for part of its territory (the national
--                      plan's province file): the province's own plan is what its review judges;
--                   2. then the file received last.
--                   The disagreement itself is a data-quality finding (conflicting_submissions), shown to the
--                   statistician with both values and both files.
--   conflict_flag_count: conflicting_submissions flags on the value (another current file gave a different
--                   figure); counted down the value chain (conflict_value_count) so that the review marts and
--                   reports can say when a reviewed value was chosen by the rule above.
-- Total rows ("Tổng cộng", "Toàn tỉnh") stay here, marked, for fct_reported_total; they never become locality
-- values. A total row without a locality is attributed to the submission's territory.
with

indicator_values as (
    select * from {{ ref('stg_agency_workbooks__indicator_values') }}
    where {{ in_rebuilt_years() }}
),

submissions as (
    select * from {{ ref('int_submissions_ranked') }}
    where is_current
),

flags as (
    select * from {{ ref('stg_dq__flagged_values') }}
    where year is null or {{ in_rebuilt_years() }}
),

plans as (
    select * from {{ ref('stg_reference__plans') }}
),

joined as (
    select
        indicator_values.submission_id,
        coalesce(indicator_values.plan_id, submissions.plan_id) as plan_id,
        coalesce(indicator_values.agency_id, submissions.agency_id) as agency_id,
        indicator_values.indicator_code,
        case
            when coalesce(indicator_values.is_total_row, false)
                then coalesce(indicator_values.locality_id, submissions.locality_id)
            else indicator_values.locality_id
        end as locality_id,
        indicator_values.year,
        cast(indicator_values.value as {{ type_double() }}) as value,
        cast(indicator_values.numerator as {{ type_double() }}) as numerator,
        cast(indicator_values.denominator as {{ type_double() }}) as denominator,
        coalesce(indicator_values.is_total_row, false) as is_total_row,
        indicator_values.sheet,
        indicator_values.cell,
        indicator_values.raw_value,
        indicator_values.value_qualifier,
        submissions.received_at,
        submissions.locality_id as submission_locality_id,
        coalesce(submissions.locality_id = plans.locality_id, false) as is_own_plan_territory
    from indicator_values
    inner join submissions
        on indicator_values.submission_id = submissions.submission_id
    left join plans
        on submissions.plan_id = plans.plan_id
),

-- A value is identified by its submission, cell and key (one cell holds one value; the grain is tested).
-- Flags are matched on that identity, not on a row number over all values: numbering 2.5M national values
-- meant sorting them all and took half of this model's time.
value_flags as (
    select
        joined.submission_id,
        joined.sheet,
        joined.cell,
        joined.indicator_code,
        joined.locality_id,
        joined.year,
        joined.is_total_row,
        max({{ severity_rank('flags.severity') }}) as quality_rank,
        sum(case when flags.severity = 'warning' then 1 else 0 end) as warning_flag_count,
        sum(case when flags.severity = 'error' then 1 else 0 end) as error_flag_count,
        sum(case when flags.check_name = 'conflicting_submissions' then 1 else 0 end) as conflict_flag_count
    from joined
    inner join flags
        on joined.submission_id = flags.submission_id
        and (flags.indicator_code is null or joined.indicator_code = flags.indicator_code)
        and (flags.locality_id is null or joined.locality_id = flags.locality_id)
        and (flags.year is null or joined.year = flags.year)
    group by
        joined.submission_id, joined.sheet, joined.cell, joined.indicator_code, joined.locality_id,
        joined.year, joined.is_total_row
),

ranked as (
    select
        joined.*,
        coalesce(value_flags.quality_rank, 0) as quality_rank,
        coalesce(value_flags.warning_flag_count, 0) as warning_flag_count,
        coalesce(value_flags.error_flag_count, 0) as error_flag_count,
        coalesce(value_flags.conflict_flag_count, 0) as conflict_flag_count,
        row_number() over (
            partition by joined.indicator_code, joined.locality_id, joined.year, joined.is_total_row
            order by
                case when joined.is_own_plan_territory then 0 else 1 end,
                joined.received_at desc, joined.submission_id desc, joined.sheet, joined.cell
        ) as preference_rank
    from joined
    left join value_flags
        on joined.submission_id = value_flags.submission_id
        and joined.indicator_code = value_flags.indicator_code
        and joined.year = value_flags.year
        and joined.is_total_row = value_flags.is_total_row
        and {{ null_safe_equal('joined.sheet', 'value_flags.sheet') }}
        and {{ null_safe_equal('joined.cell', 'value_flags.cell') }}
        and {{ null_safe_equal('joined.locality_id', 'value_flags.locality_id') }}
),

final as (
    select
        submission_id,
        plan_id,
        agency_id,
        indicator_code,
        locality_id,
        year,
        value,
        numerator,
        denominator,
        is_total_row,
        sheet,
        cell,
        raw_value,
        value_qualifier,
        received_at,
        submission_locality_id,
        quality_rank,
        {{ quality_status('quality_rank') }} as quality_status,
        warning_flag_count,
        error_flag_count,
        conflict_flag_count,
        preference_rank = 1 as is_preferred
    from ranked
)

select * from final
