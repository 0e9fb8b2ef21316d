"""Suggest a lead department (牵头单位) for a commitment from the keyword table.

The table (`LeadDepartmentRule`) is editable in the admin; a data migration
seeds it. Rules name a department, so one table serves every organisation;
the organisation's department of that name is created on first use.
"""

from __future__ import annotations

from collections.abc import Iterable

from targets.models import Department, LeadDepartmentRule, Organisation

FALLBACK_DEPARTMENT = "党政办"


def suggest_department_name(text: str, rules: Iterable[LeadDepartmentRule] | None = None) -> str:
    """The department named by the best rule whose keyword occurs in `text`.

    Best = lowest priority number, then the longest keyword (旧住房 beats 住房).
    """
    if rules is None:
        rules = LeadDepartmentRule.objects.all()
    best: tuple[int, int] | None = None
    name = FALLBACK_DEPARTMENT
    for rule in rules:
        if rule.keyword and rule.keyword in text:
            rank = (rule.priority, -len(rule.keyword))
            if best is None or rank < best:
                best, name = rank, rule.department_name
    return name


def suggest_lead_department(*, organisation: Organisation, text: str) -> Department:
    """The organisation's department for `text`, created when it does not exist yet."""
    name = suggest_department_name(text)
    department, _ = Department.objects.get_or_create(organisation=organisation, name=name)
    return department
