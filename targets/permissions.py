"""Who may do what: the one place API and pages ask.

Roles live on Membership (one per user and organisation). Superusers are
administrators everywhere. A supervisor of an organisation also sees its
child organisations (a district supervisor over several towns).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from targets.models import Membership, Organisation

ADMIN = Membership.Role.ADMIN
SUPERVISOR = Membership.Role.SUPERVISOR
STAFF = Membership.Role.STAFF


def _memberships(user) -> QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return Membership.objects.filter(user=user)


def organisations_with_role(user, *roles: str) -> QuerySet[Organisation]:
    """Organisations where the user holds one of `roles`, their children included."""
    if getattr(user, "is_superuser", False):
        return Organisation.objects.all()
    ids = list(_memberships(user).filter(role__in=roles).values_list("organisation_id", flat=True))
    return Organisation.objects.filter(Q(id__in=ids) | Q(parent_id__in=ids))


def visible_organisations(user) -> QuerySet[Organisation]:
    return organisations_with_role(user, ADMIN, SUPERVISOR, STAFF)


def can_view_organisation(user, organisation: Organisation) -> bool:
    return visible_organisations(user).filter(pk=organisation.pk).exists()


def can_manage_organisation(user, organisation: Organisation) -> bool:
    """Import reports, review commitments, assign departments, edit milestones."""
    return organisations_with_role(user, ADMIN).filter(pk=organisation.pk).exists()


def can_supervise_organisation(user, organisation: Organisation) -> bool:
    """Decide extensions and sign-off; read every target."""
    return organisations_with_role(user, ADMIN, SUPERVISOR).filter(pk=organisation.pk).exists()


def user_department_ids(user) -> set[int]:
    return set(_memberships(user).filter(department__isnull=False).values_list("department_id", flat=True))


# --- targets ---------------------------------------------------------------


def can_view_target(user, target) -> bool:
    return can_view_organisation(user, target.organisation)


def can_report_progress(user, target) -> bool:
    """Staff of the lead department report progress; administrators may too."""
    if target.lead_department_id and target.lead_department_id in user_department_ids(user):
        return True
    return can_manage_organisation(user, target.organisation)


def can_sign_off(user, target) -> bool:
    """Supervisors (and administrators) verify and sign off, and decide extensions."""
    return can_supervise_organisation(user, target.organisation)


def can_manage_target(user, target) -> bool:
    """Reassign departments, edit milestones, cancel."""
    return can_manage_organisation(user, target.organisation)
