"""Every write to a target that matters: accept a commitment, record progress, sign off.

Each service takes keyword arguments, runs in one transaction, checks the
acting user's permission through `targets.permissions`, and writes an explicit
`TargetEvent` (no signals). Writes that a person makes from a form carry the
version they saw (`expected_version`): a conditional UPDATE bumps it, and a
stale version raises `StaleVersionError` and changes nothing.

`at` (optional on every service) is when the change happened; it defaults to
now and exists so the demo can lay down a plausible history.

The services live in one module per concern; this package re-exports every public name, so
`from targets.services import X` is the one import callers need.
"""

from __future__ import annotations

from targets.services.accept import target_create_from_commitment
from targets.services.basis import refresh_health_basis
from targets.services.comments import target_comment
from targets.services.common import CLOSED, MAX_FILES, PENDING
from targets.services.editing import EDITABLE_TARGET_FIELDS, target_edit, target_reassign
from targets.services.errors import StaleVersionError, TargetServiceError
from targets.services.lifecycle import (
    target_cancel,
    target_decide_extension,
    target_decide_signoff,
    target_escalate,
    target_extend,
    target_request_extension,
    target_request_signoff,
    target_sign_off,
)
from targets.services.milestones import MILESTONE_FIELDS, milestone_cancel, milestone_create, milestone_update
from targets.services.plans import RATE_RELATIONS, default_milestones
from targets.services.progress import milestone_mark_done, progress_record
from targets.services.titles import clean_quote, commitment_title

__all__ = [
    "CLOSED",
    "EDITABLE_TARGET_FIELDS",
    "MAX_FILES",
    "MILESTONE_FIELDS",
    "PENDING",
    "RATE_RELATIONS",
    "StaleVersionError",
    "TargetServiceError",
    "clean_quote",
    "commitment_title",
    "default_milestones",
    "milestone_cancel",
    "milestone_create",
    "milestone_mark_done",
    "milestone_update",
    "progress_record",
    "refresh_health_basis",
    "target_cancel",
    "target_comment",
    "target_create_from_commitment",
    "target_decide_extension",
    "target_decide_signoff",
    "target_edit",
    "target_escalate",
    "target_extend",
    "target_reassign",
    "target_request_extension",
    "target_request_signoff",
    "target_sign_off",
]
