"""A town's 2026 plan with every state a 督查通报 reports: overdue, signed off in and before the period, cancelled,
on track; built through the services (as people would), dated with `at`."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from targets import services
from targets.models import Target

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 10, tzinfo=SHANGHAI)


def make(org, department, title: str, due: date, **fields) -> Target:
    target = Target.objects.create(
        organisation=org,
        title=title,
        kind="deliverable",
        lead_department=department,
        plan_year=due.year if due.year == 2026 else 2026,
        due_date=due,
        lifecycle="in_progress",
        **fields,
    )
    services.refresh_health_basis([target.pk])
    target.refresh_from_db()
    return target


def build(org, *, econ, housing, finance, alice, bob, carol, sam, ada) -> dict[str, Target]:
    t = {
        "A": make(org, econ, "建成产业园区标准厂房", date(2026, 6, 30), leader="王副镇长"),
        "B": make(org, econ, "引进优质企业 10 家", date(2026, 12, 31)),
        "C": make(org, econ, "完成营商环境评估", date(2026, 11, 30)),
        "D": make(org, housing, "完成旧房改造 50 户", date(2026, 10, 31)),
        "E": make(org, housing, "新建保障性住房", date(2026, 9, 30)),
        "F": make(org, housing, "拆除违章建筑", date(2026, 8, 31)),
        "G": make(org, finance, "完成预算绩效评价", date(2026, 12, 31)),
    }
    services.progress_record(
        target=t["B"], acting_user=alice, percent=80, note="已签约 8 家", expected_version=1, at=at(2026, 11, 20)
    )
    services.progress_record(
        target=t["G"], acting_user=carol, percent=95, note="报告初稿完成", expected_version=1, at=at(2026, 11, 25)
    )
    for key, when in (("C", at(2026, 11, 15)), ("D", at(2026, 10, 10))):
        target = Target.objects.get(pk=t[key].pk)
        services.target_sign_off(
            target=target, acting_user=sam, expected_version=target.version, note="核实完成", at=when
        )
    target = Target.objects.get(pk=t["F"].pk)
    services.target_cancel(
        target=target, acting_user=ada, expected_version=target.version, note="规划调整", at=at(2026, 8, 1)
    )
    return {k: Target.objects.get(pk=v.pk) for k, v in t.items()}
