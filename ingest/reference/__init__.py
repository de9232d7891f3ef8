"""Reference data: the indicator catalog, plans and their targets, localities and agencies.

Kept as reviewed YAML next to the code (not typed into the warehouse by hand) so that every number a mart
compares against can be traced to a verbatim quote of its source document and reviewed in a diff.
"""
