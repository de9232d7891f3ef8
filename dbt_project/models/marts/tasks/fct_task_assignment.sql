-- Who does each task: the lead (one row, the sector of the verbatim lead) and every coordinating agency.
with

tasks as (
    select * from {{ ref('stg_reference__tasks') }}
),

coordination as (
    select * from {{ ref('stg_reference__task_coordination') }}
),

assignments as (
    select
        task_id,
        plan_id,
        lead_sector as sector,
        'lead' as role,
        lead_as_written as agency_as_written
    from tasks
    union all
    select
        coordination.task_id,
        tasks.plan_id,
        coordination.sector,
        'coordinating' as role,
        coordination.agency_as_written
    from coordination
    inner join tasks
        on coordination.task_id = tasks.task_id
)

select
    cast(task_id as {{ dbt.type_string() }}) as task_id,
    cast(plan_id as {{ dbt.type_string() }}) as plan_id,
    cast(sector as {{ dbt.type_string() }}) as sector,
    cast(role as {{ dbt.type_string() }}) as role,
    cast(agency_as_written as {{ dbt.type_string() }}) as agency_as_written
from assignments
