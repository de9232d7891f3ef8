-- A projection of its staging view (typed there); the intermediate models read the staging view too.
with plans as (
    select * from {{ ref('stg_reference__plans') }}
)

select
    plan_id,
    title_vi,
    document_no,
    issued_on,
    locality_id,
    source_file,
    issuer_vi,
    report_deadline
from plans
