"""A town whose 按期完成率 ranking is worked out by hand (a plain module: conftest files are not importable).

On Monday 7 December 2026 (the weekly digest's day), compared with 30 November 2026 (`rankings.COMPARE_DAYS`):

| unit     | live targets | overdue now (12-07) | rate now | rank now | overdue 11-30 | rate then | rank then |
|----------|--------------|---------------------|----------|----------|---------------|-----------|-----------|
| 农业办   | 1 (+1 cancelled, overdue: not counted) | 0 | 100.0 | 1 | 0 | 100.0 | 1 |
| 经济发展办 | 4 (1 signed off after its due date) | 1 (due 12-03) | 75.0 | 2 | 0 | 100.0 | 1 |
| 财政所   | 4            | 1 (due 11-20)       | 75.0     | 2        | 1             | 75.0      | 3         |
| 房管办   | 2            | 1 (due 11-10)       | 50.0     | 4        | 1             | 50.0      | 4         |

A neighbouring town under the same district, 邻镇: 2 targets, 1 overdue since 11-16 (50.0 both days); the town
测试镇 has 11 live targets, 3 overdue now (72.7) and 2 on 11-30 (81.8): ranked 1st of 2 both days.
"""

from __future__ import annotations

from datetime import date, timedelta

ON = date(2026, 12, 7)
BEFORE = date(2026, 11, 30)
YEAR_END = date(2026, 12, 31)

TOWN = {
    "农业办": [("农田建设", YEAR_END, "in_progress"), ("旧渠道整治", date(2026, 11, 1), "cancelled")],
    "经济发展办": [
        ("招商引资签约", date(2026, 12, 3), "in_progress"),
        ("规上企业培育", YEAR_END, "in_progress"),
        ("园区道路建设", YEAR_END, "not_started"),
        ("外贸订单稳定", date(2026, 10, 31), "signed_off"),
    ],
    "财政所": [
        ("专项债申报", date(2026, 11, 20), "in_progress"),
        ("预算绩效评价", YEAR_END, "in_progress"),
        ("国库集中支付", YEAR_END, "in_progress"),
        ("债务化解", YEAR_END, "in_progress"),
    ],
    "房管办": [("保障房交付", date(2026, 11, 10), "in_progress"), ("老旧小区改造", YEAR_END, "in_progress")],
}
NEIGHBOUR = {
    "社会事务办": [("养老服务中心", date(2026, 11, 15), "in_progress"), ("托育点建设", YEAR_END, "in_progress")]
}

# (name, rank now, rate now, overdue now, rank on BEFORE, rate on BEFORE, the board's and digest's change label)
EXPECTED = [
    ("农业办", 1, 100.0, 0, 1, 100.0, "名次持平，持平"),
    ("经济发展办", 2, 75.0, 1, 1, 100.0, "↓1名，-25.0个百分点"),
    ("财政所", 2, 75.0, 1, 3, 75.0, "↑1名，持平"),
    ("房管办", 4, 50.0, 1, 4, 50.0, "名次持平，持平"),
]
EXPECTED_TOWNS = [
    ("测试镇", 1, 72.7, 3, 1, 81.8, "名次持平，-9.1个百分点"),
    ("邻镇", 2, 50.0, 1, 2, 50.0, "名次持平，持平"),
]


def build(org, units: dict = TOWN, *, today: date | None = None) -> list:
    """The targets of `units` in `org` (departments created as needed), health dates from the real service.
    With `today`, every date moves by `today - ON` (a live server runs on the real date): the same figures."""
    from targets import services
    from targets.models import Department, Target

    shift = (today - ON) if today else timedelta(0)
    targets = []
    for department_name, rows in units.items():
        department, _ = Department.objects.get_or_create(organisation=org, name=department_name)
        for title, due, lifecycle in rows:
            targets.append(
                Target.objects.create(
                    organisation=org,
                    title=title,
                    lead_department=department,
                    plan_year=(today or ON).year,
                    due_date=due + shift,
                    target_value=100,
                    unit="个",
                    comparator=">=",
                    relation="absolute",
                    lifecycle=lifecycle,
                )
            )
    services.refresh_health_basis([t.pk for t in targets])
    return targets
