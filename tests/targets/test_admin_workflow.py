"""Administrators in the Django admin: people with their roles, and target / milestone edits that leave history."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from targets.models import Milestone, Target, TargetEvent


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw-root")


def _target_form(target: Target, milestones: list[dict], **changes) -> dict:
    """The admin change form's POST data: the target's fields and the milestone inline."""
    data = {
        "organisation": target.organisation_id,
        "commitment": target.commitment_id or "",
        "title": target.title,
        "metric": target.metric,
        "kind": target.kind,
        "lead_department": target.lead_department_id or "",
        "co_departments": [d.pk for d in target.co_departments.all()],
        "owner": "",
        "plan_year": target.plan_year,
        "due_date": target.due_date.isoformat(),
        "target_value": target.target_value if target.target_value is not None else "",
        "target_value_max": "",
        "unit": target.unit,
        "comparator": target.comparator,
        "relation": target.relation,
        "baseline": target.baseline,
        "baseline_value": "",
        "stretch_value": "",
        "milestones-TOTAL_FORMS": len(milestones),
        "milestones-INITIAL_FORMS": sum(1 for m in milestones if m.get("id")),
        "milestones-MIN_NUM_FORMS": 0,
        "milestones-MAX_NUM_FORMS": 1000,
        "updates-TOTAL_FORMS": 0,
        "updates-INITIAL_FORMS": 0,
        "updates-MIN_NUM_FORMS": 0,
        "updates-MAX_NUM_FORMS": 1000,
    }
    for index, milestone in enumerate(milestones):
        for key, value in milestone.items():
            data[f"milestones-{index}-{key}"] = value
        data[f"milestones-{index}-target"] = target.pk
    data.update(changes)
    return data


def _rows(target: Target) -> list[dict]:
    return [
        {
            "id": m.pk,
            "title": m.title,
            "due_date": m.due_date.isoformat(),
            "expected_percent": m.expected_percent if m.expected_percent is not None else "",
            "expected_value": m.expected_value if m.expected_value is not None else "",
            "done_on": "",
        }
        for m in target.milestones.all()
    ]


def test_admin_target_and_milestone_edits_write_events(client, superuser, make_target, dept_econ, dept_housing):
    target = make_target(lead_department=dept_econ)
    client.force_login(superuser)
    rows = _rows(target)
    rows[0]["due_date"] = "2023-04-15"  # edit
    rows[3]["DELETE"] = "on"  # "delete" cancels
    rows.append({"title": "年中评估", "due_date": "2023-07-15", "expected_percent": 55, "expected_value": "",
                 "done_on": ""})  # fmt: skip
    url = reverse("admin:targets_target_change", args=[target.pk])
    response = client.post(url, _target_form(target, rows, lead_department=dept_housing.pk, title="新的任务标题"))
    assert response.status_code == 302, response.content.decode()[:2000]

    target = Target.objects.get(pk=target.pk)
    assert target.title == "新的任务标题" and target.lead_department == dept_housing
    edited = target.events.get(kind=TargetEvent.Kind.EDITED)
    assert edited.actor == superuser and edited.before["lead_department"] == "经济发展办"
    messages = list(target.events.filter(kind=TargetEvent.Kind.MILESTONE).values_list("message", flat=True))
    assert any(m.startswith("修改时间节点") for m in messages)
    assert any(m.startswith("取消时间节点") for m in messages)
    assert any(m.startswith("新增时间节点：年中评估") for m in messages)
    assert Milestone.all_objects.filter(target=target, cancelled_at__isnull=False).count() == 1
    assert target.milestones.count() == 4 and target.version == 5


def test_standalone_milestone_admin_goes_through_the_service(client, superuser, make_target, dept_econ):
    target = make_target(lead_department=dept_econ)
    milestone = target.milestones.first()
    client.force_login(superuser)
    url = reverse("admin:targets_milestone_change", args=[milestone.pk])
    data = {"title": "一季度完成 30%", "due_date": "2023-03-31", "expected_percent": 30, "expected_value": "",
            "done_on": ""}  # fmt: skip
    assert client.post(url, data).status_code == 302
    event = target.events.get(kind=TargetEvent.Kind.MILESTONE)
    assert event.before["expected_percent"] == 25 and event.after["expected_percent"] == 30
    assert client.get(reverse("admin:targets_milestone_delete", args=[milestone.pk])).status_code == 403


def test_people_and_roles_on_the_user_page(client, superuser, alice, org):
    client.force_login(superuser)
    page = client.get(reverse("admin:auth_user_change", args=[alice.pk])).content.decode()
    assert "成员角色" in page and "经济发展办" in page
    listing = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "测试镇 (科室工作人员)" in listing
    assert client.get(reverse("admin:targets_evidence_changelist")).status_code == 200
