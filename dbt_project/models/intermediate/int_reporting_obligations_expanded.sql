{{ config(materialized="view") }}  {#- read by one model only: no table of its own -#}
-- What each plan expects to receive: one row per plan x sector x year x reporting unit x indicator.
--   years:     2020 (baseline) to var('completeness_last_year', 2025).
--   units:     raw.reporting_units, the rows of the workbook template the plan's agencies fill, landed by the
--              reference step from its one home (ingest/workbook/context.py, Reference.reporting_units): the
--              territory's units one level down (a vn2008 district plan's communes, a province plan's
--              districts, the nation's provinces); from 2025-07-01 a vn2008 territory's units are the vn2025
--              communes that took over its communes. Completeness expects exactly what the template asks for.
--   dates:     one rule, the template's: a year-Y report's units and its expected agency are those valid on the
--              reporting date 15/11/Y (context.reporting_date, landed as valid_on). The plan's deadline
--              (report_deadline 'MM-DD' of raw.plans in that year; var('default_report_deadline', '12-15') when
--              the plan has none) only says when the report is due (mart_reporting_completeness.on_time).
--   indicators: those assigned to the sector in the plan (fct_assignment).
--   expected agency: raw.expected_agencies, the agency the template names and the loader stamps on the
--              sector's submissions, landed by the reference step from its one home (ingest/workbook/context.py,
--              Reference.agency_id: the transfer rule of ingest/reference/agencies.py on the reporting date, so
--              after the reorganisation the territory's vn2025 province, and a dissolved sector's duties pass
--              to its successor: social_affairs ended 2025-02-28, health took over). Null when no agency is found.
with

plans as (
    select * from {{ ref('stg_reference__plans') }}
),

assignments as (
    select distinct plan_id, indicator_code, sector
    from {{ ref('stg_reference__assignments') }}
),

reporting_units as (
    select * from {{ ref('stg_reference__reporting_units') }}
),

expected_agencies as (
    select * from {{ ref('stg_reference__expected_agencies') }}
),

years as (
    {{ year_spine(2020, var('completeness_last_year', 2025)) }}
),

plan_years as (
    select
        plans.plan_id,
        plans.locality_id as territory_id,
        years.year,
        {{ date_from_year_and_mmdd(
            'years.year',
            "coalesce(plans.report_deadline, '" ~ var('default_report_deadline', '12-15') ~ "')"
        ) }} as deadline
    from plans
    cross join years
    where plans.locality_id is not null
),

final as (
    select
        plan_years.plan_id,
        assignments.sector,
        plan_years.year,
        plan_years.territory_id,
        plan_years.deadline,
        reporting_units.unit_id,
        reporting_units.unit_level,
        assignments.indicator_code,
        expected_agencies.expected_agency_id
    from plan_years
    inner join assignments
        on plan_years.plan_id = assignments.plan_id
    inner join reporting_units
        on plan_years.plan_id = reporting_units.plan_id
        and plan_years.year = reporting_units.year
    left join expected_agencies
        on plan_years.plan_id = expected_agencies.plan_id
        and assignments.sector = expected_agencies.sector
        and plan_years.year = expected_agencies.year
)

select * from final
