from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from targets import models


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw-root")


def test_every_targets_model_is_registered():
    for model in (
        models.Organisation,
        models.Department,
        models.LeadDepartmentRule,
        models.Membership,
        models.Target,
        models.Milestone,
        models.ProgressUpdate,
        models.TargetEvent,
    ):
        assert admin.site.is_registered(model), model


def test_admin_pages_load(client, superuser, make_target, dept_housing, bob):
    from targets.services import progress_record

    target = make_target(lead_department=dept_housing)
    progress_record(target=target, acting_user=bob, value=1000, expected_version=1)
    client.force_login(superuser)
    for name in (
        "organisation",
        "department",
        "leaddepartmentrule",
        "membership",
        "target",
        "milestone",
        "progressupdate",
        "targetevent",
    ):
        response = client.get(reverse(f"admin:targets_{name}_changelist"), {"q": "精品"})
        assert response.status_code == 200, name
    page = client.get(reverse("admin:targets_target_change", args=[target.pk])).content.decode()
    assert "完成25%" in page and "时间节点" in page  # milestones inline
    filtered = client.get(reverse("admin:targets_target_changelist"), {"lifecycle__exact": "in_progress"})
    assert target.title in filtered.content.decode()
    assert client.get(reverse("admin:targets_progressupdate_add")).status_code == 403  # append-only
