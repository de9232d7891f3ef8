{{ config(materialized="view") }}  {#- read by one model only: no table of its own -#}
-- Loaded submissions ranked within plan x sector x year x territory, the key the ingest supersedes by. The
-- ingest marks a replaced file `superseded`; the ranking is a second line of defence: if two files of the
-- same plan, sector, year and territory are both still `loaded`, only the one received last is current.
-- Not by agency: from 2025 one agency (health) answers for two sectors' workbooks (health and the former
-- social-affairs duties), and those are two submissions, not a correction of one by the other.
with

submissions as (
    select * from {{ ref('stg_audit__submissions') }}
),

loaded as (
    select
        submission_id,
        file_name,
        received_at,
        agency_id,
        plan_id,
        sector,
        year,
        locality_id,
        status,
        row_number() over (
            partition by plan_id, sector, year, locality_id
            order by received_at desc, submission_id desc
        ) as recency_rank
    from submissions
    where status = 'loaded'
),

final as (
    select
        submission_id,
        file_name,
        received_at,
        agency_id,
        plan_id,
        sector,
        year,
        locality_id,
        status,
        recency_rank,
        recency_rank = 1 as is_current
    from loaded
)

select * from final
