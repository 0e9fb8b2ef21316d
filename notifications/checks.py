"""`manage.py check` warns when next year's holidays are not known from official data."""

from __future__ import annotations

from django.core.checks import Warning, register
from django.utils import timezone

from notifications import workdays


@register()
def next_year_calendar(app_configs=None, **kwargs) -> list[Warning]:
    year = timezone.localdate().year + 1
    if workdays.calendar_source(year) != workdays.PROVISIONAL:
        return []
    return [
        Warning(
            f"{year} 年的法定节假日和调休安排尚无官方数据，提醒和周报暂按估算日期（holidays 包）计算。",
            hint=(
                "国务院办公厅公布次年放假安排后，升级 chinesecalendar，"
                "或在管理后台“法定节假日与调休”中录入当年全部放假日和调休上班日。"
            ),
            id="notifications.W001",
        )
    ]
