"""One reminder a day, not a storm: the sweep's reminders grouped into one message per person and working day.

`reminders_due` decides item by item what is due (each under its own idempotency key); this module folds the
items of one recipient into one message listing every item with its state, and the escalations to one
supervisor into one message grouped by department. The grouped message is recorded under the key
(kind, recipient, "day:org<id>", date) and carries its items' keys (`NotificationItem`), so a second sweep the same
day sends nothing more and an item is never sent twice; an item that became due after the day's message
went out is caught up the next working day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import groupby

from notifications.emails import render_subject
from notifications.models import Notification
from notifications.plans import Planned, cn_date

# Most urgent first, in the message and in its subject.
STATE_ORDER = {Notification.Kind.OVERDUE: 0, Notification.Kind.DUE: 1, Notification.Kind.BEFORE: 2}
STATE_LABELS = {
    Notification.Kind.OVERDUE: "已逾期",
    Notification.Kind.DUE: "今天到期",
    Notification.Kind.BEFORE: "即将到期",
    Notification.Kind.ESCALATION: "逾期上报",
}


def group_daily(planned: list[Planned], *, on: date) -> list[Planned]:
    """One message per (recipient, organisation, reminders | escalations) for the day `on`.

    Per organisation too: each town's notification log shows the messages about itself only, and a person who
    works for two towns (rare) hears from each once a day.
    """
    groups: dict[tuple[int, int | None, str], list[Planned]] = defaultdict(list)
    for item in planned:
        groups[item.recipient_id, item.organisation_id, item.context.get("template", "reminder")].append(item)
    return [_message(items, template, on) for (_recipient, _organisation, template), items in groups.items()]


def _message(items: list[Planned], template: str, on: date) -> Planned:
    escalation = template == "escalation"
    items = sorted(items, key=lambda p: (STATE_ORDER.get(p.kind, 0), p.context["due"], p.context["target"]["title"]))
    rows = [{**p.context, "kind": p.kind, "state": _state(p)} for p in items]
    counts = defaultdict(int)
    for p in items:
        counts[STATE_LABELS[p.kind]] += 1
    context = {
        "template": "escalations" if escalation else "reminders",
        "today": on.isoformat(),
        "today_cn": cn_date(on),
        "items": rows,
        "count": len(rows),
        "summary": "，".join(f"{label} {n} 项" for label, n in counts.items()),
        "single": rows[0] if len(rows) == 1 else None,
    }
    if escalation:
        # Grouped by lead department: a supervisor reads the late offices one by one.
        by_department = sorted(rows, key=lambda r: (r["target"]["department"] or "~", r["due"]))
        context["departments"] = [
            {"name": name or "未分配", "items": list(group)}
            for name, group in groupby(by_department, key=lambda r: r["target"]["department"])
        ]
    first = items[0]
    return Planned(
        kind=Notification.Kind.ESCALATION if escalation else Notification.Kind.REMINDERS,
        recipient_id=first.recipient_id,
        email=first.email,
        period=on.isoformat(),
        subject=render_subject(context["template"], context),
        context=context,
        object_ref=f"day:org{first.organisation_id}",
        organisation_id=first.organisation_id,
        target_id=first.target_id if len(items) == 1 else None,
        milestone_id=first.milestone_id if len(items) == 1 else None,
        items=[(p.key, p.kind, p.target_id) for p in items],
    )


def _state(item: Planned) -> str:
    """The item's state in words: 已逾期 12 天 / 今天到期 / 还有 3 个工作日到期."""
    context = item.context
    if item.kind in (Notification.Kind.OVERDUE, Notification.Kind.ESCALATION):
        return f"已逾期 {context['days_overdue']} 天"
    if item.kind == Notification.Kind.DUE:
        return "今天到期" if context["on_the_day"] else f"{context['due_cn']}（节假日）到期，今天是到期前最后一个工作日"
    return f"还有 {context['days_left']} 个工作日到期"
