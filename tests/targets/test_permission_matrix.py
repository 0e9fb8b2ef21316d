"""Who may do what, as a matrix: role × action × own town / other organisation, for the rules, the API and the pages.

The target is led by 经济发展办 (alice) with 财政所 (carol) as co-department; bob is staff of another
department of the same town; sam supervises the town; dan supervises the district above it; ada
administers the town; olga administers another town; `None` is an anonymous visitor.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from rest_framework.test import APIClient

from targets import permissions, services
from targets.models import Target

ROLES = ["alice", "carol", "bob", "sam", "dan", "ada", "olga", None]
LEAD = {"alice", "ada"}
SUPERVISE = {"sam", "dan", "ada"}
MANAGE = {"ada"}
SEE = {"alice", "carol", "bob", "sam", "dan", "ada"}

EXPECTED = {
    permissions.VIEW: SEE,
    permissions.COMMENT: SEE,
    permissions.REPORT_PROGRESS: LEAD,
    permissions.TICK_MILESTONE: LEAD,
    permissions.REQUEST_EXTENSION: LEAD,
    permissions.REQUEST_SIGNOFF: LEAD,
    permissions.DECIDE_EXTENSION: SUPERVISE,
    permissions.DECIDE_SIGNOFF: SUPERVISE,
    permissions.ESCALATE: SUPERVISE,
    permissions.CANCEL: MANAGE,
    permissions.REASSIGN: MANAGE,
    permissions.EDIT_MILESTONES: MANAGE,
    permissions.EDIT_TARGET: MANAGE,
}


@pytest.fixture
def people(alice, carol, bob, sam, dan, ada, olga):
    return {"alice": alice, "carol": carol, "bob": bob, "sam": sam, "dan": dan, "ada": ada, "olga": olga}


@pytest.fixture
def target(make_target, dept_econ, dept_finance):
    target = make_target(lead_department=dept_econ)
    target.co_departments.set([dept_finance])
    return Target.objects.get(pk=target.pk)


@pytest.fixture
def foreign_target(other_org, olga):
    """A target of another town: nobody of `org` (nor its district) may touch it."""
    department = other_org.departments.create(name="经济发展办")
    return Target.objects.create(
        organisation=other_org,
        title="外镇任务",
        lead_department=department,
        plan_year=2023,
        due_date=date(2023, 12, 31),
    )


def _user(people, role):
    return people[role] if role else AnonymousUser()


def test_every_action_is_in_the_matrix():
    assert set(EXPECTED) == set(permissions.ACTIONS)


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_rules(people, target, role, action):
    user = _user(people, role)
    allowed = role in EXPECTED[action]
    assert permissions.can(user, action, target) is allowed
    assert (action in permissions.allowed_actions(user, target)) is allowed


@pytest.mark.parametrize("role", ROLES)
def test_other_organisation_is_out_of_reach(people, foreign_target, role):
    user = _user(people, role)
    expected = set(permissions.ACTIONS) if role == "olga" else set()
    assert permissions.allowed_actions(user, foreign_target) == expected
    assert {a for a in permissions.ACTIONS if permissions.can(user, a, foreign_target)} == expected


# --- the same table through the API and the pages -------------------------------------------


def _prepare(target, action, ada):
    """Put the target in the state the action needs (a pending request for the decisions)."""
    if action == permissions.DECIDE_SIGNOFF:
        services.target_request_signoff(target=target, acting_user=ada, expected_version=target.version)
    if action == permissions.DECIDE_EXTENSION:
        services.target_request_extension(
            target=target, acting_user=ada, expected_version=target.version, note="测试", new_due_date=date(2024, 6, 30)
        )
    return Target.objects.get(pk=target.pk)


def _api_call(client, target, action):
    pk, v = target.pk, target.version
    milestone = target.milestones.first()
    return {
        permissions.REPORT_PROGRESS: lambda: client.post(
            f"/api/targets/{pk}/progress/", {"value": 1000, "version": v}, format="json"
        ),
        permissions.COMMENT: lambda: client.post(f"/api/targets/{pk}/comments/", {"text": "说明"}, format="json"),
        permissions.REQUEST_EXTENSION: lambda: client.post(
            f"/api/targets/{pk}/request-extension/",
            {"version": v, "note": "理由", "new_due_date": "2024-03-31"},
            format="json",
        ),
        permissions.DECIDE_SIGNOFF: lambda: client.post(
            f"/api/targets/{pk}/decide-signoff/", {"version": v, "approve": True}, format="json"
        ),
        permissions.DECIDE_EXTENSION: lambda: client.post(
            f"/api/targets/{pk}/decide-extension/", {"version": v, "approve": True}, format="json"
        ),
        permissions.ESCALATE: lambda: client.post(
            f"/api/targets/{pk}/escalate/", {"version": v, "note": "督办"}, format="json"
        ),
        permissions.CANCEL: lambda: client.post(
            f"/api/targets/{pk}/cancel/", {"version": v, "note": "取消"}, format="json"
        ),
        permissions.EDIT_MILESTONES: lambda: client.patch(
            f"/api/milestones/{milestone.pk}/", {"version": v, "title": "改名"}, format="json"
        ),
        permissions.VIEW: lambda: client.get(f"/api/targets/{pk}/"),
    }[action]()


API_ACTIONS = [
    permissions.VIEW,
    permissions.REPORT_PROGRESS,
    permissions.COMMENT,
    permissions.REQUEST_EXTENSION,
    permissions.DECIDE_EXTENSION,
    permissions.DECIDE_SIGNOFF,
    permissions.ESCALATE,
    permissions.CANCEL,
    permissions.EDIT_MILESTONES,
]


@pytest.mark.parametrize("action", API_ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_api_enforces_the_matrix(people, target, ada, role, action):
    target = _prepare(target, action, ada)
    client = APIClient()
    if role:
        client.force_authenticate(people[role])
    version = target.version
    response = _api_call(client, target, action)
    if role in EXPECTED[action]:
        assert response.status_code in (200, 201), response.content
    elif role is None:
        assert response.status_code in (401, 403)
    elif role == "olga":
        assert response.status_code == 404  # another town's target is not revealed
    else:
        assert response.status_code == 403, response.content
        assert "error" in response.json()
    if role not in EXPECTED[action] or action in (permissions.VIEW, permissions.COMMENT):
        assert Target.objects.get(pk=target.pk).version == version  # nothing changed


def _page_call(client, target, action):
    pk, v = target.pk, target.version
    milestone = target.milestones.first()
    url, data = {
        permissions.REPORT_PROGRESS: (f"/targets/{pk}/progress/", {"value": 1, "version": v}),
        permissions.COMMENT: (f"/targets/{pk}/comment/", {"text": "说明"}),
        permissions.REQUEST_EXTENSION: (
            f"/targets/{pk}/request-extension/",
            {"version": v, "note": "理由", "new_due_date": "2024-03-31"},
        ),
        permissions.DECIDE_SIGNOFF: (f"/targets/{pk}/decide-signoff/", {"version": v, "decision": "approve"}),
        permissions.DECIDE_EXTENSION: (f"/targets/{pk}/decide-extension/", {"version": v, "decision": "approve"}),
        permissions.ESCALATE: (f"/targets/{pk}/escalate/", {"version": v, "note": "督办", "escalate": "on"}),
        permissions.CANCEL: (f"/targets/{pk}/cancel/", {"version": v, "note": "取消"}),
        permissions.EDIT_MILESTONES: (
            f"/milestones/{milestone.pk}/edit/",
            {"version": v, "title": "改名", "due_date": milestone.due_date.isoformat()},
        ),
    }[action]
    return client.post(url, data)


@pytest.mark.parametrize("action", API_ACTIONS[1:])
@pytest.mark.parametrize("role", ROLES)
def test_pages_enforce_the_matrix(people, target, ada, role, action):
    target = _prepare(target, action, ada)
    client = Client()
    if role:
        client.force_login(people[role])
    version = target.version
    response = _page_call(client, target, action)
    if role in EXPECTED[action]:
        assert response.status_code == 302 and response["Location"] == f"/targets/{target.pk}/"
    elif role is None:
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif role == "olga":
        assert response.status_code == 404
    else:
        assert response.status_code == 403
        assert "只有" in response.content.decode()
    if role not in EXPECTED[action] or action == permissions.COMMENT:
        assert Target.objects.get(pk=target.pk).version == version


@pytest.mark.parametrize("role", ROLES)
def test_target_page_and_evidence_follow_view(people, target, alice, upload, role):
    event = services.target_comment(target=target, acting_user=alice, text="照片", files=[upload()])
    evidence = event.evidence.get()
    client = Client()
    if role:
        client.force_login(people[role])
    page = client.get(f"/targets/{target.pk}/")
    download = client.get(f"/evidence/{evidence.pk}/")
    if role in SEE:
        assert page.status_code == 200 and download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    elif role is None:
        assert page.status_code == 302 and download.status_code == 302
    else:
        assert page.status_code == 404 and download.status_code == 404
