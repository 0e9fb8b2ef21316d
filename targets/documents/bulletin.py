"""The 督查通报 as a .docx: title, the opening paragraph in the usual register, the table by unit with 按期完成率 and
rank, the chart, the overdue list with days late, what was signed off in the period, and the office's signature."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from docx.shared import Cm

from notifications.workdays import add_working_days
from targets.documents import docx_style as style
from targets.documents.bulletin_data import BulletinFacts, bulletin_facts
from targets.documents.charts import department_chart
from targets.documents.periods import Period
from targets.models import Organisation

CN_NUMBERS = "一二三四五六七八九十"
REPLY_WORKING_DAYS = 5


def bulletin_title(facts: BulletinFacts) -> str:
    return f"关于 {facts.period.year} 年 {facts.period.span_text}重点工作推进情况的通报"


def bulletin_filename(facts: BulletinFacts) -> str:
    return f"{facts.organisation.name}督查通报-{facts.period.key}.docx"


def opening(facts: BulletinFacts) -> str:
    """截至 11 月底，全镇 N 项目标任务中，已完成 A 项，序时推进 B 项，进度预警 C 项，滞后 D 项，按期完成率 R%。"""
    o, p = facts.overall, facts.period
    when = f"截至 {p.last.month} 月底" if facts.on == p.last else f"截至 {facts.on.month} 月 {facts.on.day} 日"
    text = (
        f"{when}，{facts.scope_word} {p.year} 年 {o.total} 项目标任务中，已完成（销号）{o.done} 项，"
        f"序时推进 {o.on_schedule} 项，进度预警 {o.at_risk} 项，滞后 {o.overdue} 项，按期完成率 {o.rate:g}%"
    )
    if len(facts.trend) >= 2:
        change = round(facts.trend[-1][1] - facts.trend[-2][1], 1)
        text += (
            "，与上月持平" if change == 0 else f"，较上月{'提高' if change > 0 else '下降'} {abs(change):g} 个百分点"
        )
    text += f"；{p.label}共销号 {facts.signed_off_total} 项。"
    if facts.cancelled:
        text += f"另有 {facts.cancelled} 项任务已按程序取消，不计入统计。"
    if facts.units:
        best = [u.name for u in facts.units if u.rank == 1]
        text += f"按期完成率排名第一的是{'、'.join(best[:3])}"
        worst = facts.units[-1]
        if worst.overdue and worst.name not in best:
            text += f"；{worst.name}滞后 {worst.overdue} 项，排名靠后"
        text += "。"
    return text + "现将有关情况通报如下。"


def render_bulletin(facts: BulletinFacts) -> bytes:
    document = style.new_document()
    style.title(document, bulletin_title(facts))
    style.centred(document, f"（{facts.organisation.name}督查室  {facts.on.year} 年 {facts.on.month} 月）")
    style.body(document, opening(facts))
    sections = iter(CN_NUMBERS)
    unit_word = "镇（街道）" if facts.by_organisation else "牵头单位"

    style.heading(document, f"{next(sections)}、各{unit_word}推进情况")
    style.table(
        document,
        ["排名", unit_word, "任务数", "已完成", "序时推进", "进度预警", "滞后", "按期完成率"],
        [[u.rank, u.name, u.total, u.done, u.on_schedule, u.at_risk, u.overdue, f"{u.rate:g}%"] for u in facts.units]
        + [["", "合计", *_counts(facts.overall), f"{facts.overall.rate:g}%"]],
        widths_cm=[1.2, 4.2, 1.5, 1.5, 1.7, 1.7, 1.3, 2.3],
    )
    style.body(
        document, "注：按期完成率＝未出现逾期的任务数（含已销号）÷ 任务总数；滞后指完成时限或时间节点已过而未完成。"
    )
    if facts.units:
        chart = department_chart([u.name for u in facts.units], [u.rate for u in facts.units], facts.trend)
        document.add_picture(BytesIO(chart), width=Cm(15.5))

    style.heading(document, f"{next(sections)}、滞后任务清单")
    if facts.overdue:
        style.table(
            document,
            ["序号", "工作任务", "牵头单位", "完成时限", "滞后天数"],
            [[i, t.title, t.unit, _cn_date(t.due_date), t.days_late] for i, t in enumerate(facts.overdue, 1)],
            widths_cm=[1.2, 7.5, 3.2, 2.8, 1.6],
        )
        if facts.overdue_total > len(facts.overdue):
            style.body(
                document, f"（仅列滞后时间最长的 {len(facts.overdue)} 项，共 {facts.overdue_total} 项，详见任务台账。）"
            )
    else:
        style.body(document, "截至目前无滞后任务。")

    style.heading(document, f"{next(sections)}、{facts.period.label}销号任务")
    if facts.signed_off:
        style.table(
            document,
            ["序号", "工作任务", "牵头单位", "完成时限", "销号日期"],
            [
                [i, t.title, t.unit, _cn_date(t.due_date), _cn_date(t.signed_off_on)]
                for i, t in enumerate(facts.signed_off, 1)
            ],
            widths_cm=[1.2, 7.5, 3.2, 2.4, 2.4],
        )
        if facts.signed_off_total > len(facts.signed_off):
            style.body(document, f"（仅列前 {len(facts.signed_off)} 项，共 {facts.signed_off_total} 项。）")
    else:
        style.body(document, f"{facts.period.label}无销号任务。")

    style.heading(document, f"{next(sections)}、下步工作要求")
    reply_by = add_working_days(facts.on, REPLY_WORKING_DAYS)
    style.body(
        document,
        "各牵头单位要对照任务台账，逐项梳理滞后任务原因，明确整改措施和完成时限，"
        f"于 {_cn_date(reply_by)}前将整改情况书面报送督查室；"
        "对连续两期滞后的任务，督查室将发出督办通知单，并纳入年度考核。",
    )
    style.right(document, f"{facts.organisation.name}督查室")
    style.right(document, _cn_date(facts.on))
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def bulletin_document(*, organisation: Organisation, period: Period, today: date | None = None) -> tuple[str, bytes]:
    """(file name, .docx bytes) of the bulletin of `organisation` for `period`."""
    facts = bulletin_facts(organisation=organisation, period=period, today=today)
    return bulletin_filename(facts), render_bulletin(facts)


def _counts(row) -> list[int]:
    return [row.total, row.done, row.on_schedule, row.at_risk, row.overdue]


def _cn_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
