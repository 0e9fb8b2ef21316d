"""Who may do what: the one place API and pages ask.

Roles live on Membership (one per user and organisation). Superusers are
administrators everywhere. A supervisor of an organisation also sees its
child organisations (a district supervisor over several towns).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from targets.models import Membership, Organisation, Target

ADMIN = Membership.Role.ADMIN
SUPERVISOR = Membership.Role.SUPERVISOR
STAFF = Membership.Role.STAFF


def _memberships(user) -> list[tuple[int, int | None, str]]:
    """(organisation, department, role) of each of the user's memberships: read once per user object, i.e. once per
    request (a page asks five questions of them), kept on the object."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows = getattr(user, "_duban_memberships", None)
    if rows is None:
        rows = list(Membership.objects.filter(user=user).values_list("organisation_id", "department_id", "role"))
        user._duban_memberships = rows
    return rows


def organisations_with_role(user, *roles: str) -> QuerySet[Organisation]:
    """Organisations where the user holds one of `roles`, their children included."""
    if getattr(user, "is_superuser", False):
        return Organisation.objects.all()
    ids = [organisation for organisation, _department, role in _memberships(user) if role in roles]
    return Organisation.objects.filter(Q(id__in=ids) | Q(parent_id__in=ids))


def holds_role(user, *roles: str) -> bool:
    """Whether the user holds one of `roles` anywhere (superusers hold every role)."""
    return getattr(user, "is_superuser", False) or any(role in roles for *_ids, role in _memberships(user))


def administers_any(user) -> bool:
    """Whether the user is an administrator somewhere (the ledger import's entry point)."""
    return holds_role(user, ADMIN)


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
    return {department for _organisation, department, _role in _memberships(user) if department is not None}


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


def is_co_department_staff(user, target) -> bool:
    """Staff of a co-department (责任单位): kept informed, add notes and evidence, never change the figure."""
    ids = user_department_ids(user)
    return bool(ids) and any(d.pk in ids for d in target.co_departments.all())


def can_comment(user, target) -> bool:
    """Comments, notes and evidence: anyone who can see the target."""
    return can_view_target(user, target)


# --- one table for API and pages -----------------------------------------------

VIEW = "view"
COMMENT = "comment"
REPORT_PROGRESS = "report_progress"
TICK_MILESTONE = "tick_milestone"
REQUEST_EXTENSION = "request_extension"
REQUEST_SIGNOFF = "request_signoff"
DECIDE_EXTENSION = "decide_extension"
DECIDE_SIGNOFF = "decide_signoff"
ESCALATE = "escalate"
CANCEL = "cancel"
REASSIGN = "reassign"
EDIT_MILESTONES = "edit_milestones"
EDIT_TARGET = "edit_target"

_RULES = {
    VIEW: can_view_target,
    COMMENT: can_comment,
    REPORT_PROGRESS: can_report_progress,
    TICK_MILESTONE: can_report_progress,
    REQUEST_EXTENSION: can_report_progress,
    REQUEST_SIGNOFF: can_report_progress,
    DECIDE_EXTENSION: can_sign_off,
    DECIDE_SIGNOFF: can_sign_off,
    ESCALATE: can_sign_off,
    CANCEL: can_manage_target,
    REASSIGN: can_manage_target,
    EDIT_MILESTONES: can_manage_target,
    EDIT_TARGET: can_manage_target,
}
ACTIONS = tuple(_RULES)

DENIED = {
    VIEW: "您没有权限查看该任务。",
    COMMENT: "您没有权限评论该任务。",
    REPORT_PROGRESS: "只有牵头单位的工作人员或管理员可以填报该任务的进展。",
    TICK_MILESTONE: "只有牵头单位的工作人员或管理员可以确认时间节点。",
    REQUEST_EXTENSION: "只有牵头单位的工作人员或管理员可以申请延期。",
    REQUEST_SIGNOFF: "只有牵头单位的工作人员或管理员可以申请销号。",
    DECIDE_EXTENSION: "只有督查人员或管理员可以审批延期。",
    DECIDE_SIGNOFF: "只有督查人员或管理员可以审批销号。",
    ESCALATE: "只有督查人员或管理员可以督办升级。",
    CANCEL: "只有管理员可以取消任务。",
    REASSIGN: "只有管理员可以调整责任单位。",
    EDIT_MILESTONES: "只有管理员可以调整时间节点。",
    EDIT_TARGET: "只有管理员可以修改任务。",
}


def can(user, action: str, target) -> bool:
    """The single question pages, API and services ask: may `user` do `action` on `target`?"""
    return _RULES[action](user, target)


def allowed_actions(user, target) -> set[str]:
    """Every action the user may take on the target (for showing buttons); one pass of queries."""
    if not can_view_target(user, target):
        return set()
    department_ids = user_department_ids(user)
    manage = can_manage_organisation(user, target.organisation)
    supervise = manage or can_supervise_organisation(user, target.organisation)
    lead = manage or (target.lead_department_id is not None and target.lead_department_id in department_ids)
    actions = {VIEW, COMMENT}
    if lead:
        actions |= {REPORT_PROGRESS, TICK_MILESTONE, REQUEST_EXTENSION, REQUEST_SIGNOFF}
    if supervise:
        actions |= {DECIDE_EXTENSION, DECIDE_SIGNOFF, ESCALATE}
    if manage:
        actions |= {CANCEL, REASSIGN, EDIT_MILESTONES, EDIT_TARGET}
    return actions


