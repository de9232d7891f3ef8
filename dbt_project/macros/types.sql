{#- Portable column types for contract-enforced models. dbt's `type_float()` is a 4-byte REAL on DuckDB,
    which would round rates, so doubles are spelled out here once. -#}
{% macro type_double() -%}
    double precision
{%- endmacro %}
