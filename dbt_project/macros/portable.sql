{#- Cross-database helpers. Everything here must compile to SQL that DuckDB and PostgreSQL both accept:
    PostgreSQL raises on division by zero and on a negative base raised to a fractional power, and divides
    integers as integers, so arithmetic goes through these macros. -#}

{#- a / b as a double, null when b is 0 or null. -#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ type_double() }}) / nullif(cast({{ denominator }} as {{ type_double() }}), 0))
{%- endmacro %}

{#- base ^ exponent for a positive base, else null (growth rates are undefined for zero or negative values). -#}
{% macro positive_power(base, exponent) -%}
    {{ return(adapter.dispatch('positive_power')(base, exponent)) }}
{%- endmacro %}

{% macro default__positive_power(base, exponent) -%}
    case
        when cast({{ base }} as {{ type_double() }}) > 0
            then power(cast({{ base }} as {{ type_double() }}), cast({{ exponent }} as {{ type_double() }}))
    end
{%- endmacro %}

{#- The larger / smaller of two doubles, ignoring nulls the same way on both engines. -#}
{% macro larger_of(a, b) -%}
    {{ return(adapter.dispatch('larger_of')(a, b)) }}
{%- endmacro %}

{% macro default__larger_of(a, b) -%}
    greatest(cast({{ a }} as {{ type_double() }}), cast({{ b }} as {{ type_double() }}))
{%- endmacro %}

{% macro smaller_of(a, b) -%}
    {{ return(adapter.dispatch('smaller_of')(a, b)) }}
{%- endmacro %}

{% macro default__smaller_of(a, b) -%}
    least(cast({{ a }} as {{ type_double() }}), cast({{ b }} as {{ type_double() }}))
{%- endmacro %}

{#- A date from an integer year and an 'MM-DD' string. -#}
{% macro date_from_year_and_mmdd(year, mmdd) -%}
    cast(cast({{ year }} as {{ dbt.type_string() }}) || '-' || {{ mmdd }} as date)
{%- endmacro %}

{#- A one-column relation `year` holding first..last (inclusive), without engine-specific generators. -#}
{% macro year_spine(first, last) -%}
    {%- for y in range(first | int, (last | int) + 1) %}
    select cast({{ y }} as integer) as year{% if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- Severity as an orderable rank (worst wins with max) and back. -#}
{% macro severity_rank(severity) -%}
    case {{ severity }} when 'error' then 2 when 'warning' then 1 else 0 end
{%- endmacro %}

{% macro quality_status(rank) -%}
    case {{ rank }} when 2 then 'error' when 1 then 'warning' else 'ok' end
{%- endmacro %}

{#- Whether `value` satisfies `comparator target`, with a 1e-9 tolerance for float noise that never turns a
    strict comparison into a non-strict one ('<' 9.5 is not met by 9.5). -#}
{% macro meets_target(value, comparator, target) -%}
    case
        when {{ value }} is null or {{ target }} is null or {{ comparator }} is null then null
        when {{ comparator }} = '<' then {{ value }} < {{ target }} - 1e-9
        when {{ comparator }} = '<=' then {{ value }} <= {{ target }} + 1e-9
        when {{ comparator }} = '>=' then {{ value }} >= {{ target }} - 1e-9
        when {{ comparator }} = '>' then {{ value }} > {{ target }} + 1e-9
        when {{ comparator }} = '=' then abs({{ value }} - {{ target }}) <= 1e-9
    end
{%- endmacro %}

{#- Equality where two nulls match (both DuckDB and PostgreSQL know the standard predicate). -#}
{% macro null_safe_equal(a, b) -%}
    {{ a }} is not distinct from {{ b }}
{%- endmacro %}
