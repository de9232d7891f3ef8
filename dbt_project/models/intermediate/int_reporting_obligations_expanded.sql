{{ config(materialized="view") }}  {#- read by one model only: no table of its own -#}
-- What each plan expects to receive: one row per plan x sector x year x reporting unit x indicator.
--   years:     2020 (baseline) to var('completeness_last_year', 2025).
--   deadline:  the plan's yearly report_deadline ('MM-DD', raw.plans) in that year; var('default_report_deadline',
--              '12-15') when the plan has none. Units and agencies are taken as valid on that date.
--   units:     the plan territory's child units at the level submissions report on: a vn2008 district plan's
--              communes, a vn2008 province plan's districts, the nation's provinces; from 2025-07-01 (no more
--              districts) a vn2008 territory's units are the vn2025 communes that received its communes
--              (int_successor_communes_mapped) and a vn2025 province's are its communes.
--   indicators: those assigned to the sector in the plan (fct_assignment).
--   expected agency: the agency of that sector valid on the deadline, at the territory or, after the
--              reorganisation, at its vn2025 successor; when the sector no longer exists (social_affairs ended
--              2025-02-28) its duties pass to the successor sector of var('sector_successors').
with

plans as (
    select * from {{ ref('stg_reference__plans') }}
),

localities as (
    select * from {{ ref('stg_reference__localities') }}
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

successor_communes as (
    select * from {{ ref('int_successor_communes_mapped') }}
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

units_valid as (
    select
        plan_years.plan_id,
        plan_years.year,
        units.locality_id as unit_id,
        units.level as unit_level
    from plan_years
    inner join localities as units
        on units.valid_from <= plan_years.deadline
        and (units.valid_to is null or units.valid_to >= plan_years.deadline)
    left join successor_communes
        on successor_communes.old_unit_id = plan_years.territory_id
        and successor_communes.new_locality_id = units.locality_id
    where
        (plan_years.territory_id = 'vn:VN' and units.level = 'province')
        or (plan_years.territory_id <> 'vn:VN' and units.parent_id = plan_years.territory_id)
        or successor_communes.new_locality_id is not null
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
    inner join agency_places
        on plan_sectors.plan_id = agency_places.plan_id
    inner join agencies
        on agencies.locality_id = agency_places.place_id
        and agencies.valid_from <= plan_years.deadline
        and (agencies.valid_to is null or agencies.valid_to >= plan_years.deadline)
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
        units_valid.unit_id,
        units_valid.unit_level,
        assignments.indicator_code,
        agency_candidates.agency_id as expected_agency_id
    from plan_years
    inner join assignments
        on plan_years.plan_id = assignments.plan_id
    inner join units_valid
        on plan_years.plan_id = units_valid.plan_id
        and plan_years.year = units_valid.year
    left join agency_candidates
        on plan_years.plan_id = agency_candidates.plan_id
        and assignments.sector = agency_candidates.sector
        and plan_years.year = agency_candidates.year
        and agency_candidates.candidate_rank = 1
)

select * from final
