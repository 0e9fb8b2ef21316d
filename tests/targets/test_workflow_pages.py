"""The target page's workflow: requests and decisions, a stale form (409, input kept), corrections, evidence."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from targets_testdata import PDF, PNG

from targets import services
from targets.evidence import sniff, validate_evidence
from targets.models import Evidence, Target


@pytest.fixture
def target(make_target, dept_econ, dept_finance):
    target = make_target(lead_department=dept_econ)
    target.co_departments.set([dept_finance])
    return target


def test_stale_progress_form_gets_409_keeps_the_input_and_changes_nothing(client, target, alice, ada):
    client.force_login(alice)
    services.progress_record(target=target, acting_user=ada, value=50000, expected_version=1)
    response = client.post(f"/targets/{target.pk}/progress/", {"value": 99999, "note": "我填的说明", "version": 1})
    html = response.content.decode()
    assert response.status_code == 409
    assert "已被他人更新" in html and "我填的说明" in html and 'value="99999' in html
    assert 'name="version" value="2"' in html  # resending is a conscious second step
    assert target.updates.count() == 1


def test_stale_decision_gets_409(client, target, alice, sam):
    services.target_request_signoff(target=target, acting_user=alice, expected_version=1)
    client.force_login(sam)
    response = client.post(f"/targets/{target.pk}/decide-signoff/", {"version": 1, "decision": "approve"})
    assert response.status_code == 409 and "已被他人更新" in response.content.decode()
    assert Target.objects.get(pk=target.pk).lifecycle == "signoff_requested"


def test_staff_request_and_supervisor_decisions_on_the_page(client, target, alice, sam):
    client.force_login(alice)
    page = client.get(f"/targets/{target.pk}/").content.decode()
    assert "申请延期" in page and "申请销号" in page and "督办升级" not in page
    response = client.post(
        f"/targets/{target.pk}/request-signoff/",
        {"version": 1, "note": "已完成", "files": [SimpleUploadedFile("验收单.pdf", PDF)]},
    )
    assert response.status_code == 302
    client.force_login(sam)
    page = client.get(f"/targets/{target.pk}/").content.decode()
    assert "待审批" in page and "批准销号" in page and "验收单.pdf" in page and "督办升级" in page
    refused = client.post(f"/targets/{target.pk}/decide-signoff/", {"version": 2, "decision": "refuse"})
    assert refused.status_code == 400 and "理由" in refused.content.decode()
    client.post(f"/targets/{target.pk}/decide-signoff/", {"version": 2, "decision": "refuse", "note": "缺照片"})
    assert Target.objects.get(pk=target.pk).lifecycle == "in_progress"
    assert "退回销号申请：缺照片" in client.get(f"/targets/{target.pk}/").content.decode()


def test_extension_request_and_approval_on_the_page(client, target, alice, sam):
    client.force_login(alice)
    client.post(
        f"/targets/{target.pk}/request-extension/", {"version": 1, "note": "资金滞后", "new_due_date": "2024-03-31"}
    )
    client.force_login(sam)
    page = client.get(f"/targets/{target.pk}/").content.decode()
    assert 'value="2024-03-31"' in page and "批准延期" in page
    client.post(
        f"/targets/{target.pk}/decide-extension/", {"version": 2, "decision": "approve", "new_due_date": "2024-03-31"}
    )
    assert str(Target.objects.get(pk=target.pk).due_date) == "2024-03-31"


def test_correction_link_prefills_the_form(client, target, alice):
    wrong = services.progress_record(target=target, acting_user=alice, value=4200000, expected_version=1)
    client.force_login(alice)
    page = client.get(f"/targets/{target.pk}/?corrects={wrong.pk}").content.decode()
    assert "正在更正" in page and f'name="corrects" value="{wrong.pk}"' in page
    # The page takes the target's display unit: 42 (万平方米) is stored as 420000 平方米.
    client.post(f"/targets/{target.pk}/progress/", {"value": 42, "version": 2, "corrects": wrong.pk})
    latest = target.updates.latest("id")
    assert latest.corrects == wrong and latest.value == 420000


def test_co_department_adds_evidence_but_sees_no_figure_form(client, target, carol):
    client.force_login(carol)
    page = client.get(f"/targets/{target.pk}/").content.decode()
    assert "您所在部门是责任单位" in page and 'name="value"' not in page
    response = client.post(
        f"/targets/{target.pk}/comment/", {"text": "现场照片", "files": [SimpleUploadedFile("现场.png", PNG)]}
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    download = client.get(f"/evidence/{evidence.pk}/")
    assert download["Content-Type"] == "image/png" and download["X-Content-Type-Options"] == "nosniff"


def test_admin_edits_milestones_and_cancels_on_the_page(client, target, ada):
    client.force_login(ada)
    first = target.milestones.first()
    client.post(
        f"/milestones/{first.pk}/edit/",
        {"version": 1, "title": "一季度完成 30%", "due_date": "2023-03-31", "expected_percent": 30},
    )
    client.post(f"/milestones/{first.pk}/cancel/", {"version": 2, "note": "合并"})
    client.post(f"/targets/{target.pk}/milestones/add/", {"version": 3, "title": "验收", "due_date": "2023-11-30"})
    client.post(f"/targets/{target.pk}/cancel/", {"version": 4, "note": "上级调整"})
    target = Target.objects.get(pk=target.pk)
    assert target.lifecycle == "cancelled" and target.version == 5
    assert [m.title for m in target.milestones.all()][-2] == "验收"


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("a.png", PNG, True),
        ("a.PDF", PDF, True),
        ("a.jpg", PNG, False),  # a PNG called .jpg
        ("a.exe", b"MZ\x90\x00" * 10, False),
        ("a.docx", b"PK\x03\x04" + b"\x00" * 40, False),  # a ZIP head without a Word document inside
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, True),
        ("empty.pdf", b"", False),
    ],
)
def test_validation_checks_extension_and_content(name, content, ok):
    from django.core.exceptions import ValidationError

    upload = SimpleUploadedFile(name, content)
    if ok:
        assert validate_evidence(upload)
    else:
        with pytest.raises(ValidationError):
            validate_evidence(upload)


def test_sniff_knows_the_families():
    assert sniff(PNG) == "png" and sniff(PDF) == "pdf" and sniff(b"GIF89a....") == "gif" and sniff(b"hello") is None


def test_board_shows_pending_requests(client, target, alice, sam):
    services.target_request_signoff(target=target, acting_user=alice, expected_version=1)
    client.force_login(sam)
    html = client.get("/").content.decode()
    assert "待审批申请销号 <strong>1</strong>" in html and "lifecycle=signoff_requested" in html
