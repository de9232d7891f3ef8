{#
  A plan quote as a reader should see it. The plan registry keeps the seed's text verbatim (it is verified
  against the source document), and a few seed sentences carry LaTeX from their conversion: "đạt $\geq 95\%$".
  Staging cleans that markup once, so every mart and report shows "đạt ≥ 95%". Plain replace() calls keep it
  portable (DuckDB and PostgreSQL).
#}
{% macro clean_quote(column) -%}
    trim(
        replace(replace(replace(replace(replace(replace(replace(
            {{ column }},
            '\geq', '≥'), '\leq', '≤'), '\ge', '≥'), '\le', '≤'), '\%', '%'), '\times', '×'), '$', '')
    )
{%- endmacro %}

{#
  A plan's own item label in natural order: "Chỉ tiêu 2" before "Chỉ tiêu 10", "8.1" before "8.2" (text order
  puts 10 before 2). The first number x 1000 + the second (0 when none); null when the label has no number.
#}
{% macro plan_item_order(column) -%}
    ({{ item_number(column, '^[^0-9]*([0-9]+)') }} * 1000
        + coalesce({{ item_number(column, '^[^0-9]*[0-9]+[^0-9]+([0-9]+)') }}, 0))
{%- endmacro %}

{% macro item_number(column, pattern) -%}
    {{ return(adapter.dispatch('item_number')(column, pattern)) }}
{%- endmacro %}

{% macro default__item_number(column, pattern) -%}
    cast(substring({{ column }} from '{{ pattern }}') as integer)
{%- endmacro %}

{% macro duckdb__item_number(column, pattern) -%}
    cast(nullif(regexp_extract({{ column }}, '{{ pattern }}', 1), '') as integer)
{%- endmacro %}
