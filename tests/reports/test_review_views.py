"""Report pages: list and upload, the review page with highlighted quotes, and its actions."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import Commitment, Report
from reports.views import highlight_quotes
from targets.models import Target

DOCS = Path(__file__).resolve().parent.parent / "data" / "docs"

TEXT = (
    "二、2023 年主要目标任务\n"
    "区级税收增长 15%；社会消费品零售总额达到 73 亿元；\n"
    "完成精品小区开工建设 42 万平方米。<script>alert('x')</script>确保全年无重大安全事故。\n"
)
ROWS = [
    ("区级税收增长 15%", "quantitative", "区级税收增速", 15, "%", "growth"),
    ("社会消费品零售总额达到 73 亿元", "quantitative", "社会消费品零售总额", 7.3e9, "元", "absolute"),
    ("完成精品小区开工建设 42 万平方米", "quantitative", "精品小区开工建设面积", 420000, "平方米", "absolute"),
    ("确保全年无重大安全事故", "condition", "重大安全事故", None, "", ""),
]


def make_report(org, text: str = TEXT, rows=ROWS, copies: int = 1) -> Report:
    report = Report.objects.create(
        organisation=org,
        title="测试镇2023年政府工作报告",
        original_name="report.txt",
        file_type="txt",
        encoding="utf-8",
        size=len(text.encode()),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        text=text,
        plan_year=2023,
    )
    found = []
    for _ in range(copies):
        for quote, kind, metric, value, unit, relation in rows:
            start = text.index(quote)
            found.append(
                Commitment(
                    report=report,
                    quote=quote,
                    start=start,
                    end=start + len(quote),
                    kind=kind,
                    metric=metric,
                    value=value,
                    unit=unit,
                    relation=relation,
                    plan_year=2023,
                )
            )
    Commitment.objects.bulk_create(found)
    return report


@pytest.fixture
def report(org):
    return make_report(org)


def commitment(report, metric) -> Commitment:
    return report.commitments.get(metric=metric)


# --- highlighting ------------------------------------------------------------


class Span:
    def __init__(self, pk, start, end, status="proposed"):
        self.pk, self.start, self.end, self.status = pk, start, end, status


def test_highlight_escapes_document_text_and_marks_quotes():
    text = "前言<b>不是标签</b>。区级税收增长 15%。"
    start = text.index("区级")
    html = highlight_quotes(text, [Span(7, start, start + 10)])
    assert "<b>" not in html and "&lt;b&gt;不是标签&lt;/b&gt;" in html
    assert '<span class="anchor" id="q-7"></span>' in html
    assert '<mark class="quote st-proposed" data-ids="7">区级税收增长 15%</mark>' in html


def test_highlight_overlapping_quotes_mark_each_piece_with_all_ids():
    text = "达到 240 亿元，同比增长 21%。"
    html = highlight_quotes(text, [Span(1, 0, 18), Span(2, 10, 18)])
    assert 'data-ids="1">达到 240 亿元，</mark>' in html
    assert 'data-ids="1 2">同比增长 21%</mark>' in html
    assert html.count('class="anchor"') == 2
    assert html.endswith("。")


def test_highlight_ignores_offsets_outside_the_text():
    html = highlight_quotes("短文本", [Span(1, 2, 99), Span(2, 5, 9)])
    assert 'data-ids="1">本</mark>' in html
    assert "q-2" not in html


# --- list and upload ------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, report):
    for url in [reverse("reports:list"), reverse("reports:detail", args=[report.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = client.post(reverse("reports:commitment-accept", args=[commitment(report, "区级税收增速").pk]))
    assert response.status_code == 302
    assert not Target.objects.exists()


def test_list_shows_only_visible_reports_and_upload_form_for_admins(client, report, other_org, ada, olga, alice):
    make_report(other_org, text=TEXT + "邻镇")
    client.force_login(ada)
    page = client.get(reverse("reports:list")).content.decode()
    assert page.count("测试镇2023年政府工作报告") == 1
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page
    client.force_login(alice)
    page = client.get(reverse("reports:list")).content.decode()
    assert "测试镇2023年政府工作报告" in page
    assert 'enctype="multipart/form-data"' not in page  # staff see reports but cannot upload


def test_upload_error_is_shown_on_the_page_and_nothing_saved(client, org, ada):
    client.force_login(ada)
    response = client.post(
        reverse("reports:list"),
        {"organisation": org.pk, "file": SimpleUploadedFile("empty.txt", b"")},
    )
    assert response.status_code == 400
    assert "文件为空" in response.content.decode()
    response = client.post(
        reverse("reports:list"),
        {"organisation": org.pk, "file": SimpleUploadedFile("report.doc", "区级税收增长 15%".encode())},
    )
    assert "不支持的文件类型" in response.content.decode()
    response = client.post(
        reverse("reports:list"),
        {"organisation": org.pk, "file": SimpleUploadedFile("scan.pdf", (DOCS / "image_only.pdf").read_bytes())},
    )
    assert "没有文字层" in response.content.decode()
    assert not Report.objects.exists()


def test_upload_through_the_page_opens_the_review(client, org, ada):
    client.force_login(ada)
    data = (DOCS / "mini_report.txt").read_bytes()
    response = client.post(
        reverse("reports:list"),
        {"organisation": org.pk, "file": SimpleUploadedFile("示范镇工作报告.txt", data), "year": "2023"},
        follow=True,
    )
    report = Report.objects.get()
    assert response.redirect_chain[-1][0] == reverse("reports:detail", args=[report.pk])
    page = response.content.decode()
    assert "已导入《示范镇工作报告》" in page
    assert page.count('class="card commitment"') == report.commitments.count() > 5
    listing = client.get(reverse("reports:list")).content.decode()
    assert reverse("reports:detail", args=[report.pk]) in listing


def test_upload_of_a_file_without_commitments_says_so(client, org, ada):
    client.force_login(ada)
    notice = "关于召开职工运动会的通知\n各部门：定于下周举行运动会，请做好准备。\n".encode("gbk")
    response = client.post(
        reverse("reports:list"), {"organisation": org.pk, "file": SimpleUploadedFile("通知.txt", notice)}
    )
    assert "未在该文件中找到任何目标任务" in response.content.decode()
    big = SimpleUploadedFile("big.txt", b"a" * (30 * 1024 * 1024))
    response = client.post(reverse("reports:list"), {"organisation": org.pk, "file": big})
    assert "文件过大" in response.content.decode()
    assert not Report.objects.exists()


def test_upload_refuses_an_organisation_the_user_does_not_manage(client, org, other_org, olga):
    client.force_login(olga)
    response = client.post(
        reverse("reports:list"),
        {"organisation": org.pk, "file": SimpleUploadedFile("a.txt", TEXT.encode())},
    )
    assert response.status_code == 400
    assert "请选择您管理的组织" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize("persona", ["alice", "sam", "olga"])
def test_non_admins_cannot_upload(client, org, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        reverse("reports:list"),
        {"organisation": org.pk, "file": SimpleUploadedFile("a.txt", TEXT.encode())},
    )
    assert response.status_code == 400
    assert not Report.objects.exists()


# --- the review page ------------------------------------------------------------


def test_review_page_lists_commitments_with_highlighted_quotes(client, report, ada, dept_econ):
    client.force_login(ada)
    response = client.get(reverse("reports:detail", args=[report.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    tax = commitment(report, "区级税收增速")
    assert f'id="c-{tax.pk}"' in page and f'href="#q-{tax.pk}"' in page
    assert f'id="q-{tax.pk}"' in page
    assert f'data-ids="{tax.pk}">区级税收增长 15%</mark>' in page
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page  # document text is escaped
    assert "增速" in page and "不低于" not in page.split("review-grid")[0]
    assert "7,300,000,000" in page  # base units shown
    # the suggested lead department is preselected (税收 -> 经济发展办, which exists)
    assert f'<option value="{dept_econ.pk}" selected>经济发展办</option>' in page
    assert page.count('name="c' + str(tax.pk) + '-reason"') == 1
    assert reverse("reports:commitment-edit", args=[tax.pk]) in page
    assert "全部采纳其余 4 条" in page


def test_review_page_is_read_only_for_staff_and_hidden_from_outsiders(client, report, alice, olga):
    client.force_login(alice)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "区级税收增速" in page
    assert "accept-form" not in page and "全部采纳" not in page
    client.force_login(olga)
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404


def test_status_filter(client, report, ada):
    commitment(report, "重大安全事故").__class__.objects.filter(metric="重大安全事故").update(
        status="rejected", reject_reason="约束条件"
    )
    client.force_login(ada)
    page = client.get(reverse("reports:detail", args=[report.pk]), {"status": "rejected"}).content.decode()
    assert "驳回理由：约束条件" in page
    assert "<h3>区级税收增速</h3>" not in page
    assert "区级税收增长 15%" in page  # the text keeps every highlight


def test_review_page_is_fast_for_large_reports(client, org, ada, dept_econ, django_assert_max_num_queries):
    report = make_report(org, copies=40)  # 160 commitments
    some = list(report.commitments.all()[:20])
    from reports.services import commitment_accept

    for c in some[:10]:
        commitment_accept(commitment=c, acting_user=ada, lead_department=dept_econ)
    client.force_login(ada)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("reports:detail", args=[report.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('class="card commitment"') == 160


# --- actions ----------------------------------------------------------------------


def test_edit_page_saves_changed_fields(client, report, ada):
    tax = commitment(report, "区级税收增速")
    client.force_login(ada)
    url = reverse("reports:commitment-edit", args=[tax.pk])
    page = client.get(url)
    assert page.status_code == 200 and "区级税收增长 15%" in page.content.decode()
    data = {
        "kind": "quantitative",
        "metric": "区级税收增幅",
        "value": "16",
        "comparator": ">=",
        "relation": "growth",
        "unit": "%",
        "plan_year": "2023",
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].endswith(f"#c-{tax.pk}")
    tax.refresh_from_db()
    assert (tax.metric, tax.value, tax.comparator) == ("区级税收增幅", 16, ">=")
    response = client.post(url, {**data, "comparator": "bogus", "value": "abc"})
    assert response.status_code == 400
    assert response.content.decode().count("field-error") == 2
    response = client.post(url, {**data, "value": "5", "value_max": "3"})
    assert response.status_code == 400 and "上限不能小于数值" in response.content.decode()
    tax.refresh_from_db()
    assert (tax.value, tax.comparator) == (16, ">=")


def test_edit_page_refuses_reviewed_commitments(client, report, ada):
    tax = commitment(report, "区级税收增速")
    Commitment.objects.filter(pk=tax.pk).update(status="rejected", reject_reason="x")
    client.force_login(ada)
    response = client.get(reverse("reports:commitment-edit", args=[tax.pk]), follow=True)
    assert "不能修改" in response.content.decode()


def test_reject_requires_a_reason(client, report, ada):
    target = commitment(report, "重大安全事故")
    client.force_login(ada)
    url = reverse("reports:commitment-reject", args=[target.pk])
    response = client.post(url, {f"c{target.pk}-reason": "  "}, follow=True)
    assert "必须填写理由" in response.content.decode()
    assert Commitment.objects.get(pk=target.pk).status == "proposed"
    client.post(url, {f"c{target.pk}-reason": "属于约束条件"})
    stored = Commitment.objects.get(pk=target.pk)
    assert (stored.status, stored.reject_reason) == ("rejected", "属于约束条件")
    client.post(reverse("reports:commitment-reopen", args=[target.pk]))
    assert Commitment.objects.get(pk=target.pk).status == "proposed"


def test_accept_with_chosen_department_then_accept_all(client, report, ada, dept_housing):
    tax = commitment(report, "区级税收增速")
    client.force_login(ada)
    response = client.post(
        reverse("reports:commitment-accept", args=[tax.pk]), {f"c{tax.pk}-lead_department": dept_housing.pk}
    )
    assert response.status_code == 302
    target = Target.objects.get(commitment=tax)
    assert target.lead_department == dept_housing
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert target.title in page
    assert f'href="{reverse("target-detail", kwargs={"pk": target.pk})}"' in page
    client.post(reverse("reports:accept-all", args=[report.pk]))
    assert set(report.commitments.values_list("status", flat=True)) == {"accepted"}
    assert Target.objects.filter(organisation=report.organisation).count() == 4


def test_accept_refuses_a_department_of_another_organisation(client, report, ada, other_org):
    foreign = other_org.departments.create(name="外镇办")
    tax = commitment(report, "区级税收增速")
    client.force_login(ada)
    client.post(reverse("reports:commitment-accept", args=[tax.pk]), {f"c{tax.pk}-lead_department": foreign.pk})
    assert not Target.objects.exists()


@pytest.mark.parametrize("persona", ["alice", "sam", "olga"])
def test_non_admins_cannot_act(client, report, persona, request):
    client.force_login(request.getfixturevalue(persona))
    tax = commitment(report, "区级税收增速")
    expected = 404 if persona == "olga" else 403
    assert client.post(reverse("reports:commitment-accept", args=[tax.pk])).status_code == expected
    assert (
        client.post(reverse("reports:commitment-reject", args=[tax.pk]), {f"c{tax.pk}-reason": "x"}).status_code
        == expected
    )
    assert client.post(reverse("reports:accept-all", args=[report.pk])).status_code == expected
    assert client.get(reverse("reports:commitment-edit", args=[tax.pk])).status_code == expected
    assert set(report.commitments.values_list("status", flat=True)) == {"proposed"}


def test_actions_require_post(client, report, ada):
    client.force_login(ada)
    tax = commitment(report, "区级税收增速")
    assert client.get(reverse("reports:commitment-accept", args=[tax.pk])).status_code == 405


def test_edit_page_takes_figures_as_the_report_writes_them(client, report, ada):
    """73 亿元 is typed as 73 with 亿 (not 7300000000), and the page shows 9.1 亿, not 910000000."""
    revenue = Commitment.objects.create(
        report=report,
        quote="财政预算收入达到9.1亿元",
        start=0,
        end=10,
        kind="quantitative",
        metric="财政预算收入",
        value=910000000,
        value_text="9.1亿元",
        unit="元",
        comparator="=",
        relation="absolute",
        plan_year=2023,
    )
    client.force_login(ada)
    url = reverse("reports:commitment-edit", args=[revenue.pk])
    page = client.get(url).content.decode()
    assert 'name="value" value="9.1"' in page and '<option value="100000000" selected>亿</option>' in page
    assert "7300000000" not in page
    data = {"kind": "quantitative", "metric": "财政预算收入", "value": "73", "scale": "100000000"}
    response = client.post(url, {**data, "comparator": "=", "relation": "absolute", "unit": "元", "plan_year": "2023"})
    assert response.status_code == 302
    revenue.refresh_from_db()
    assert revenue.value == 7300000000  # exactly, in base units
