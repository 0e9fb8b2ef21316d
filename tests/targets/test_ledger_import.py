"""Importing an existing 任务台账: a messy workbook read as a careful clerk would, every row checked before one
transaction, idempotent re-import, bad files refused in Chinese with nothing changed; command, page and API."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from ledger_files import BROKEN_ROWS, GOOD_ROWS, messy_xlsx, simple_csv

from targets import services
from targets.documents.ledger_read import LedgerFileError, read_ledger
from targets.models import Department, Milestone, Organisation, Target, TargetEvent

pytestmark = pytest.mark.django_db
XLS = Path(__file__).resolve().parents[1] / "data" / "ledger" / "ledger.xls"


@pytest.fixture
def town(db):
    return Organisation.objects.create(name="长兴镇")


def run(*args) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return out.getvalue(), err.getvalue(), code


def write(tmp_path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def snapshot() -> tuple:
    return (
        Target.objects.count(),
        Department.objects.count(),
        Milestone.all_objects.count(),
        TargetEvent.objects.count(),
    )


def test_bad_rows_stop_the_whole_import_with_row_numbers_and_reasons(town, tmp_path):
    before = snapshot()
    out, err, code = run("import_ledger", write(tmp_path, "台账.xlsx", messy_xlsx()), "--org", "长兴镇")
    assert code == 2 and snapshot() == before
    assert "表头在第 4 行" in out and "计划年度 2026" in out
    assert "第 13 行：牵头单位为空；完成时限「待定」无法识别为日期" in err
    assert "第 14 行：工作任务为空" in err
    assert "第 15 行：日期 2016-06-30 不在 2026 年度计划范围内；目标值「1.2.3家」无法识别为数值" in err
    assert [f"第 {n} 行" in err for n in GOOD_ROWS] == [False] * len(GOOD_ROWS)


def test_messy_ledger_imports_as_a_careful_clerk_would(town, tmp_path):
    finance = Department.objects.create(organisation=town, name="财政所")  # matched by name, not created again
    path = write(tmp_path, "台账.xlsx", messy_xlsx())
    out, err, code = run("import_ledger", path, "--org", "长兴镇", "--skip-rows", ",".join(map(str, BROKEN_ROWS)))
    assert code == 0, err
    assert "已导入 5 项；已存在 0 项；分类标题 2 行；跳过 3 行" in out
    targets = {t.title: t for t in Target.objects.filter(organisation=town).prefetch_related("co_departments")}
    assert len(targets) == 5 and {t.plan_year for t in targets.values()} == {2026}
    road = targets["新建道路 3.5 公里"]
    assert road.lead_department.name == "建管中心" and road.leader == "王副镇长"
    assert sorted(d.name for d in road.co_departments.all()) == ["规划办", "财政所"]
    assert road.due_date == date(2026, 12, 31) and (road.target_value, road.unit) == (3.5, "公里")
    assert [(m.due_date, m.title, m.expected_percent) for m in road.milestones.all()] == [
        (date(2026, 6, 30), "完成招标", 50.0),
        (date(2026, 12, 31), "竣工", 100.0),
    ]
    # 建管中心 was merged down over two rows: it leads the second task too; the Excel date is read as a date.
    estates = targets["改造老旧小区 12 个"]
    assert estates.lead_department.name == "建管中心" and estates.due_date == date(2026, 11, 30)
    assert [m.title for m in estates.milestones.all()] == ["完成立项", "完成设计、招标", "竣工"]
    revenue = targets["实现财政预算收入 9.1 亿元"]
    assert (revenue.target_value, revenue.unit, revenue.due_date) == (910000000.0, "元", date(2026, 12, 31))
    parks = targets["建成口袋公园 5 个"]
    assert parks.comparator == ">=" and parks.due_date == date(2026, 9, 30)
    river = targets["完成河道整治"]  # no 完成时限: the last node, which rolls into next year (次年)
    assert river.kind == "deliverable" and river.due_date == date(2027, 3, 31)
    assert sorted(Department.objects.filter(organisation=town).values_list("name", flat=True)) == sorted(
        ["城管中队", "建管中心", "房管办", "水务站", "绿化所", "规划办", "财政所"]
    )
    assert revenue.lead_department == finance
    # The import wrote the health dates: recomputing them changes nothing.
    assert services.refresh_health_basis(Target.objects.values_list("pk", flat=True)) == 0
    event = TargetEvent.objects.get(target=road, kind="created")
    assert "台账.xlsx 第 6 行" in event.message and event.after["note"] == "已完成可研"

    again = run("import_ledger", path, "--org", "长兴镇", "--skip-rows", "13,14,15")
    assert again[2] == 0 and "已导入 0 项；已存在 5 项" in again[0]
    assert Target.objects.count() == 5


def test_xls_and_csv(town, tmp_path):
    out, err, code = run("import_ledger", str(XLS), "--org", "长兴镇", "--skip-rows", "7")
    assert code == 0, err
    assert "表头在第 3 行" in out and "已导入 3 项" in out
    road = Target.objects.get(title="新建道路 3.5 公里")
    assert road.lead_department.name == "建管中心" and road.due_date == date(2026, 12, 31)
    assert Target.objects.get(title="改造老旧小区 12 个").lead_department.name == "建管中心"  # merged in .xls too
    for encoding in ("utf-8-sig", "gb18030"):
        name = f"台账-{encoding}.csv"
        out, err, code = run(
            "import_ledger", write(tmp_path, name, simple_csv(encoding)), "--org", "长兴镇", "--year", "2026"
        )
        assert code == 0, err
    centre = Target.objects.get(title="建设文化中心")
    assert centre.leader == "张副镇长" and centre.due_date == date(2026, 10, 31)
    assert [(m.due_date, m.title) for m in centre.milestones.all()] == [
        (date(2026, 5, 31), "开工"),
        (date(2026, 10, 31), "竣工"),
    ]
    assert Target.objects.filter(title="建设文化中心").count() == 1  # the GBK copy found it already there


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BAD_FILES = [
    ("空.xlsx", b"", "文件为空"),
    ("报告.txt", "工作任务,牵头单位\n".encode(), "只能导入"),
    ("改名.xlsx", b"%PDF-1.4 not a workbook", "不是有效的 .xlsx"),
    ("坏.xlsx", _zip({"hello.txt": b"x"}), "无法读取文件"),
    ("截断.xlsx", messy_xlsx()[:2000], "不是有效的 .xlsx"),
    ("坏.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "无法读取文件"),
    ("无表头.csv", b"a,b,c\n1,2,3\n", "没有找到表头"),
    ("二进制.csv", b"\x00\x01\x02\xff\xfe" * 50, "csv"),
    ("大.csv", b"x" * (10 * 1024 * 1024 + 1), "超过 10 MB"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_get_a_chinese_error_and_change_nothing(town, tmp_path, name, content, message):
    with pytest.raises(LedgerFileError) as error:
        read_ledger(content, name)
    assert message in str(error.value)
    before = snapshot()
    _out, err, code = run("import_ledger", write(tmp_path, name, content), "--org", "长兴镇")
    assert code == 2 and message in err and snapshot() == before


# --- the page: upload, preview, confirm ---------------------------------------------------------


def _upload(client, org, content: bytes = b"", name: str = "台账.xlsx"):
    file = SimpleUploadedFile(name, content or messy_xlsx())
    return client.post(reverse("ledger-upload"), {"organisation": org.pk, "file": file})


def _mapping_post(response, **extra) -> dict:
    columns = response.context["columns"]
    token = response.context["token"]
    return {**{f"col{i}": chosen for i, _header, chosen in columns}, "plan_year": "2026", "token": token, **extra}


def test_preview_shows_mapping_and_rows_and_imports_only_when_every_bad_row_is_skipped(client, org, ada):
    client.force_login(ada)
    response = _upload(client, org)
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url)
    html = page.content.decode()
    assert page.status_code == 200 and "表头在第 4 行" in html
    assert '<option value="leader" selected>分管领导</option>' in html
    assert "第 13 行" in html and "牵头单位为空" in html and 'id="error-count">3<' in html

    before = snapshot()
    refused = client.post(reverse("ledger-upload"), _mapping_post(page, action="import"))
    assert refused.status_code == 400 and "未导入任何任务" in refused.content.decode() and snapshot() == before

    # The administrator drops the 分管领导 column and skips the three bad rows.
    data = _mapping_post(page, action="import", col4="")
    data["skip"] = [str(n) for n in BROKEN_ROWS]
    done = client.post(reverse("ledger-upload"), data)
    assert done.status_code == 302 and done["Location"] == reverse("home")
    assert Target.objects.filter(organisation=org).count() == 5
    assert set(Target.objects.values_list("leader", flat=True)) == {""}
    assert client.get(preview_url).status_code == 404  # the upload is gone once imported

    second = client.get(_upload(client, org)["Location"])
    assert "此前已导入 5 项" in second.content.decode().replace("</strong>", "").replace("<strong>", "") or (
        len(second.context["check"].existing) == 5
    )


def test_only_administrators_import_and_only_their_own_uploads(client, org, ada, alice, sam, olga, other_org):
    client.force_login(alice)
    assert client.get(reverse("ledger-upload")).status_code == 403
    client.force_login(sam)
    assert client.get(reverse("ledger-upload")).status_code == 403
    client.force_login(ada)
    location = _upload(client, org)["Location"]
    assert _upload(client, other_org).status_code == 400  # not an organisation ada administers
    client.force_login(olga)
    assert client.get(location).status_code == 404  # the token is in ada's session only
    client.force_login(ada)
    bad = _upload(client, org, b"not a workbook", "x.xlsx")
    assert bad.status_code == 400 and "不是有效的 .xlsx" in bad.content.decode()


def test_mapping_without_the_task_column_is_refused(client, org, ada):
    client.force_login(ada)
    location = _upload(client, org)["Location"]
    page = client.get(location)
    response = client.post(reverse("ledger-upload"), _mapping_post(page, action="import", col1=""))
    assert response.status_code == 400 and "请指定「工作任务」对应的列" in response.content.decode()
    assert Target.objects.count() == 0


# --- the API ------------------------------------------------------------------------------------


def test_api_import(client, org, ada, alice):
    client.force_login(ada)
    url = reverse("api-ledger-import")
    response = client.post(url, {"organisation": org.pk, "file": SimpleUploadedFile("台账.xlsx", messy_xlsx())})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "3 行有问题，未导入任何任务。" and [r["row"] for r in body["rows"]] == BROKEN_ROWS
    dry = client.post(
        url,
        {
            "organisation": org.pk,
            "file": SimpleUploadedFile("台账.xlsx", messy_xlsx()),
            "skip_rows": BROKEN_ROWS,
            "dry_run": True,
        },
    )
    assert dry.status_code == 200 and dry.json()["to_create"] == 5 and Target.objects.count() == 0
    done = client.post(
        url, {"organisation": org.pk, "file": SimpleUploadedFile("台账.xlsx", messy_xlsx()), "skip_rows": BROKEN_ROWS}
    )
    assert done.status_code == 200 and len(done.json()["created"]) == 5 and done.json()["header_row"] == 4
    assert Target.objects.count() == 5
    client.force_login(alice)
    staff = client.post(url, {"organisation": org.pk, "file": SimpleUploadedFile("台账.xlsx", messy_xlsx())})
    assert staff.status_code == 403 and "管理员" in staff.json()["error"]
    missing = client.post(url, {"organisation": 999999, "file": SimpleUploadedFile("台账.xlsx", messy_xlsx())})
    assert missing.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_ledger_at_once_create_it_once(require_postgres, town):
    """Four threads import the same ledger at the same moment on PostgreSQL: the organisation's row lock makes
    the later ones see the first one's rows (已存在), so the ledger's tasks exist once."""
    import threading

    from django.db import connection

    from targets.documents.ledger_import import ledger_check, ledger_import
    from targets.documents.ledger_read import guess_mapping

    table = read_ledger(messy_xlsx(), "台账.xlsx")
    barrier = threading.Barrier(4)
    errors = []

    def run_import():
        try:
            check = ledger_check(
                table=table, mapping=guess_mapping(table.headers), organisation=town, plan_year=2026,
                skip_rows=set(BROKEN_ROWS),
            )  # fmt: skip
            barrier.wait()
            ledger_import(check=check, organisation=town, plan_year=2026, source="台账.xlsx")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_import) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Target.objects.filter(organisation=town).count() == 5
    assert Department.objects.filter(organisation=town).count() == 7
