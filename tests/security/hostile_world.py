"""A town whose every user-writable text is an HTML payload, made through the real services where one exists.

Each text gets its own tag, so a leak names the field. A long payload tries to add an attribute whichever quote
it sits in, then to close the tag and open one (`"' data-leak-TAG=1 '"><img src=x onerror=alert_TAG()>&`);
a field too short for it gets `<q>TAG&`. Neither contains "/": an uploaded file name is cut at the last "/".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

SHANGHAI = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass(frozen=True)
class Payload:
    tag: str
    short: bool = False

    @property
    def text(self) -> str:
        if self.short:
            return f"<q>{self.tag}&"
        return f"\"' data-leak-{self.tag}=1 '\"><img src=x onerror=alert_{self.tag}()>&"

    @property
    def raw(self) -> str:
        """What must never reach a page: the tag as markup."""
        return f"<q>{self.tag}" if self.short else f"<img src=x onerror=alert_{self.tag}()>"

    @property
    def escaped(self) -> str:
        """What a page shows instead."""
        return f"&lt;q&gt;{self.tag}" if self.short else f"&lt;img src=x onerror=alert_{self.tag}()&gt;"


@dataclass
class HostileWorld:
    payloads: dict[str, Payload] = field(default_factory=dict)
    objects: dict[str, object] = field(default_factory=dict)

    def p(self, tag: str, *, short: bool = False) -> str:
        self.payloads[tag] = Payload(tag, short)
        return self.payloads[tag].text


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=SHANGHAI)


def build(*, org, dept_econ, dept_housing, alice, bob, sam, ada) -> HostileWorld:
    from django.contrib.auth import get_user_model

    from notifications.models import CalendarDay, Notification
    from reports.models import Achievement, Commitment, Reconciliation, Report
    from reports.reconciliation.services import reconciliation_confirm
    from reports.services import commitment_reject
    from targets import services
    from targets.models import LeadDepartmentRule, Target

    w = HostileWorld()
    org.name = w.p("orgname")
    org.save(update_fields=["name"])
    dept_econ.name = w.p("deptname")
    dept_econ.save(update_fields=["name"])
    dept_housing.name = w.p("codeptname")
    dept_housing.save(update_fields=["name"])
    for user in (alice, bob, sam, ada):
        user.first_name = w.p(f"{user.username}first")
        user.last_name = w.p(f"{user.username}last", short=True)
        user.save(update_fields=["first_name", "last_name"])
    LeadDepartmentRule.objects.create(keyword=w.p("rulekw", short=True), department_name=w.p("ruledept"), priority=0)
    CalendarDay.objects.create(date=date(2031, 1, 2), is_working_day=False, note=w.p("calnote"))

    # The plan report: its text, title and file name; one accepted, one rejected, one proposed commitment.
    text = f"2023年主要目标：{w.p('reporttext')}。完成精品小区建设42万平方米。新建道路5公里。确保无重大安全事故。"
    report = Report.objects.create(
        organisation=org,
        title=w.p("reporttitle"),
        original_name=w.p("reportfile") + ".txt",
        file_type="txt",
        size=len(text.encode()),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        text=text,
        plan_year=2023,
        uploaded_by=ada,
    )
    start = text.index("完成")

    def commitment(tag: str, offset: int, **extra) -> Commitment:
        return Commitment.objects.create(
            report=report,
            quote=w.p(f"{tag}quote"),
            start=start + offset,
            end=start + offset + 5,
            section=w.p(f"{tag}section"),
            kind="quantitative",
            metric=w.p(f"{tag}metric"),
            value=420000,
            value_text="42万平方米",
            unit="平方米",
            comparator="=",
            relation="absolute",
            baseline=w.p(f"{tag}base"),
            **extra,
        )

    accepted = commitment("c1", 0)
    rejected = commitment("c2", 14)
    proposed = commitment("c3", 20)
    commitment_reject(commitment=rejected, acting_user=ada, reason=w.p("rejectreason"))

    target = services.target_create_from_commitment(
        commitment=accepted, acting_user=ada, lead_department=dept_econ, due_date=date(2023, 12, 31), at=at(2023, 1, 10)
    )
    target.co_departments.set([dept_housing])
    Target.objects.filter(pk=target.pk).update(
        title=w.p("title"), metric=w.p("metric"), unit=w.p("unit", short=True), baseline=w.p("baseline"), owner=alice
    )
    target.refresh_from_db()
    milestone = target.milestones.order_by("due_date").first()
    milestone.title = w.p("milestone")
    milestone.due_date = date(2023, 6, 30)
    milestone.save(update_fields=["title", "due_date"])
    target.refresh_from_db()
    services.milestone_create(
        target=target,
        acting_user=ada,
        expected_version=target.version,
        title=w.p("newmilestone"),
        due_date=date(2023, 11, 15),
        expected_percent=90,
        at=at(2023, 2, 1),
    )
    target.refresh_from_db()

    def upload(tag: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(w.p(tag) + ".png", PNG, content_type="text/html")  # a hostile claim

    update = services.progress_record(
        target=target,
        acting_user=alice,
        value=50000,
        note=w.p("progressnote"),
        expected_version=target.version,
        files=[upload("progressfile")],
        at=at(2023, 3, 1),
    )
    target.refresh_from_db()
    services.target_comment(
        target=target, acting_user=bob, text=w.p("comment"), files=[upload("commentfile")], at=at(2023, 3, 2)
    )
    services.target_escalate(
        target=target, acting_user=sam, expected_version=target.version, note=w.p("escalation"), at=at(2023, 3, 3)
    )
    target.refresh_from_db()
    services.target_request_extension(
        target=target,
        acting_user=alice,
        expected_version=target.version,
        note=w.p("extensionnote"),
        new_due_date=date(2024, 3, 31),
        at=at(2023, 3, 4),
    )
    target.refresh_from_db()

    # A second target, signed-off-requested, so the sign-off forms and their notes show too.
    second = services.target_create_from_commitment(
        commitment=proposed, acting_user=ada, lead_department=dept_econ, due_date=date(2023, 12, 31), at=at(2023, 1, 10)
    )
    services.target_request_signoff(
        target=second,
        acting_user=alice,
        expected_version=second.version,
        note=w.p("signoffnote"),
        files=[upload("signofffile")],
        at=at(2023, 4, 1),
    )
    second.refresh_from_db()
    # ... a third commitment left proposed, so the review page shows its edit, accept and reject forms,
    # and a third target with nothing pending, open to every action.
    open_commitment = commitment("c4", 25)
    third = services.target_create_from_commitment(
        commitment=commitment("c5", 30),
        acting_user=ada,
        lead_department=dept_econ,
        due_date=date(2023, 12, 31),
        at=at(2023, 1, 10),
    )

    # Year-end: a review report whose achievement matches, and a supervisor's override with its reason.
    review_text = f"2023年工作回顾：{w.p('reviewtext')}。完成精品小区建设40万平方米。"
    review = Report.objects.create(
        organisation=org,
        title=w.p("reviewtitle"),
        original_name="review.txt",
        file_type="txt",
        size=len(review_text.encode()),
        sha256=hashlib.sha256(review_text.encode()).hexdigest(),
        text=review_text,
        plan_year=2024,
        review_year=2023,
    )
    achievement = Achievement.objects.create(
        report=review,
        quote=w.p("achquote"),
        start=0,
        end=10,
        section=w.p("achsection"),
        metric=w.p("achmetric"),
        value=400000,
        value_text="40万平方米",
        unit="平方米",
    )
    reconciliation = Reconciliation.objects.create(
        target=target,
        report=review,
        achievement=achievement,
        year=2023,
        proposed_verdict="partly_met",
        verdict="partly_met",
        ratio=0.95,
        achieved_value=400000,
        evidence_quote=w.p("evidencequote"),
    )
    reconciliation_confirm(reconciliation=reconciliation, acting_user=sam, verdict="met", reason=w.p("override"))

    notification = Notification.objects.create(
        key="security:log",
        kind="overdue",
        recipient=alice,
        email="alice@example.org",
        organisation=org,
        target=target,
        period="2023-07-03",
        subject=w.p("notifsubject"),
        context={"template": "reminder"},
        status="retrying",
        next_attempt_at=at(2023, 7, 3),
        attempts=2,
        last_error=w.p("lasterror"),
    )

    superuser = get_user_model().objects.create_superuser(username="root", password="pw-root", email="root@x.org")
    w.objects.update(
        report=report,
        review=review,
        target=target,
        second=second,
        third=third,
        milestone=milestone,
        update=update,
        accepted=accepted,
        rejected=rejected,
        open_commitment=open_commitment,
        reconciliation=reconciliation,
        achievement=achievement,
        notification=notification,
        evidence=target.evidence.first(),
        superuser=superuser,
        alice=alice,
        bob=bob,
        sam=sam,
        ada=ada,
    )
    return w
