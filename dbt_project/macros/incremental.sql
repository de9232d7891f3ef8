{#- Incremental build of the value chain by reporting year.

    The value chain (flagged -> rolled up -> unioned -> selected -> re-expressed / bridged -> series -> facts)
    is year-local: every value of a year is derived from that year's values and the reference data only.
    So each of its models is `incremental` with the `delete+insert` strategy keyed on `year` (dbt-duckdb and
    dbt-postgres alike), and a build recomputes only the years Dagster names in the environment variable
    TREEM_DBT_YEARS (orchestration/defs/assets/dbt_years.py decides them; an env var, not --vars, so dbt keeps
    its partial-parse cache):
      unset           every year (a hand-run `dbt build`);
      'none'          no year changed: the chain keeps its rows;
      '2024,2025'     those years only.
    A full refresh (`--full-refresh`) rebuilds everything when the reference data or the models change, so a
    changed column list never meets an old table in the pipeline; on_schema_change is `append_new_columns`,
    not `fail`, because PostgreSQL reports a contract's varchar columns as text and `fail` would call that a
    change.
    The pre-hook deletes the years being rebuilt before the insert, so a year whose values all went away
    (a file superseded by an empty one) loses its rows too: delete+insert alone only replaces the years
    present in the new rows. -#}

{% macro rebuild_years() -%}
    {{ return(env_var('TREEM_DBT_YEARS', 'all') | trim) }}
{%- endmacro %}


{#- The predicate on `column` selecting the years this build recomputes (always true on a full build, and in
    unit tests, which have no `this`). -#}
{% macro in_rebuilt_years(column='year') -%}
    {#- the environment is read only when the model runs incrementally, never while dbt parses: a variable
        read at parse time would make dbt re-parse these models whenever the years change -#}
    {{ years_predicate(column, rebuild_years() if this is not none and is_incremental() else 'all') }}
{%- endmacro %}


{#- `years` (the TREEM_DBT_YEARS forms above) as a predicate on `column`. -#}
{% macro years_predicate(column, years) -%}
    {%- if years == 'all' -%}
        true
    {%- elif years == 'none' or years == '' -%}
        false
    {%- else -%}
        {%- for year in years.split(',') -%}
            {%- if not (year | trim).isdigit() -%}
                {{ exceptions.raise_compiler_error("TREEM_DBT_YEARS: '" ~ years ~ "' is not a list of years") }}
            {%- endif -%}
        {%- endfor -%}
        {{ column }} in ({{ years }})
    {%- endif -%}
{%- endmacro %}


{% macro delete_rebuilt_years() -%}
    {%- if this is not none and is_incremental() -%}
        delete from {{ this }} where {{ in_rebuilt_years('year') }}
    {%- endif -%}
{%- endmacro %}


{#- The config of every model of the value chain: {{ config(**year_incremental()) }} -#}
{% macro year_incremental() -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': 'year',
        'on_schema_change': 'append_new_columns',
        'pre_hook': "{{ delete_rebuilt_years() }}",
    }) }}
{%- endmacro %}


{#- The relation a data test reads (dbt's documented hook behind the `where` test config, kept working here).
    A test of a value-chain model checks only the years this build recomputed: the other years' rows are
    the ones the last successful build wrote and tested, and anything else that could change them (the
    reference data, the dbt project, the target) makes the build full, which tests every row. Every test of
    these models is row-local or keyed on `year`, so no duplicate or bad row can hide across years. The
    environment is read only while the test runs (never while dbt parses: see in_rebuilt_years). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if execute -%}
        {%- set tested = graph.nodes.get(model.get('attached_node') or '', {}) -%}
        {%- set tested_config = tested.get('config', {}) -%}
        {%- if tested_config.get('materialized') == 'incremental' and tested_config.get('unique_key') == 'year' -%}
            {%- set years = rebuild_years() -%}
            {%- if years != 'all' -%}
                {%- set rebuilt = years_predicate('year', years) | trim -%}
                {%- set where = '(' ~ where ~ ') and ' ~ rebuilt if where else rebuilt -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
