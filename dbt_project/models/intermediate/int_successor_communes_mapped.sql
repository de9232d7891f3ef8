-- For every vn2008 district and province: the vn2025 communes that received any of its communes (its
-- "covering communes" after the 2025 reorganisation), with what makes the mapping approximate:
--   any_partial:        a bridge row from one of its communes into this new commune is partial;
--   has_outside_member: this new commune also received communes from outside the old unit.
-- Used to bridge values forward (int_indicator_values_bridged_forward).
with

bridge as (
    select * from {{ ref('stg_reference__locality_succession') }}
),

localities as (
    select * from {{ ref('stg_reference__localities') }}
),

old_communes as (
    select
        locality_id as old_commune_id,
        parent_id as district_id,
        province_id
    from localities
    where scheme = 'vn2008'
        and level = 'commune'
),

commune_membership as (
    select old_commune_id, district_id as old_unit_id from old_communes where district_id is not null
    union all
    select old_commune_id, province_id as old_unit_id from old_communes where province_id is not null
),

commune_bridge as (
    select bridge.*
    from bridge
    inner join localities as new_unit
        on bridge.new_locality_id = new_unit.locality_id
    where new_unit.scheme = 'vn2025'
        and new_unit.level = 'commune'
),

covering as (
    select
        commune_membership.old_unit_id,
        commune_bridge.new_locality_id,
        max(case when commune_bridge.is_partial then 1 else 0 end) as any_partial
    from commune_membership
    inner join commune_bridge
        on commune_membership.old_commune_id = commune_bridge.old_locality_id
    group by commune_membership.old_unit_id, commune_bridge.new_locality_id
),

outside_members as (
    select
        covering.old_unit_id,
        covering.new_locality_id,
        max(case when commune_membership.old_unit_id is null then 1 else 0 end) as has_outside_member
    from covering
    inner join commune_bridge
        on covering.new_locality_id = commune_bridge.new_locality_id
    left join commune_membership
        on commune_bridge.old_locality_id = commune_membership.old_commune_id
        and commune_membership.old_unit_id = covering.old_unit_id
    group by covering.old_unit_id, covering.new_locality_id
),

final as (
    select
        covering.old_unit_id,
        covering.new_locality_id,
        covering.any_partial,
        outside_members.has_outside_member
    from covering
    inner join outside_members
        on covering.old_unit_id = outside_members.old_unit_id
        and covering.new_locality_id = outside_members.new_locality_id
)

select * from final
