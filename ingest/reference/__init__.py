"""Reference data: indicator catalog, plans and targets, localities, agencies."""
