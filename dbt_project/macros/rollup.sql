{#- One step up the locality hierarchy: sums the additive parts of the `nodes` relation (one row per
    indicator x locality x year: add_num, add_den, quality_rank, warning_value_count, conflict_value_count, is_approximate, and the
    range min_plan_id .. max_plan_id of the plans whose submissions are summed) over
    the children of `child_level`, grouped by parent. The children's scheme is part of the key because the
    nation is the parent of the provinces of both schemes, which must never be added together. -#}
{% macro rollup_children(nodes, localities, child_level) -%}
    select
        {{ nodes }}.indicator_code,
        child.parent_id as locality_id,
        child.scheme as child_scheme,
        '{{ child_level }}' as child_level,
        {{ nodes }}.year,
        sum({{ nodes }}.add_num) as add_num,
        sum({{ nodes }}.add_den) as add_den,
        count(*) as child_count,
        max({{ nodes }}.quality_rank) as quality_rank,
        sum({{ nodes }}.warning_value_count) as warning_value_count,
        sum({{ nodes }}.conflict_value_count) as conflict_value_count,
        max(case when {{ nodes }}.is_approximate then 1 else 0 end) as any_child_approximate,
        min({{ nodes }}.min_plan_id) as min_plan_id,
        max({{ nodes }}.max_plan_id) as max_plan_id
    from {{ nodes }}
    inner join {{ localities }} as child
        on {{ nodes }}.locality_id = child.locality_id
    where child.level = '{{ child_level }}'
        and child.parent_id is not null
    group by {{ nodes }}.indicator_code, child.parent_id, child.scheme, {{ nodes }}.year
{%- endmacro %}
