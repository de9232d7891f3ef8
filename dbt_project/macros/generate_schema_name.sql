{#- The contract names schemas `marts`, `audit`, `dq` exactly; dbt's default would prefix the target schema
    (`main_marts`). A model's custom schema is therefore used as-is. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
