{#- Fails for every plan x indicator x year that does not have exactly one authoritative target claim. -#}
{% test exactly_one_authoritative_claim(model) %}
select plan_id, indicator_code, year, count(*) as authoritative_claims
from {{ model }}
where is_authoritative
group by plan_id, indicator_code, year
having count(*) <> 1
{% endtest %}