# --- the lifecycle: one table of transitions for services, pages and templates ----------------------------------

Lifecycle = Target.Lifecycle
STARTS = "starts"  # `to` of a transition that moves 未启动 to 推进中 and keeps any other state
RESUMES = "resumes"  # `to` of a transition that ends a pending 申请延期 (back to 推进中) and keeps any other state
CLOSED_STATES = frozenset({Lifecycle.SIGNED_OFF, Lifecycle.CANCELLED})
PENDING_STATES = frozenset({Lifecycle.EXTENSION_REQUESTED, Lifecycle.SIGNOFF_REQUESTED})
OPEN_STATES = frozenset(Lifecycle.values) - CLOSED_STATES
CLOSED_REFUSAL = ("该任务已销号或已取消。", "closed")


@dataclass(frozen=True)
class Transition:
    """One move in a target's life: who may make it (`action`, a rule above), from which states, to which state
    (None: unchanged; STARTS and RESUMES: see above), and what a refused state is told (message, code)."""

    action: str
    sources: frozenset[str]
    to: str | None
    refusals: tuple[tuple[frozenset[str], str, str], ...] = ((CLOSED_STATES, *CLOSED_REFUSAL),)
    refused: tuple[str, str] = CLOSED_REFUSAL

    def refusal(self, lifecycle: str) -> tuple[str, str]:
        return next(((m, c) for states, m, c in self.refusals if lifecycle in states), self.refused)

    def next_state(self, lifecycle: str) -> str:
        if self.to is None:
            return lifecycle
        if self.to == STARTS:
            return Lifecycle.IN_PROGRESS if lifecycle == Lifecycle.NOT_STARTED else lifecycle
        if self.to == RESUMES:
            return Lifecycle.IN_PROGRESS if lifecycle == Lifecycle.EXTENSION_REQUESTED else lifecycle
        return self.to


_NO_REQUEST_EXTENSION = ("该任务没有待审批的延期申请。", "no_request")
_NO_REQUEST_SIGNOFF = ("该任务没有待审批的销号申请。", "no_request")
TRANSITIONS: dict[str, Transition] = {
    "report_progress": Transition(
        REPORT_PROGRESS, OPEN_STATES, STARTS, refused=("该任务已销号或已取消，不能再填报进展。", "closed")
    ),
    "tick_milestone": Transition(TICK_MILESTONE, OPEN_STATES, STARTS),
    "edit_milestones": Transition(EDIT_MILESTONES, OPEN_STATES, None),
    "request_extension": Transition(
        REQUEST_EXTENSION,
        OPEN_STATES - PENDING_STATES,
        Lifecycle.EXTENSION_REQUESTED,
        refusals=(
            (CLOSED_STATES, *CLOSED_REFUSAL),
            (PENDING_STATES, "该任务已有待审批的申请，请等待督查人员处理。", "pending"),
        ),
    ),
    "request_signoff": Transition(
        REQUEST_SIGNOFF,
        OPEN_STATES - PENDING_STATES,
        Lifecycle.SIGNOFF_REQUESTED,
        refusals=(),
        refused=("该任务当前状态不能申请销号。", "bad_lifecycle"),
    ),
    # A supervisor may extend or sign off at any time before closing, asked or not.
    "extend": Transition(DECIDE_EXTENSION, OPEN_STATES, RESUMES),
    "sign_off": Transition(DECIDE_SIGNOFF, OPEN_STATES, Lifecycle.SIGNED_OFF),
    "approve_extension": Transition(
        DECIDE_EXTENSION, frozenset({Lifecycle.EXTENSION_REQUESTED}), Lifecycle.IN_PROGRESS, (), _NO_REQUEST_EXTENSION
    ),
    "refuse_extension": Transition(
        DECIDE_EXTENSION, frozenset({Lifecycle.EXTENSION_REQUESTED}), Lifecycle.IN_PROGRESS, (), _NO_REQUEST_EXTENSION
    ),
    "approve_signoff": Transition(
        DECIDE_SIGNOFF, frozenset({Lifecycle.SIGNOFF_REQUESTED}), Lifecycle.SIGNED_OFF, (), _NO_REQUEST_SIGNOFF
    ),
    "return_signoff": Transition(
        DECIDE_SIGNOFF, frozenset({Lifecycle.SIGNOFF_REQUESTED}), Lifecycle.IN_PROGRESS, (), _NO_REQUEST_SIGNOFF
    ),
    "escalate": Transition(ESCALATE, OPEN_STATES, None),
    "cancel": Transition(CANCEL, OPEN_STATES, Lifecycle.CANCELLED),
    # Neither changes the state nor depends on it.
    "reassign": Transition(REASSIGN, frozenset(Lifecycle.values), None),
    "edit_target": Transition(EDIT_TARGET, frozenset(Lifecycle.values), None),
    "comment": Transition(COMMENT, frozenset(Lifecycle.values), None),
}


def transitions_allowed(user, target) -> set[str]:
    """The transitions `user` may make on `target` now (its state and their role): the buttons a page shows."""
    actions = allowed_actions(user, target)
    return {name for name, t in TRANSITIONS.items() if t.action in actions and target.lifecycle in t.sources}
