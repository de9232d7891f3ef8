-- Every target claim with two judgements attached:
--   is_conflicting: another claim of the same plan, indicator and year states a different comparator,
--                   value or upper bound (e.g. Bắc Ninh's text says 98, its appendix 97);
--   is_authoritative: the one claim per plan x indicator x year the review marts use. Default rule:
--                   a reviewed override (raw.target_overrides) names the section to use; otherwise the body
--                   text beats the appendix; ties are broken by claim_id so the choice is reproducible.
-- plan_item_order: the plan item's number, for sorting ("Chỉ tiêu 10" after "Chỉ tiêu 2").
with

targets as (
    select * from {{ ref('stg_reference__targets') }}
),

overrides as (
    select * from {{ ref('stg_reference__target_overrides') }}
),

variants as (
    select
        plan_id,
        indicator_code,
        year,
        count(*) as claim_count,
        count(distinct comparator) as comparator_count,
        min(target_value) as min_value,
        max(target_value) as max_value,
        min(coalesce(target_value_high, -1)) as min_high,
        max(coalesce(target_value_high, -1)) as max_high
    from targets
    group by plan_id, indicator_code, year
),

ranked as (
    select
        targets.*,
        overrides.reason as override_reason,
        row_number() over (
            partition by targets.plan_id, targets.indicator_code, targets.year
            order by
                case when targets.source_section = overrides.authoritative_section then 0 else 1 end,
                case targets.source_section when 'text' then 0 else 1 end,
                targets.claim_id
        ) as authority_rank
    from targets
    left join overrides
        on targets.plan_id = overrides.plan_id
        and targets.indicator_code = overrides.indicator_code
        and targets.year = overrides.year
),

final as (
    select
        ranked.claim_id,
        ranked.plan_id,
        ranked.locality_id,
        ranked.indicator_code,
        ranked.plan_item,
        ranked.year,
        ranked.comparator,
        ranked.target_value,
        ranked.target_value_high,
        ranked.unit_as_written,
        ranked.conversion_factor,
        ranked.source_section,
        ranked.source_quote,
        (
            variants.comparator_count > 1
            or variants.min_value <> variants.max_value
            or variants.min_high <> variants.max_high
        ) as is_conflicting,
        ranked.authority_rank = 1 as is_authoritative,
        case
            when ranked.authority_rank <> 1 then null
            when ranked.override_reason is not null then 'override: ' || ranked.override_reason
            when variants.claim_count = 1 then 'only claim'
            when ranked.source_section = 'text' then 'default: body text beats appendix'
            else 'default: first claim of its section'
        end as authority_rule,
        cast({{ plan_item_order('ranked.plan_item') }} as integer) as plan_item_order
    from ranked
    inner join variants
        on ranked.plan_id = variants.plan_id
        and ranked.indicator_code = variants.indicator_code
        and ranked.year = variants.year
)

select * from final
