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
--   expected agency: the agency of that sector valid on the reporting date, at the territory or, after the
--              reorganisation, at its vn2025 successor; when the sector no longer exists (social_affairs ended
--              2025-02-28) its duties pass to the successor sector of var('sector_successors').
with

plans as (
    select * from {{ ref('stg_reference__plans') }}
),

agencies as (
    select * from {{ ref('stg_reference__agencies') }}
),

assignments as (
    select distinct plan_id, indicator_code, sector
    from {{ ref('stg_reference__assignments') }}
),

bridge as (
    select * from {{ ref('stg_reference__locality_succession') }}
),

reporting_units as (
    select * from {{ ref('stg_reference__reporting_units') }}
),

reporting_dates as (
    select distinct plan_id, year, valid_on
    from reporting_units
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

-- where the territory's agencies sit: the territory, and its vn2025 successor(s) after the reorganisation
agency_places as (
    select plans.plan_id, plans.locality_id as place_id, 0 as place_rank
    from plans
    union all
    select plans.plan_id, bridge.new_locality_id as place_id, 1 as place_rank
    from plans
    inner join bridge
        on plans.locality_id = bridge.old_locality_id
),

plan_sectors as (
    select distinct plan_id, sector
    from assignments
),

agency_candidates as (
    select
        plan_sectors.plan_id,
        plan_sectors.sector,
        plan_years.year,
        agencies.agency_id,
        row_number() over (
            partition by plan_sectors.plan_id, plan_sectors.sector, plan_years.year
            order by
                case
                    when agencies.sector = plan_sectors.sector then 0
                    else 1
                end,
                agency_places.place_rank,
                agencies.agency_id
        ) as candidate_rank
    from plan_sectors
    inner join plan_years
        on plan_sectors.plan_id = plan_years.plan_id
    inner join reporting_dates
        on plan_years.plan_id = reporting_dates.plan_id
        and plan_years.year = reporting_dates.year
    inner join agency_places
        on plan_sectors.plan_id = agency_places.plan_id
    inner join agencies
        on agencies.locality_id = agency_places.place_id
        and agencies.valid_from <= reporting_dates.valid_on
        and (agencies.valid_to is null or agencies.valid_to >= reporting_dates.valid_on)
    where agencies.sector = plan_sectors.sector
        {%- for old_sector, new_sector in var('sector_successors', {'social_affairs': 'health'}).items() %}
        or (plan_sectors.sector = '{{ old_sector }}' and agencies.sector = '{{ new_sector }}')
        {%- endfor %}
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
        agency_candidates.agency_id as expected_agency_id
    from plan_years
    inner join assignments
        on plan_years.plan_id = assignments.plan_id
    inner join reporting_units
        on plan_years.plan_id = reporting_units.plan_id
        and plan_years.year = reporting_units.year
    left join agency_candidates
        on plan_years.plan_id = agency_candidates.plan_id
        and assignments.sector = agency_candidates.sector
        and plan_years.year = agency_candidates.year
        and agency_candidates.candidate_rank = 1
)

select * from final
