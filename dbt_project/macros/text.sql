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
